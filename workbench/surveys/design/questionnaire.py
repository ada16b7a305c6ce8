"""Editing a survey's questionnaire: whole replacement, one question, order; answers stay intact."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session, func, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import guard_write
from workbench.surveys.design.common import check_version
from workbench.surveys.design.edit_rules import (
    check_questionnaire,
    next_key,
    question_from_fields,
    structural_changes,
)
from workbench.surveys.design.questions import Question, questions_from_dicts
from workbench.surveys.models import Survey, SurveyResponse


def questions_of(survey: Survey) -> list[Question]:
    """The survey's questionnaire as Question objects."""
    return questions_from_dicts(survey.questions or [])


def response_count(db: Session, survey: Survey) -> int:
    return int(
        db.exec(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id)
        ).one()
    )


def refuse(message: str, problems: Sequence[str], field: str = "questions") -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": field, "message": p} for p in problems])


def replace_questions(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    questions: Sequence[Question],
    version: int | None,
    summary: str = "修改问卷题目",
) -> Survey:
    """Store a new questionnaire after checking it and that stored answers keep their meaning."""
    guard_write(db, engagement, actor)
    check_version(survey, version)
    if survey.is_closed:
        raise Conflict("问卷已结束回收，题目不能再修改；如确需修改，请项目负责人先重新开启问卷")
    problems = check_questionnaire(questions)
    if problems:
        raise refuse("问卷题目有误，未保存", problems)
    before = list(survey.questions or [])
    before_questions = questions_from_dicts(before)
    changes = structural_changes(
        before_questions, questions, responses=response_count(db, survey) if before else 0
    )
    if changes:
        raise refuse("已有答卷的问卷不能做此修改", changes)
    survey.questions = [q.to_dict() for q in questions]
    survey.updated_at = utcnow()
    db.add(survey)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="survey.questions",
        obj=survey,
        engagement_id=engagement.id,
        before={"questions": before},
        after={"questions": survey.questions},
        summary=f"{survey.title}：{summary}",
    )
    return survey


def save_question(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    version: int | None,
    key: str | None,
    fields: Mapping[str, Any],
) -> Question:
    """Add a question (key None) or replace the question with `key`, from the designer form."""
    current = questions_of(survey)
    if key and not any(q.key == key for q in current):
        raise NotFound("题目不存在")
    try:
        question = question_from_fields(fields, key=key or next_key(current))
    except ValueError as error:
        raise refuse("题目有误，未保存", [str(error)], field="question") from None
    problems = [p for p in check_questionnaire([question]) if "重复" not in p]
    if problems:
        raise refuse("题目有误，未保存", problems, field="question")
    if key:
        updated = [question if q.key == key else q for q in current]
        summary = f"修改题目“{question.text}”"
    else:
        updated = [*current, question]
        summary = f"新增题目“{question.text}”"
    replace_questions(
        db,
        actor=actor,
        engagement=engagement,
        survey=survey,
        questions=updated,
        version=version,
        summary=summary,
    )
    return question


def delete_question(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    version: int | None,
    key: str,
) -> None:
    """Remove a question (refused once answers exist)."""
    current = questions_of(survey)
    gone = next((q for q in current if q.key == key), None)
    if gone is None:
        raise NotFound("题目不存在")
    replace_questions(
        db,
        actor=actor,
        engagement=engagement,
        survey=survey,
        questions=[q for q in current if q.key != key],
        version=version,
        summary=f"删除题目“{gone.text}”",
    )


def move_question(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    version: int | None,
    key: str,
    offset: int,
) -> None:
    """Move a question up (-1) or down (+1); answers are keyed by question, so order is free."""
    current = questions_of(survey)
    position = next((i for i, q in enumerate(current) if q.key == key), None)
    if position is None:
        raise NotFound("题目不存在")
    target = position + (1 if offset > 0 else -1)
    if not 0 <= target < len(current):
        return
    current[position], current[target] = current[target], current[position]
    replace_questions(
        db,
        actor=actor,
        engagement=engagement,
        survey=survey,
        questions=current,
        version=version,
        summary=f"调整题目“{current[target].text}”的顺序",
    )
