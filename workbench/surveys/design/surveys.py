"""Surveys of an engagement: create (blank, template, copy), settings, collection state, sample plan."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import guard_write, visible_query
from workbench.surveys.collection.sample_plan import required_sample, set_sample_plan, waive_sample
from workbench.surveys.collection.states import (
    accepting_problem,
    close_survey,
    open_survey,
    reopen_survey,
)
from workbench.surveys.design import catalog
from workbench.surveys.design.common import check_version
from workbench.surveys.design.edit_rules import check_questionnaire
from workbench.surveys.design.questionnaire import questions_of, refuse, response_count
from workbench.surveys.design.questions import Question
from workbench.surveys.linking import linked_indicators
from workbench.surveys.models import Survey, SurveyImport, SurveyResponse
from workbench.surveys.permissions import can_read

SETTING_FIELDS = [
    "title",
    "purpose",
    "respondents",
    "opens_at",
    "closes_at",
    "one_per_device",
    "thank_you",
]


def new_token() -> str:
    """128 random bits, URL-safe: the public link cannot be guessed or enumerated."""
    return secrets.token_urlsafe(16)


def list_surveys(db: Session, engagement: Engagement) -> list[Survey]:
    return list(
        db.exec(
            select(Survey).where(Survey.engagement_id == engagement.id).order_by(col(Survey.id))
        ).all()
    )


def response_counts(db: Session, ids: Sequence[int]) -> dict[int, int]:
    """Survey id → number of stored answers, in one query."""
    if not ids:
        return {}
    rows = db.exec(
        select(SurveyResponse.survey_id, func.count())
        .where(col(SurveyResponse.survey_id).in_(list(ids)))
        .group_by(SurveyResponse.survey_id)
    ).all()
    found = {survey_id: int(n) for survey_id, n in rows}
    return {i: found.get(i, 0) for i in ids}


def by_token(db: Session, token: str) -> Survey | None:
    if not token or len(token) > 64:
        return None
    return db.exec(select(Survey).where(Survey.token == token)).first()


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationFailed.of_field("title", "请填写问卷名称")
    if len(title) > 200:
        message = "问卷名称不能超过 200 个字符"
        raise ValidationFailed.of_field("title", message)
    return title


def create_survey(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    title: str,
    questions: Sequence[Question] = (),
    purpose: str = "",
    respondents: str = "",
    template_key: str = "",
) -> Survey:
    """A new draft survey with its own public token."""
    guard_write(db, engagement, actor)
    title = _title(title)
    problems = check_questionnaire(questions)
    if problems:
        raise refuse("问卷题目有误，未创建", problems)
    survey = Survey(
        engagement_id=engagement.id,
        title=title,
        purpose=(purpose or "").strip()[:2000],
        respondents=(respondents or "").strip()[:60],
        template_key=template_key,
        questions=[q.to_dict() for q in questions],
        token=new_token(),
        created_by_id=actor.id,
    )
    db.add(survey)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="survey.create",
        obj=survey,
        engagement_id=engagement.id,
        after={
            **audit.snapshot(survey, ["title", "purpose", "respondents", "template_key"]),
            "questions": survey.questions,
        },  # fmt: skip
        summary=survey.title,
    )
    return survey


def create_from_template(
    db: Session, *, actor: User, engagement: Engagement, template_key: str, title: str = ""
) -> Survey:
    """A survey from a shipped questionnaire template."""
    template = catalog.get_template(template_key)
    if template is None:
        raise ValidationFailed(
            "问卷模板不存在", details=[{"field": "template", "message": "请选择问卷模板"}]
        )
    return create_survey(
        db,
        actor=actor,
        engagement=engagement,
        title=title or template.name,
        questions=list(template.questions),
        purpose=template.purpose,
        respondents=template.respondents,
        template_key=template.key,
    )


def copy_candidates(db: Session, *, user: User, engagement: Engagement) -> list[tuple]:
    """(survey, its engagement) of the user's other engagements of the same agency."""
    visible = visible_query(user).where(
        Engagement.agency_id == engagement.agency_id, Engagement.id != engagement.id
    )
    engagements = {e.id: e for e in db.exec(visible).all() if can_read(user, e)}
    if not engagements:
        return []
    rows = db.exec(
        select(Survey)
        .where(col(Survey.engagement_id).in_(list(engagements)))
        .order_by(col(Survey.id).desc())
    ).all()
    return [(s, engagements[s.engagement_id]) for s in rows]


def copy_survey(
    db: Session, *, actor: User, engagement: Engagement, source_id: int, title: str = ""
) -> Survey:
    """A new survey with the questionnaire and settings of one from a previous engagement."""
    source = db.get(Survey, source_id)
    origin = db.get(Engagement, source.engagement_id) if source else None
    if source is None or origin is None or not can_read(actor, origin):
        raise NotFound("要复制的问卷不存在")
    survey = create_survey(
        db,
        actor=actor,
        engagement=engagement,
        title=title or source.title,
        questions=questions_of(source),
        purpose=source.purpose,
        respondents=source.respondents,
        template_key=source.template_key,
    )
    survey.rules = dict(source.rules or {})
    survey.top_k = source.top_k
    survey.one_per_device = source.one_per_device
    survey.thank_you = source.thank_you
    db.add(survey)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="survey.copy",
        obj=survey,
        engagement_id=engagement.id,
        after={"source_survey_id": source.id, "source_engagement_id": origin.id},
        summary=f"{survey.title}（复制自“{origin.title}”）",
    )
    return survey


@dataclass
class SettingsInput:
    title: str
    purpose: str = ""
    respondents: str = ""
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    one_per_device: bool = True
    thank_you: str = ""


def update_settings(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    data: SettingsInput,
    version: int | None,
) -> Survey:
    """Title, purpose, respondents, the collection window, the device guard, the thank-you text."""
    guard_write(db, engagement, actor)
    check_version(survey, version)
    title = _title(data.title)
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        message = "结束时间须晚于开始时间"
        raise ValidationFailed.of_field("closes_at", message)
    before = audit.snapshot(survey, SETTING_FIELDS)
    survey.title = title
    survey.purpose = (data.purpose or "").strip()[:2000]
    survey.respondents = (data.respondents or "").strip()[:60]
    survey.opens_at, survey.closes_at = data.opens_at, data.closes_at
    survey.one_per_device = bool(data.one_per_device)
    survey.thank_you = (data.thank_you or "").strip()[:1000]
    survey.updated_at = utcnow()
    db.add(survey)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="survey.update",
        obj=survey,
        engagement_id=engagement.id,
        before=before,
        after=audit.snapshot(survey, SETTING_FIELDS),
        summary=survey.title,
    )
    return survey


def delete_survey(db: Session, *, actor: User, engagement: Engagement, survey: Survey) -> None:
    """Delete a survey that has no answers and feeds no indicator."""
    guard_write(db, engagement, actor)
    if response_count(db, survey):
        raise Conflict("问卷已有答卷，不能删除（答卷须随项目归档保存）")
    if linked_indicators(db, engagement, survey):
        raise Conflict("问卷已关联满意度指标，请先取消关联")
    audit.record(
        db,
        actor=actor,
        action="survey.delete",
        obj=survey,
        engagement_id=engagement.id,
        before={"title": survey.title, "questions": survey.questions},
        summary=survey.title,
    )
    for job in db.exec(select(SurveyImport).where(SurveyImport.survey_id == survey.id)).all():
        db.delete(job)
    db.flush()
    db.delete(survey)
    db.flush()


__all__ = [
    "SettingsInput",
    "accepting_problem",
    "by_token",
    "close_survey",
    "copy_candidates",
    "copy_survey",
    "create_from_template",
    "create_survey",
    "delete_survey",
    "list_surveys",
    "open_survey",
    "reopen_survey",
    "required_sample",
    "response_counts",
    "set_sample_plan",
    "update_settings",
    "waive_sample",
]
