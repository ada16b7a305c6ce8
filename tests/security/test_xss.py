"""Stored XSS: script-like text in every free-text field renders escaped, never as markup."""

from __future__ import annotations

from sqlmodel import select

from workbench.engagements.models import ChecklistConfirmation, Member, StageVisit
from workbench.indicators.models import Indicator


def payload(label: str) -> str:
    return f'<script>alert("{label}")</script><img src=x onerror=alert("{label}")>'


def escaped(label: str) -> str:
    return f"&lt;script&gt;alert(&#34;{label}&#34;)&lt;/script&gt;"


def _pages(client, paths: list[str]) -> str:
    html = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html.append(response.get_data(as_text=True))
    return "\n".join(html)


def _assert_inert(html: str, shown: list[str], present_labels: list[str]) -> None:
    assert "<script>alert(" not in html
    assert "<img src=x onerror" not in html
    for label in shown:
        assert escaped(label) in html, f"{label} not rendered (escaped) anywhere"
    for label in present_labels:
        assert f'<script>alert("{label}")' not in html


def test_engagement_fields_render_escaped(login, demo, db):
    engagement = demo.engagement
    engagement.title = payload("title")
    engagement.description = payload("description")
    member = db.exec(select(Member).where(Member.engagement_id == engagement.id)).first()
    member.duty = payload("duty")
    for visit in db.exec(select(StageVisit).where(StageVisit.engagement_id == engagement.id)):
        visit.reason = payload("reason")
    for item in db.exec(
        select(ChecklistConfirmation).where(ChecklistConfirmation.engagement_id == engagement.id)
    ):
        item.note = payload("note")
    db.flush()
    eid = engagement.id
    html = _pages(
        login("demo-lead"),
        ["/", f"/engagements/{eid}", f"/engagements/{eid}/edit", f"/engagements/{eid}/team"],
    )
    _assert_inert(html, ["title", "description", "duty"], ["reason", "note"])


def test_indicator_fields_render_escaped(login, demo, db):
    engagement = demo.engagement
    indicator = db.exec(
        select(Indicator).where(Indicator.engagement_id == engagement.id).order_by(Indicator.id)
    ).first()
    assert indicator is not None, "the demo engagement has indicators"
    indicator.name = payload("iname")[:120]
    indicator.level1 = "<b>一级</b>"
    indicator.definition = payload("definition")
    indicator.justification = payload("justification")
    indicator.note = payload("inote")
    db.flush()
    eid = engagement.id
    html = _pages(
        login("demo-lead"),
        [
            f"/engagements/{eid}/indicators",
            f"/engagements/{eid}/indicators/{indicator.id}/edit",
            f"/engagements/{eid}/scoring",
            f"/engagements/{eid}/scoring/{indicator.id}",
        ],
    )
    _assert_inert(html, ["iname", "definition"], ["justification", "inote"])
    assert "<b>一级</b>" not in html and "&lt;b&gt;一级&lt;/b&gt;" in html


def test_library_indicator_text_renders_escaped(login, demo, db):
    from workbench.library.models import LibraryIndicator

    item = db.exec(select(LibraryIndicator).order_by(LibraryIndicator.id)).first()
    assert item is not None, "the library is seeded"
    item.name = payload("lib")[:120]
    item.status_note = payload("status")
    db.flush()
    html = _pages(login("demo-lead"), [f"/library/{item.id}", "/library?q=alert"])
    _assert_inert(html, ["lib"], ["status"])


def test_expert_profile_renders_escaped(login, demo, db):
    from workbench.experts.models import Expert

    expert = Expert(
        agency_id=demo.users["demo-admin"].org_id,
        name=payload("ex")[:60],
        organisation=payload("org"),
        note=payload("exnote"),
    )
    db.add(expert)
    db.flush()
    html = _pages(login("demo-admin"), ["/experts", f"/experts/{expert.id}"])
    _assert_inert(html, ["org"], ["ex", "exnote"])
