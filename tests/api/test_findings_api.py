"""One finding through the API (issue 21): read it with its evidence and paper status, and delete
it as the paper page allows — confirmed on a signed paper, audited, hidden from other parties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from tests.fieldwork.helpers import PDF, SITE_VALUES, indicators
from tests.permissions_roles import fresh_engagement
from workbench.core.audit import AuditEntry
from workbench.fieldwork import evidence, findings, papers, review
from workbench.fieldwork.models import Finding, FindingEvidence


@pytest.fixture()
def as_(demo, token_for):
    made: dict[str, dict] = {}

    def _headers(role: str) -> dict:
        if role not in made:
            made[role] = token_for(demo.users[f"demo-{role}"])
        return made[role]

    return _headers


@pytest.fixture()
def recorded(app, db, demo):
    """A fresh engagement's paper with a deduction finding resting on one evidence file."""
    with app.app_context():
        engagement = fresh_engagement(db, demo, "问题接口")
        evaluator = demo.users["demo-evaluator"]
        tree = indicators(db, engagement)
        leaf = next(iter(tree.values()))
        paper = papers.create_paper(
            db, actor=evaluator, engagement=engagement, template_key="site_visit",
            title="现场核查", values=dict(SITE_VALUES), indicator_ids=[leaf.id],
        )  # fmt: skip
        [file] = evidence.upload(
            db, actor=evaluator, engagement=engagement, paper=paper, max_mb=50,
            files=[("台账.pdf", PDF + b"ledger")],
        )  # fmt: skip
        finding = findings.add_finding(
            db, actor=evaluator, engagement=engagement, paper=paper,
            data=findings.FindingInput(text="资金拨付滞后两个月", indicator_id=leaf.id,
                                       money=Decimal("12000.50"), evidence_ids=[file.id]),
        )  # fmt: skip
        db.flush()
    return type("Recorded", (), {"engagement": engagement, "paper": paper, "leaf": leaf,
                                 "file": file, "finding": finding})  # fmt: skip


def test_one_finding_with_its_evidence_and_paper_status(client, demo, as_, recorded):
    f = recorded.finding
    shown = client.get(f"/api/v1/findings/{f.id}", headers=as_("expert"))
    assert shown.status_code == 200, shown.json
    body = shown.json
    assert (body["id"], body["paper_id"], body["text"], body["kind"], body["money"]) == (
        f.id, recorded.paper.id, "资金拨付滞后两个月", "observation", "12000.50",
    )  # fmt: skip
    assert body["indicator_path"] == list(recorded.leaf.path)
    assert body["evidence"] == [
        {"id": recorded.file.id, "name": "台账.pdf", "sha256": recorded.file.sha256}
    ]
    assert body["evidence_count"] == 1 and body["paper_index"] == recorded.paper.index_no
    assert (body["paper_status"], body["paper_status_name"]) == ("draft", "草稿")
    assert body["recorded_by_name"] == demo.users["demo-evaluator"].display_name


def test_who_may_not_read_the_papers_does_not_find_the_finding(client, as_, recorded):
    url = f"/api/v1/findings/{recorded.finding.id}"
    assert client.get(url, headers=as_("bureau")).status_code == 403
    assert client.get(url, headers=as_("bureau2")).status_code == 404
    assert client.delete(url, headers=as_("bureau2")).status_code == 404
    assert client.delete(url, headers=as_("expert")).status_code == 403
    assert client.get("/api/v1/findings/999999", headers=as_("lead")).status_code == 404
    assert client.get(url).status_code == 401


def test_deleting_is_audited_and_needs_the_confirmation_on_a_signed_paper(
    client, db, demo, as_, recorded
):
    e, paper, f = recorded.engagement, recorded.paper, recorded.finding
    for level, who in (("prepare", "evaluator"), ("review", "reviewer")):
        review.sign(db, actor=demo.users[f"demo-{who}"], engagement=e, paper=paper, level=level)
    db.flush()
    url = f"/api/v1/findings/{f.id}"
    refused = client.delete(url, headers=as_("evaluator"))
    assert refused.status_code == 409 and "签字" in refused.json["error"]
    wrong = client.delete(url + "?confirm_clear_signoffs=perhaps", headers=as_("evaluator"))
    assert wrong.status_code == 422 and wrong.json["errors"][0]["field"] == "confirm_clear_signoffs"
    assert db.get(Finding, f.id) is not None  # nothing written
    assert client.get(url, headers=as_("lead")).json["paper_status"] == "reviewed"

    done = client.delete(url + "?confirm_clear_signoffs=true", headers=as_("evaluator"))
    assert done.status_code == 204 and done.data == b""
    assert db.exec(select(Finding).where(Finding.id == f.id)).first() is None
    assert db.exec(select(FindingEvidence).where(FindingEvidence.finding_id == f.id)).all() == []
    db.refresh(paper)
    assert paper.status == "prepared"  # the review sign-off was cleared, the preparer's stays
    entry = db.exec(
        select(AuditEntry).where(
            AuditEntry.action == "finding.delete", AuditEntry.object_id == f.id
        )
    ).one()
    assert entry.actor_id == demo.users["demo-evaluator"].id
    assert entry.before["text"] == "资金拨付滞后两个月"
    assert client.get(url, headers=as_("lead")).status_code == 404
    assert client.delete(url, headers=as_("lead")).status_code == 404
