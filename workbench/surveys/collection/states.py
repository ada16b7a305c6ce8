"""A survey's collection state: draft → open → closed, re-opened by the lead with a reason."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import guard_write
from workbench.surveys.design.questionnaire import questions_of, response_count
from workbench.surveys.models import Survey, SurveyStatus


def _move(
    db: Session,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    target: SurveyStatus,
    action: str,
    **extra,
) -> Survey:
    before = {"status": survey.status}
    survey.status = target.value
    survey.updated_at = utcnow()
    db.add(survey)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action=action,
        obj=survey,
        engagement_id=engagement.id,
        before=before,
        after={"status": survey.status, **extra},
        summary=survey.title,
    )
    return survey


def open_survey(db: Session, *, actor: User, engagement: Engagement, survey: Survey) -> Survey:
    """Start collecting: the public link accepts answers (within the optional dates)."""
    guard_write(db, engagement, actor)
    if survey.status != SurveyStatus.draft:
        raise Conflict(f"问卷当前为“{survey.status_name}”，不能开始回收")
    questions = questions_of(survey)
    if not questions:
        raise Conflict("问卷还没有题目，不能开始回收")
    survey.opened_at = utcnow()
    return _move(db, actor, engagement, survey, SurveyStatus.open, "survey.open")


def close_survey(db: Session, *, actor: User, engagement: Engagement, survey: Survey) -> Survey:
    """Finish collecting: the link stops accepting answers, the questionnaire is final."""
    guard_write(db, engagement, actor)
    if survey.status == SurveyStatus.closed:
        raise Conflict("问卷已经结束回收")
    if not response_count(db, survey):
        raise Conflict("问卷还没有任何答卷，不能结束回收")
    survey.closed_at = utcnow()
    return _move(db, actor, engagement, survey, SurveyStatus.closed, "survey.close")


def reopen_survey(
    db: Session, *, actor: User, engagement: Engagement, survey: Survey, reason: str
) -> Survey:
    """The lead re-opens a closed survey, stating why (the flowchart may move back for it)."""
    guard_write(db, engagement, actor)
    authorize(
        actor, "engagement.manage", engagement, message="只有项目负责人可以重新开启已结束的问卷"
    )
    if survey.status != SurveyStatus.closed:
        raise Conflict("只有已结束的问卷才能重新开启")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.of_field("reason", "请说明重新开启的原因")
    survey.closed_at = None
    return _move(
        db, actor, engagement, survey, SurveyStatus.open, "survey.reopen", reason=reason[:1000]
    )


def accepting_problem(survey: Survey, now: datetime | None = None) -> str | None:
    """Why the public form does not accept answers now (None when it does)."""
    now = now or utcnow()
    if survey.status == SurveyStatus.draft:
        return "问卷尚未开始回收"
    if survey.status == SurveyStatus.closed:
        return "问卷已结束回收，感谢您的关注"
    if survey.opens_at and now < _aware(survey.opens_at):
        return "问卷尚未到开始填写的时间"
    if survey.closes_at and now >= _aware(survey.closes_at):
        return "问卷已过填写截止时间，感谢您的关注"
    return None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
