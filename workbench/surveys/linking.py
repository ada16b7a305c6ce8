"""Satisfaction leaves of the indicator tree linked to a survey metric (Indicator.survey_link)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam
from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import guard_write
from workbench.indicators.models import Indicator
from workbench.indicators.services import (
    invalidate_signoff,
    require_clear_confirmed,
    signatures_a_change_clears,
)
from workbench.surveys.design.questionnaire import questions_of
from workbench.surveys.models import Survey
from workbench.surveys.statistics.service import METRICS, group_choices, item_choices


def _satisfaction_leaf(engagement_id: Any):
    """The condition for an applicable leaf of the engagement scored by the `satisfaction` rule
    (`engagement_id` a value or a bind parameter)."""
    return and_(
        Indicator.engagement_id == engagement_id,
        Indicator.rule == "satisfaction",
        col(Indicator.not_applicable).is_(False),
    )


def satisfaction_leaves(db: Session, engagement: Engagement) -> list[Indicator]:
    """The engagement's applicable leaves scored by the `satisfaction` rule, in tree order."""
    return list(
        db.exec(
            select(Indicator)
            .where(_satisfaction_leaf(engagement.id))
            .order_by(col(Indicator.position), col(Indicator.id))
        ).all()
    )


@cache
def _probe():
    """Built once: the flowchart asks on every view (the engagement is a parameter)."""
    return select(Indicator.id).where(_satisfaction_leaf(bindparam("engagement_id"))).limit(1)


def has_satisfaction_leaf(db: Session, engagement: Engagement) -> bool:
    """Whether any leaf `_satisfaction_leaf` describes exists (one indexed probe)."""
    return db.exec(_probe(), params={"engagement_id": engagement.id}).first() is not None


def linked_indicators(db: Session, engagement: Engagement, survey: Survey) -> list[Indicator]:
    """Leaves whose survey_link names this survey."""
    # Filtered here: an unset JSON link may be stored as SQL NULL or as JSON null.
    rows = db.exec(select(Indicator).where(Indicator.engagement_id == engagement.id)).all()
    return [i for i in rows if (i.survey_link or {}).get("survey_id") == survey.id]


def describe(link: dict | None, surveys: dict[int, Survey]) -> str:
    """A link as one line: 问卷“…” · 满意率 · 总体 (· 分组)."""
    if not link:
        return ""
    survey = surveys.get(link.get("survey_id"))
    if survey is None:
        return "关联的问卷已不存在"
    questions = questions_of(survey)
    items = dict(item_choices(questions))
    groups = dict(group_choices(questions))
    parts = [f"问卷“{survey.title}”", METRICS.get(link.get("metric", ""), "?")]
    parts.append(
        items.get(link.get("item") or "", "全部满意度题目") if link.get("item") else "总体"
    )
    if link.get("group"):
        parts.append(groups.get(link["group"], link["group"]))
    return " · ".join(parts)


def link_indicator(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    indicator_id: int,
    metric: str,
    item: str | None = None,
    group: str | None = None,
    confirm_clear: bool = False,
) -> Indicator:
    """Make a satisfaction leaf's actual value a figure of this survey."""
    guard_write(db, engagement, actor)
    indicator = db.get(Indicator, indicator_id)
    if indicator is None or indicator.engagement_id != engagement.id:
        raise NotFound("指标不存在")
    if indicator.rule != "satisfaction":
        raise ValidationFailed.of_field(
            "indicator_id", f"指标“{indicator.name}”不是满意度指标，不能关联问卷"
        )
    if metric not in METRICS:
        raise ValidationFailed.of_field("metric", "请选择满意率或满意度指数")
    questions = questions_of(survey)
    item = item or None
    group = group or None
    if item is not None and item not in dict(item_choices(questions)):
        raise ValidationFailed.of_field("item", "所选题目不是本问卷的满意度题目")
    if item is not None and metric.startswith("pooled"):
        raise ValidationFailed.of_field(
            "metric", "“合并全部回答”的指标只适用于总体，不适用于单个题目"
        )
    if group is not None and group not in dict(group_choices(questions)):
        raise ValidationFailed.of_field("group", "所选分组不是本问卷分组题的选项")
    if not item_choices(questions):
        raise ValidationFailed.of_field(
            "metric", "问卷中没有标记为满意度题目的题目，无法计算满意度"
        )
    before = indicator.survey_link
    link: dict[str, Any] = {"survey_id": survey.id, "metric": metric, "item": item, "group": group}
    if link != before:
        require_clear_confirmed(
            db, engagement, confirmed=confirm_clear, action=f"指标“{indicator.name}”关联问卷结果"
        )
    indicator.survey_link = link
    indicator.updated_at = utcnow()
    indicator.updated_by_id = actor.id
    db.add(indicator)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="survey.link",
        obj=indicator,
        engagement_id=engagement.id,
        before={"survey_link": before},
        after={"survey_link": link},
        summary=f"指标“{indicator.name}”关联{describe(link, {survey.id: survey})}",
    )
    invalidate_signoff(
        db, actor=actor, engagement=engagement, reason=f"指标“{indicator.name}”改为关联问卷结果"
    )
    return indicator


def unlink_indicator(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    indicator_id: int,
    confirm_clear: bool = False,
) -> Indicator:
    """Remove a leaf's link to this survey (its typed actual value applies again)."""
    guard_write(db, engagement, actor)
    indicator = db.get(Indicator, indicator_id)
    link = indicator.survey_link if indicator is not None else None
    if (
        indicator is None
        or indicator.engagement_id != engagement.id
        or not isinstance(link, dict)
        or link.get("survey_id") != survey.id
    ):
        raise NotFound("该指标没有关联本问卷")
    require_clear_confirmed(
        db, engagement, confirmed=confirm_clear, action=f"指标“{indicator.name}”取消关联问卷"
    )
    before = indicator.survey_link
    indicator.survey_link = None
    indicator.updated_at = utcnow()
    indicator.updated_by_id = actor.id
    db.add(indicator)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="survey.unlink",
        obj=indicator,
        engagement_id=engagement.id,
        before={"survey_link": before},
        after={"survey_link": None},
        summary=f"指标“{indicator.name}”取消关联问卷",
    )
    invalidate_signoff(
        db, actor=actor, engagement=engagement, reason=f"指标“{indicator.name}”取消关联问卷"
    )
    return indicator


def signatures_a_results_change_clears(
    db: Session, engagement: Engagement, survey: Survey
) -> list[str]:
    """The score sign-off that a change of this survey's valid answers would clear (if linked)."""
    if not linked_indicators(db, engagement, survey):
        return []
    return signatures_a_change_clears(db, engagement)


def require_results_change_confirmed(
    db: Session, engagement: Engagement, survey: Survey, *, confirmed: bool, action: str
) -> None:
    """A deliberate change of the survey's results asks first when a signed score rests on them."""
    if not confirmed and signatures_a_results_change_clears(db, engagement, survey):
        require_clear_confirmed(db, engagement, confirmed=False, action=action)


def results_changed(
    db: Session, *, actor: Any, engagement: Engagement, survey: Survey, reason: str
) -> None:
    """Answers or filters changed: a score signed off on this survey's figures is no longer final."""
    if linked_indicators(db, engagement, survey):
        invalidate_signoff(
            db, actor=actor, engagement=engagement, reason=f"问卷“{survey.title}”{reason}"
        )
