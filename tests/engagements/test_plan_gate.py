"""The plan stage's gate reads the record: the bureau's approval of the newest plan version and
the experts' signed (or recorded paper) reviews; nothing is ticked by hand."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.fieldwork.helpers import PDF
from workbench.core.audit import AuditEntry
from workbench.core.errors import NotAllowed, ValidationFailed
from workbench.engagements import flow
from workbench.engagements.stages import Stage, registry
from workbench.experts import plan_reviews
from workbench.experts.plan_review_models import PlanReview
from workbench.reports.services import generate
from workbench.review.models import Submission
from workbench.review.states import ReviewKind
from workbench.review.submissions import latest


def _back_to_plan(db, demo):
    flow.move_back(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, target="plan",
        reason="检查方案阶段条件",
    )  # fmt: skip
    db.flush()


def _texts(db, demo):
    return [b.text for b in flow.blockers_for(db, demo.engagement, Stage.plan)]


def test_demo_passes_the_plan_stage_on_the_record(db, demo):
    e = demo.engagement
    assert e.stage == "fieldwork"
    subs = db.exec(select(Submission).where(Submission.engagement_id == e.id)).all()
    plan_subs = sorted((s for s in subs if s.kind == "plan"), key=lambda s: s.round)
    assert [s.status for s in plan_subs] == ["returned", "approved"]
    reviews = plan_reviews.of_engagement(db, e)
    assert reviews and reviews[0].signed_by_id == demo.users["demo-expert"].id
    assert reviews[0].conclusion == "passed_after_changes"
    _back_to_plan(db, demo)
    items = flow.derived_items(db, e, Stage.plan)
    assert all(i.ok for i in items), [i.detail for i in items if not i.ok]
    assert {i.text for i in items} >= {"评价工作方案已经委托方审核通过", "评价工作方案已经专家评审"}


def test_the_approval_date_is_the_beijing_date(db, demo):
    """Approved at 21:50 UTC is the next morning in Beijing, as every other time on the page."""
    from datetime import UTC, datetime

    _back_to_plan(db, demo)
    sub = latest(db, demo.engagement, ReviewKind.plan)
    sub.decided_at = datetime(2026, 12, 6, 21, 50, tzinfo=UTC)
    db.add(sub)
    db.flush()
    items = flow.derived_items(db, demo.engagement, Stage.plan)
    approval = next(i for i in items if i.text == "评价工作方案已经委托方审核通过")
    assert approval.ok and "2026-12-07 审核通过" in approval.detail, approval.detail


def test_the_plan_is_no_longer_a_tick_box(db, demo):
    assert registry.checklist(Stage.plan) == []
    _back_to_plan(db, demo)
    with pytest.raises(ValidationFailed):
        flow.confirm_item(
            db, actor=demo.users["demo-lead"], engagement=demo.engagement, stage="plan",
            item="plan_confirmed",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "words"),
    [("returned", "被委托方退回"), ("submitted", "正在委托方审核中")],
)
def test_a_returned_or_pending_latest_plan_blocks(db, demo, status, words):
    _back_to_plan(db, demo)
    sub = latest(db, demo.engagement, ReviewKind.plan)
    sub.status = status
    db.add(sub)
    db.flush()
    assert any(words in t for t in _texts(db, demo))


def test_a_plan_version_made_after_the_approval_blocks(db, demo, ctx):
    _back_to_plan(db, demo)
    newer = generate(db, actor=demo.users["demo-lead"], engagement=demo.engagement, kind="plan")
    assert any(f"又生成了第 {newer.number} 版" in t for t in _texts(db, demo))


def test_expert_review_missing_failed_then_superseded(db, demo):
    e, expert = demo.engagement, demo.users["demo-expert"]
    _back_to_plan(db, demo)
    for row in plan_reviews.of_engagement(db, e):
        db.delete(row)
    db.flush()
    assert any("尚无专家评审意见" in t for t in _texts(db, demo))
    plan_reviews.sign(
        db, actor=expert, engagement=e,
        data=plan_reviews.ReviewInput("failed", "抽样设计不能支撑满意度结论，不通过。"),
    )  # fmt: skip
    assert any("评审结论为不通过" in t for t in _texts(db, demo))
    plan_reviews.sign(
        db, actor=expert, engagement=e,
        data=plan_reviews.ReviewInput("passed", "修改后的抽样设计可行，通过。"),
    )  # fmt: skip
    assert not any("专家" in t for t in _texts(db, demo))
    entries = db.exec(select(AuditEntry).where(AuditEntry.action == "plan_review.sign")).all()
    assert len(entries) >= 3


def test_only_the_engagements_expert_signs_and_bad_input_writes_nothing(db, demo):
    e = demo.engagement
    before = len(plan_reviews.of_engagement(db, e))
    with pytest.raises(NotAllowed):
        plan_reviews.sign(
            db, actor=demo.users["demo-evaluator"], engagement=e,
            data=plan_reviews.ReviewInput("passed", "同意"),
        )  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        plan_reviews.sign(
            db, actor=demo.users["demo-expert"], engagement=e,
            data=plan_reviews.ReviewInput("maybe", "  "),
        )  # fmt: skip
    messages = [d["message"] for d in refused.value.details]
    assert "请选择评审结论：通过、修改后通过或不通过" in messages
    assert "请填写专家评审意见" in messages
    assert len(plan_reviews.of_engagement(db, e)) == before


def test_lead_records_a_paper_opinion_only_with_a_real_scan(db, demo, ctx):
    e, lead = demo.engagement, demo.users["demo-lead"]
    expert_id = plan_reviews.assigned_experts(db, e)[0].id
    data = plan_reviews.ReviewInput("passed", "同意该方案（纸质意见已签字）。")
    before = len(plan_reviews.of_engagement(db, e))
    with pytest.raises(ValidationFailed) as refused:
        plan_reviews.record_paper(
            db, actor=lead, engagement=e, expert_id=expert_id, data=data, filename="", content=b""
        )
    assert refused.value.details[0]["message"] == "请上传专家签字的评审意见扫描件"
    with pytest.raises(ValidationFailed) as refused:
        plan_reviews.record_paper(
            db, actor=lead, engagement=e, expert_id=expert_id, data=data,
            filename="意见.pdf", content=b"MZ\x90\x00" + b"\x00" * 64,
        )  # fmt: skip
    assert "已拒绝" in refused.value.message
    with pytest.raises(NotAllowed):
        plan_reviews.record_paper(
            db, actor=demo.users["demo-evaluator"], engagement=e, expert_id=expert_id, data=data,
            filename="意见.pdf", content=PDF,
        )  # fmt: skip
    assert len(plan_reviews.of_engagement(db, e)) == before
    row = plan_reviews.record_paper(
        db, actor=lead, engagement=e, expert_id=expert_id, data=data,
        filename="专家意见.pdf", content=PDF,
    )  # fmt: skip
    assert row.on_paper and row.scan_name == "专家意见.pdf" and row.recorded_by_id == lead.id
    assert db.get(PlanReview, row.id).scan_sha256


def test_pages_show_the_derived_items_and_the_review_forms(login, demo, db):
    _back_to_plan(db, demo)
    e = demo.engagement
    text = login("demo-lead").get(f"/engagements/{e.id}").get_data(as_text=True)
    assert 'id="derived"' in text and 'data-derived="met"' in text
    assert "评价工作方案已经委托方审核通过" in text and 'id="checklist"' not in text
    page = login("demo-lead").get(f"/engagements/{e.id}/plan-reviews").get_data(as_text=True)
    assert 'id="paper-form"' in page and 'id="sign-form"' not in page and "修改后通过" in page
    expert = login("demo-expert")
    assert 'id="sign-form"' in expert.get(f"/engagements/{e.id}/plan-reviews").get_data(
        as_text=True
    )
    r = expert.post(
        f"/engagements/{e.id}/plan-reviews/sign",
        data={"conclusion": "passed", "opinion": "方案可行。"},
    )
    assert r.status_code == 302
    assert plan_reviews.of_engagement(db, e)[0].opinion == "方案可行。"
