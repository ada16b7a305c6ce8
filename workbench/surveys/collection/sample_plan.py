"""A survey's sample plan (population, confidence, margin → required valid answers) and waiver."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import guard_write
from workbench.surveys.design.common import check_version
from workbench.surveys.models import Survey
from workbench.surveys.statistics.sampling import sample_size

PLAN_FIELDS = ["sample_population", "sample_confidence", "sample_margin", "sample_planned_at"]
CONFIDENCE_LEVELS = (Decimal("0.90"), Decimal("0.95"), Decimal("0.99"))


def required_sample(survey: Survey) -> int | None:
    """The plan's required number of valid answers (None until the plan is set)."""
    if survey.sample_planned_at is None:
        return None
    return sample_size(
        confidence=survey.sample_confidence,
        margin=survey.sample_margin,
        population=survey.sample_population,
    )


def set_sample_plan(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    population: int | None,
    confidence: Decimal,
    margin: Decimal,
    version: int | None,
) -> int:
    """Population N, confidence and margin → the required sample size (returned)."""
    guard_write(db, engagement, actor)
    check_version(survey, version)
    errors = []
    if population is not None and population < 1:
        errors.append({"field": "sample_population", "message": "总体数量应为正整数，未知时留空"})
    if confidence not in CONFIDENCE_LEVELS:
        errors.append({"field": "sample_confidence", "message": "置信水平应为 90%、95% 或 99%"})
    if not Decimal("0.005") <= margin <= Decimal("0.2"):
        errors.append({"field": "sample_margin", "message": "允许误差应在 0.5% 至 20% 之间"})
    if errors:
        raise ValidationFailed("抽样方案有误，未保存", details=errors)
    before = audit.snapshot(survey, PLAN_FIELDS)
    survey.sample_population = population
    survey.sample_confidence = confidence
    survey.sample_margin = margin
    survey.sample_planned_at = utcnow()
    survey.updated_at = utcnow()
    db.add(survey)
    db.flush()
    required = required_sample(survey) or 0
    audit.record(
        db,
        actor=actor,
        action="survey.sample_plan",
        obj=survey,
        engagement_id=engagement.id,
        before=before,
        after={**audit.snapshot(survey, PLAN_FIELDS), "required": required},
        summary=f"{survey.title}：应回收有效问卷 {required} 份",
    )
    return required


def waive_sample(
    db: Session, *, actor: User, engagement: Engagement, survey: Survey, reason: str
) -> Survey:
    """The lead accepts fewer valid answers than the plan requires, with a written reason."""
    guard_write(db, engagement, actor)
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以豁免样本量要求")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.of_field("reason", "请填写豁免理由")
    survey.sample_waived_reason = reason[:1000]
    survey.sample_waived_by_id = actor.id
    survey.sample_waived_at = utcnow()
    db.add(survey)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="survey.sample_waive",
        obj=survey,
        engagement_id=engagement.id,
        after={"reason": survey.sample_waived_reason},
        summary=f"{survey.title}：豁免样本量要求",
    )
    return survey
