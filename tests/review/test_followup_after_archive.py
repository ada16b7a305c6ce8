"""After 完成归档: rectification stays open (lead, bureau, the unit with evidence), the gate warns
or blocks on open items per settings, and everything is audited (issue 15 item 2)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlmodel import func, select

from tests.review.conftest import PLAN_SECTIONS, make_version
from tests.review.test_rating import FULL
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, Locked, NotAllowed, ValidationFailed
from workbench.engagements.archive_hooks import archive
from workbench.review import rating, rectification, unit_followup
from workbench.review.gates import archive_gate
from workbench.review.models import (
    Notification,
    RectificationEvidence,
    RectificationReport,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture()
def items(approved, db, engagement, people):
    return rectification.create_items(
        db, actor=people.lead, engagement=engagement, text="资金拨付不及时 | 建立拨付时限制度"
    )


@pytest.fixture()
def archived(items, db, engagement, people):
    make_version(db, engagement, kind="plan", sections=PLAN_SECTIONS, user=people.lead)
    rating.record(db, actor=people.bureau, engagement=engagement, scores=FULL)
    archive(db, actor=people.lead, engagement=engagement)
    db.flush()
    return engagement


def _audits(db, engagement, action) -> int:
    return db.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.engagement_id == engagement.id, AuditEntry.action == action)
    ).one()


def _reports(db, engagement) -> tuple[int, int]:
    reports = db.exec(
        select(func.count())
        .select_from(RectificationReport)
        .where(RectificationReport.engagement_id == engagement.id)
    ).one()
    files = db.exec(
        select(func.count())
        .select_from(RectificationEvidence)
        .where(RectificationEvidence.engagement_id == engagement.id)
    ).one()
    return reports, files


def test_rectification_stays_open_after_the_archive(archived, items, db, people):
    engagement = archived
    assert engagement.is_archived
    [item] = items
    more = rectification.create_items(
        db, actor=people.lead, engagement=engagement, text="绩效目标不够细化"
    )
    assert len(more) == 1 and _audits(db, engagement, "review.rectification_create") == 2
    rectification.update_item(
        db, actor=people.lead, engagement=engagement, item_id=item.id, problem="资金拨付滞后",
        requirement="建立制度", feedback_due=date(2027, 1, 1), rectify_due=date(2027, 2, 1),
        version=item.version,
    )  # fmt: skip
    rectification.record_progress(
        db, actor=people.bureau, engagement=engagement, item_id=item.id,
        status="rectified", note="已出台拨付时限制度", version=item.version,
    )  # fmt: skip
    assert item.status == "rectified"
    assert _audits(db, engagement, "review.rectification_progress") == 1


def test_the_unit_reports_progress_with_evidence(archived, items, db, people):
    engagement, [item] = archived, items
    before = db.exec(select(func.count()).select_from(Notification)).one()
    row = unit_followup.report(
        db, actor=people.unit, engagement=engagement, item_id=item.id, kind="feedback",
        text="已制定整改方案", files=[("整改方案.pdf", PDF)], version=item.version,
    )  # fmt: skip
    assert row.kind == "feedback" and item.status == "feedback_received"
    assert item.feedback_note == "已制定整改方案"
    [stored] = unit_followup.files_by_report(db, engagement)[row.id]
    assert stored.name == "整改方案.pdf" and stored.mime == "application/pdf"
    entry = db.exec(
        select(AuditEntry).where(AuditEntry.action == "review.rectification_unit_report")
    ).one()
    assert entry.actor_id == people.unit.id and entry.after["after_archive"] is True
    assert entry.after["files"][0]["name"] == "整改方案.pdf"
    # The lead and the bureau are told.
    told = db.exec(
        select(Notification.user_id).where(Notification.kind == "review.rectification_unit_report")
    ).all()
    assert {people.lead.id, people.bureau.id} <= set(told)
    assert db.exec(select(func.count()).select_from(Notification)).one() > before
    # A claim of completion without evidence is refused; only the lead or bureau confirms it.
    with pytest.raises(ValidationFailed, match="申报整改完成须上传整改佐证材料"):
        unit_followup.report(
            db, actor=people.unit, engagement=engagement, item_id=item.id, kind="done",
            text="已完成", version=item.version,
        )  # fmt: skip
    done = unit_followup.report(
        db, actor=people.unit, engagement=engagement, item_id=item.id, kind="done",
        text="制度已印发", files=[("制度.pdf", PDF + b"2")], version=item.version,
    )  # fmt: skip
    assert done.kind == "done" and item.status == "feedback_received"


@pytest.mark.parametrize(
    ("kind", "text", "uploads", "message"),
    [
        ("progress", "  ", [], "请填写整改情况说明"),
        ("progress", "字" * 2001, [], "不能超过 2000 字"),
        ("whatever", "说明", [], "请选择报送类型"),
        ("progress", "说明", [("病毒.pdf", b"MZ\x90\x00" + b"\x00" * 60)], "已拒绝"),
        ("progress", "说明", [("a.pdf", PDF), ("b.pdf", PDF)], "内容相同"),
        ("progress", "说明", [("a.exe", b"MZ")], "文件类型不在允许范围内"),
    ],
)
def test_bad_unit_reports_write_nothing(archived, items, db, people, kind, text, uploads, message):
    engagement, [item] = archived, items
    with pytest.raises(ValidationFailed) as error:
        unit_followup.report(
            db, actor=people.unit, engagement=engagement, item_id=item.id, kind=kind,
            text=text, files=uploads, version=item.version,
        )  # fmt: skip
    assert message in error.value.message + str(error.value.details)
    assert _reports(db, engagement) == (0, 0) and item.status == "open"


def test_only_the_unit_reports(archived, items, db, people):
    [item] = items
    for user in (people.lead, people.bureau, people.evaluator):
        with pytest.raises(NotAllowed, match="只有被评价单位联系人"):
            unit_followup.report(
                db, actor=user, engagement=archived, item_id=item.id, kind="progress",
                text="说明", version=item.version,
            )  # fmt: skip


def test_the_archive_gate_warns_or_blocks_on_open_items(
    items, approved, app, db, engagement, people, monkeypatch
):  # noqa: E501
    make_version(db, engagement, kind="plan", sections=PLAN_SECTIONS, user=people.lead)
    rating.record(db, actor=people.bureau, engagement=engagement, scores=FULL)
    blockers = [b.text for b in archive_gate(db, engagement)]
    assert not any("整改" in b for b in blockers)  # warn (the default): listed, not blocking
    monkeypatch.setitem(app.config, "ARCHIVE_OPEN_RECTIFICATION", "block")
    blocked = [b.text for b in archive_gate(db, engagement)]
    assert any("尚有 1 项整改事项未确认整改完成" in b and "资金拨付不及时" in b for b in blocked)
    [item] = items
    rectification.record_progress(
        db, actor=people.lead, engagement=engagement, item_id=item.id, status="rectified",
        note="已整改", version=item.version,
    )  # fmt: skip
    assert not any("整改" in b.text for b in archive_gate(db, engagement))


def test_the_rating_and_evaluation_content_stay_locked(archived, db, people):
    with pytest.raises(Locked):
        rating.record(db, actor=people.bureau, engagement=archived, scores=FULL)


# --- pages ----------------------------------------------------------------------------------


def test_pages_after_the_archive(archived, items, db, login, people):
    engagement, [item] = archived, items
    lead = login("demo-lead")
    page = lead.get(f"/engagements/{engagement.id}/review/rectification").get_data(as_text=True)
    assert "archived-follow-up-note" in page and "登记进展" in page and "建立整改事项" in page
    archive_page = lead.get(f"/engagements/{engagement.id}/archive").get_data(as_text=True)
    assert 'data-key="rectification"' in archive_page and 'data-warning="yes"' in archive_page

    unit = login("demo-unit")
    url = f"/engagements/{engagement.id}/rectification/unit"
    shown = unit.get(url)
    assert shown.status_code == 200 and "资金拨付不及时" in shown.get_data(as_text=True)
    assert "整改情况" in shown.get_data(as_text=True)
    sent = unit.post(
        f"{url}/{item.id}",
        data={"kind": "feedback", "text": "已制定整改方案", "version": str(item.version),
              "files": [(io.BytesIO(PDF), "整改方案.pdf")]},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip
    body = sent.get_data(as_text=True)
    assert "已报送整改反馈" in body and "整改方案.pdf" in body
    [stored] = db.exec(
        select(RectificationEvidence).where(RectificationEvidence.engagement_id == engagement.id)
    ).all()
    file_url = f"/engagements/{engagement.id}/rectification/files/{stored.id}"
    got = lead.get(file_url)
    assert got.status_code == 200 and got.data == PDF
    assert "attachment" in got.headers["Content-Disposition"]
    got.close()
    for user, status in [("demo-bureau", 200), ("demo-unit", 200), ("demo-bureau2", 404)]:
        response = login(user).get(file_url)
        assert response.status_code == status, user
        response.close()
    # A bad file: a clear Chinese message, nothing written.
    db.refresh(item)
    bad = unit.post(
        f"{url}/{item.id}",
        data={"kind": "progress", "text": "进展", "version": str(item.version),
              "files": [(io.BytesIO(b"<html>x</html>"), "进展.pdf")]},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip
    assert "上传失败，未保存任何内容：“进展.pdf”的内容是可执行程序或网页" in bad.get_data(
        as_text=True
    )
    assert _reports(db, engagement) == (1, 1)
    # The agency's page shows what the unit sent.
    page = lead.get(f"/engagements/{engagement.id}/review/rectification").get_data(as_text=True)
    assert "已制定整改方案" in page and "整改方案.pdf" in page


def test_an_item_the_unit_reported_on_cannot_be_deleted(items, db, engagement, people):
    [item] = items
    unit_followup.report(
        db, actor=people.unit, engagement=engagement, item_id=item.id, kind="progress",
        text="正在整改", version=item.version,
    )  # fmt: skip
    with pytest.raises(Conflict, match="被评价单位已报送整改情况的事项不能删除"):
        rectification.delete_item(db, actor=people.lead, engagement=engagement, item_id=item.id)
    assert _reports(db, engagement) == (1, 0)
