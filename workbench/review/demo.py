"""Demo review loop: the plan submitted, returned with an anchored comment, answered, revised,
resubmitted and approved by the bureau (the plan stage's gate reads that approval).

Stored files need an application (its storage folder); without one (bare sessions in tests)
nothing is added here, as in the fieldwork demo.
"""

from __future__ import annotations

from flask import has_app_context
from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.engagements.models import Engagement
from workbench.reports.models import DeliverableVersion
from workbench.reports.services import generate
from workbench.review import decisions, submissions
from workbench.review.states import ReviewKind


def _plan(
    session: Session, engagement: Engagement, lead: User, *, label: str = "送审稿", fresh=False
) -> DeliverableVersion:
    """The newest plan version, or one generated from the record (always when `fresh`)."""
    found = session.exec(
        select(DeliverableVersion)
        .where(DeliverableVersion.engagement_id == engagement.id, DeliverableVersion.kind == "plan")
        .order_by(col(DeliverableVersion.number).desc())
    ).first()
    if found is not None and not fresh:
        return found
    return generate(session, actor=lead, engagement=engagement, kind="plan", label=label)


def fill(session: Session, engagement: Engagement, users: dict[str, User]) -> None:
    """Submit the plan; the bureau returns it with a comment on the methods; the lead answers,
    submits the revised version, and the bureau approves it."""
    if not has_app_context():
        return
    lead, bureau = users["demo-lead"], users["demo-bureau"]
    version = _plan(session, engagement, lead)
    submission = submissions.submit(
        session,
        actor=lead,
        engagement=engagement,
        kind=ReviewKind.plan,
        version_id=version.id,
        note="评价工作方案送审稿，请审核。",
    )
    sections = submissions.sections_of(version)
    target = next((s for s in sections if s.key == "methods" and s.paragraphs), None)
    target = target or next((s for s in sections if s.paragraphs), None)
    comment = decisions.add_comment(
        session,
        actor=bureau,
        engagement=engagement,
        submission=submission,
        item=decisions.CommentInput(
            body="请补充满意度调查的抽样方法和样本量测算依据，并说明问卷发放对象的分布。",
            section=target.key if target else "",
            paragraph=1 if target else None,
        ),
    )
    decisions.decide(
        session,
        actor=bureau,
        engagement=engagement,
        submission=submission,
        decision="return",
        note="请按审核意见修改后重新提交。",
    )
    submissions.answer(
        session,
        actor=lead,
        engagement=engagement,
        comment_id=comment.id,
        text="已在“评价方法”中补充满意度调查的抽样设计：以受益学生家长为总体（约12,000人），"
        "按城区学校、乡镇学校分层抽样，置信水平95%、允许误差5%，计划回收有效问卷400份，"
        "按各层人数比例分配。",
        version=comment.version,
    )
    revised = _plan(session, engagement, lead, fresh=True)  # the revised 送审稿
    resubmitted = submissions.submit(
        session,
        actor=lead,
        engagement=engagement,
        kind=ReviewKind.plan,
        version_id=revised.id,
        note="已按审核意见修改评价工作方案，请再次审核。",
    )
    decisions.decide(
        session,
        actor=bureau,
        engagement=engagement,
        submission=resubmitted,
        decision="approve",
        note="同意按修改后的评价工作方案开展评价。",
    )
