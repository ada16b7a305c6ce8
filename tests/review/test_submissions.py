"""The review loop through the services: submit, comment, return, answer, resubmit, approve, locks."""

import pytest
from sqlmodel import func, select

from tests.review.conftest import PLAN_SECTIONS, comment, make_version
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, Locked, NotAllowed, ValidationFailed
from workbench.engagements.archive_hooks import archive
from workbench.reports.locks import locked_reason
from workbench.reports.services import drafting
from workbench.review import decisions, submissions
from workbench.review.locking import ensure_editable
from workbench.review.models import Notification, ReviewComment, Submission


def _count(db, model, **where):
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.exec(stmt).one()


def _actions(db, engagement):
    return [
        a.action
        for a in db.exec(
            select(AuditEntry)
            .where(AuditEntry.engagement_id == engagement.id, AuditEntry.action.like("review.%"))
            .order_by(AuditEntry.id)
        ).all()
    ]


def test_submit_latest_version_notifies_the_bureau(
    engagement, submitted, version, db, demo, people
):
    assert submitted.version_id == version.id and submitted.version_number == version.number
    assert (submitted.status, submitted.round, submitted.kind) == ("submitted", 1, "final_report")
    note = db.exec(
        select(Notification).where(
            Notification.user_id == people.bureau.id, Notification.engagement_id == engagement.id
        )
    ).one()
    assert "正式评价报告" in note.title and note.link.endswith(f"/submissions/{submitted.id}")
    assert _count(db, Notification, user_id=people.bureau2.id) == 0
    assert _actions(db, engagement) == ["review.submit"]


def test_submit_a_chosen_version_and_plain_report_kind(engagement, files, db, demo, people):
    first = make_version(db, engagement, user=people.lead)
    make_version(db, engagement, user=people.lead)
    row = submissions.submit(
        db, actor=people.lead, engagement=engagement, kind="report", version_id=first.id
    )
    # The demo engagement is before bureau review: a plain "report" is the draft.
    assert (row.kind, row.version_number) == ("draft_report", 1)


@pytest.mark.parametrize(
    ("kind", "version", "field", "message"),
    [
        ("final_report", None, "version_id", "尚未生成正式评价报告文档"),
        ("score_sheet", None, "kind", "提交类型须为"),
        ("plan", "report", "version_id", "不能作为“评价工作方案”提交"),
        ("plan", 999999, "version_id", "文档版本不存在"),
    ],
)
def test_bad_submissions_write_nothing(
    engagement, files, db, demo, people, kind, version, field, message
):
    version_id = version
    if version == "report":
        version_id = make_version(db, engagement, user=people.lead).id
    with pytest.raises(ValidationFailed) as caught:
        submissions.submit(
            db, actor=people.lead, engagement=engagement, kind=kind, version_id=version_id
        )
    assert caught.value.details[0]["field"] == field
    assert message in caught.value.details[0]["message"]
    assert _count(db, Submission, engagement_id=engagement.id) == 0
    assert _count(db, Notification, engagement_id=engagement.id) == 0


def test_only_the_lead_submits_and_not_twice(engagement, version, db, demo, people):
    for user in (people.evaluator, people.bureau):
        with pytest.raises(NotAllowed):
            submissions.submit(db, actor=user, engagement=engagement, kind="final_report")
    submissions.submit(db, actor=people.lead, engagement=engagement, kind="final_report")
    with pytest.raises(Conflict, match="正在等待委托方审核"):
        submissions.submit(db, actor=people.lead, engagement=engagement, kind="final_report")
    assert _count(db, Submission, engagement_id=engagement.id) == 1


def test_comment_anchors_to_a_paragraph_and_quotes_it(engagement, submitted, db, demo, people):
    row = comment(db, engagement, people, submitted, section="overview", paragraph=2)
    assert row.section_title == "（一）项目概况" and row.paragraph == 2
    assert row.quote == "资金来源为市级财政。"  # the script was sanitized away
    assert row.anchor == "（一）项目概况 第 2 段"


@pytest.mark.parametrize(
    ("section", "paragraph", "body", "message"),
    [
        ("overview", 3, "意见", "共 2 段，段落序号须在 1–2 之间"),
        ("nope", None, "意见", "章节“nope”不存在"),
        ("", 2, "意见", "指定段落时须同时选择章节"),
        ("overview", 1, "   ", "审核意见内容不能为空"),
        ("overview", 1, "长" * 4001, "不能超过 4000 字"),
    ],
)
def test_bad_comments_are_refused(
    engagement, submitted, db, demo, people, section, paragraph, body, message
):
    with pytest.raises(ValidationFailed) as caught:
        comment(db, engagement, people, submitted, body=body, section=section, paragraph=paragraph)
    assert any(message in d["message"] for d in caught.value.details)
    assert _count(db, ReviewComment, engagement_id=engagement.id) == 0


def test_only_the_commissioning_bureau_reviews(engagement, submitted, db, demo, people):
    for user in (people.bureau2, people.lead, people.unit):
        with pytest.raises(NotAllowed):
            decisions.add_comment(
                db,
                actor=user,
                engagement=engagement,
                submission=submitted,
                item=decisions.CommentInput(body="x"),
            )
        with pytest.raises(NotAllowed):
            decisions.decide(
                db, actor=user, engagement=engagement, submission=submitted, decision="approve"
            )
    assert submitted.status == "submitted"


def test_return_needs_a_comment(engagement, submitted, db, demo, people):
    with pytest.raises(ValidationFailed) as caught:
        decisions.decide(
            db,
            actor=people.bureau,
            engagement=engagement,
            submission=submitted,
            decision="return",
        )
    assert caught.value.details == [
        {"field": "comments", "message": "退回修改须至少填写一条审核意见"}
    ]
    with pytest.raises(ValidationFailed, match="审核结论无效"):
        decisions.decide(
            db,
            actor=people.bureau,
            engagement=engagement,
            submission=submitted,
            decision="maybe",
        )
    assert submitted.status == "submitted" and submitted.decided_at is None


def test_full_loop_return_answer_resubmit_approve(engagement, submitted, db, demo, people):
    engagement = engagement
    decisions.decide(
        db,
        actor=people.bureau,
        engagement=engagement,
        submission=submitted,
        decision="return",
        comments=[
            decisions.CommentInput(body="请核实受益学生人数", section="overview", paragraph=1),
            decisions.CommentInput(body="建议部分过于笼统"),
        ],
        note="请修改",
    )
    assert submitted.status == "returned" and submitted.decided_by_id == people.bureau.id
    lead_note = db.exec(
        select(Notification).where(
            Notification.user_id == people.lead.id, Notification.engagement_id == engagement.id
        )
    ).one()
    assert "退回修改（2 条意见）" in lead_note.title
    first, second = submissions.comments_of(db, [submitted.id])[submitted.id]

    # Resubmitting needs a newer version, then every comment answered.
    with pytest.raises(Conflict, match="请按审核意见修改并生成新版本"):
        submissions.submit(db, actor=people.lead, engagement=engagement, kind="final_report")
    make_version(db, engagement, user=people.lead)
    with pytest.raises(Conflict, match="还有 2 条审核意见未回复") as caught:
        submissions.submit(db, actor=people.lead, engagement=engagement, kind="final_report")
    assert len(caught.value.details) == 2
    with pytest.raises(ValidationFailed, match="缺少版本号"):
        submissions.answer(
            db,
            actor=people.lead,
            engagement=engagement,
            comment_id=first.id,
            text="x",
            version=None,
        )
    submissions.answer(
        db,
        actor=people.evaluator,
        engagement=engagement,
        comment_id=first.id,
        text="已核实并修改",
        version=first.version,
    )
    with pytest.raises(Conflict, match="已被他人修改"):
        submissions.answer(
            db, actor=people.lead, engagement=engagement, comment_id=first.id, text="x", version=1
        )
    with pytest.raises(ValidationFailed, match="回复不能为空"):
        submissions.answer(
            db,
            actor=people.lead,
            engagement=engagement,
            comment_id=second.id,
            text=" ",
            version=second.version,
        )
    with pytest.raises(NotAllowed):
        submissions.answer(
            db,
            actor=people.bureau,
            engagement=engagement,
            comment_id=second.id,
            text="x",
            version=second.version,
        )
    submissions.answer(
        db,
        actor=people.lead,
        engagement=engagement,
        comment_id=second.id,
        text="已细化",
        version=second.version,
    )
    again = submissions.submit(db, actor=people.lead, engagement=engagement, kind="final_report")
    assert (again.round, again.version_number, again.status_name) == (2, 2, "已重新提交，待审核")

    # The answers of the resubmitted round are frozen now.
    with pytest.raises(Locked, match="不能再修改"):
        submissions.answer(
            db,
            actor=people.lead,
            engagement=engagement,
            comment_id=first.id,
            text="改",
            version=first.version,
        )

    decisions.decide(
        db, actor=people.bureau, engagement=engagement, submission=again, decision="approve"
    )
    assert again.status == "approved"
    with pytest.raises(Conflict, match="不能再修改审核意见"):
        comment(db, engagement, people, again)
    with pytest.raises(Conflict, match="无需再次提交"):
        submissions.submit(db, actor=people.lead, engagement=engagement, kind="final_report")
    assert _actions(db, engagement) == [
        "review.submit", "review.return", "review.answer", "review.answer",
        "review.resubmit", "review.approve",
    ]  # fmt: skip


def test_nothing_under_review_can_be_edited(engagement, submitted, db, demo, people):
    engagement = engagement
    reason = locked_reason(db, engagement, "report")
    assert reason == "正式评价报告（第 1 版）已提交委托方审核，审核结束前不能修改"
    with pytest.raises(Locked, match="审核结束前不能修改"):
        ensure_editable(db, engagement, "report")
    assert locked_reason(db, engagement, "plan") is None
    # Answering is refused while the version is with the bureau.
    row = comment(db, engagement, people, submitted)
    with pytest.raises(Locked, match="正在委托方审核中"):
        submissions.answer(
            db,
            actor=people.lead,
            engagement=engagement,
            comment_id=row.id,
            text="x",
            version=row.version,
        )
    decisions.decide(
        db, actor=people.bureau, engagement=engagement, submission=submitted, decision="return"
    )
    assert locked_reason(db, engagement, "report") is None  # returned: the agency edits again
    ensure_editable(db, engagement, "report")


def test_an_approved_final_report_stays_locked(engagement, approved, db, demo):
    assert locked_reason(db, engagement, "report") == "正式评价报告已经委托方审核通过，不能再修改"
    assert locked_reason(db, engagement, "score_sheet") is None


def test_the_reports_domain_refuses_section_edits_under_review(engagement, submitted, db, demo):
    reason = drafting.edit_refusal(db, engagement, "report")
    assert reason == "正式评价报告（第 1 版）已提交委托方审核，审核结束前不能修改"
    assert drafting.edit_refusal(db, engagement, "plan") is None


def test_plan_review_is_separate_from_the_report(engagement, files, submitted, db, demo, people):
    plan = make_version(db, engagement, kind="plan", sections=PLAN_SECTIONS, user=people.lead)
    row = submissions.submit(db, actor=people.lead, engagement=engagement, kind="plan")
    assert row.version_id == plan.id and row.round == 1
    assert locked_reason(db, engagement, "plan").startswith("评价工作方案（第 1 版）")


def test_archived_engagement_is_read_only(engagement, version, db, demo, people):
    archive(db, actor=people.lead, engagement=engagement)
    with pytest.raises(Locked, match="已归档"):
        submissions.submit(db, actor=people.lead, engagement=engagement, kind="final_report")


def test_withdrawing_a_comment(engagement, submitted, db, demo, people, make_user):
    row = comment(db, engagement, people, submitted)
    colleague = make_user(
        "bureau", org=db.get(type(demo.orgs["示例市财政局"]), people.bureau.org_id)
    )
    with pytest.raises(NotAllowed, match="只能删除自己"):
        decisions.delete_comment(
            db, actor=colleague, engagement=engagement, submission=submitted, comment_id=row.id
        )
    decisions.delete_comment(
        db, actor=people.bureau, engagement=engagement, submission=submitted, comment_id=row.id
    )
    assert _count(db, ReviewComment, engagement_id=engagement.id) == 0


def test_a_concurrent_decision_is_a_conflict_not_an_overwrite(
    engagement, submitted, db, demo, people
):
    from sqlalchemy import update

    # Another reviewer decided meanwhile: the row's version moved on under this session.
    db.connection().execute(
        update(Submission)
        .where(Submission.id == submitted.id)
        .values(version=submitted.version + 1)
    )
    with pytest.raises(Conflict, match="该版本已被他人审核"):
        decisions.decide(
            db,
            actor=people.bureau,
            engagement=engagement,
            submission=submitted,
            decision="approve",
        )
