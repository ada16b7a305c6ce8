"""Score input: a satisfaction leaf linked to a survey takes that survey's figure as actual value.

The value follows the answers and the validity filters, so the score updates whenever either
changes. A figure is a percentage (82.50 for 82.50 %), which the calculator reads as a rate
(scoring/calculator.py `_as_rate`); a figure of at most 1 % is passed as a fraction instead, so
it cannot be mistaken for a rate already.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast
from sqlmodel import Session, select

from workbench.engagements.models import Engagement
from workbench.indicators.models import Indicator
from workbench.scoring.sources import NO_INPUTS, LeafInputs, leaf_provider, provider
from workbench.surveys.models import Survey
from workbench.surveys.statistics.cache import cached_compute
from workbench.surveys.statistics.service import METRICS, SurveyResult, metric

HUNDRED = Decimal(100)


def as_actual_value(percent: Decimal) -> Decimal:
    """A percentage as the calculator's actual value (see the module docstring)."""
    return percent if percent > 1 else percent / HUNDRED


def summary(*, title: str, metric: str, value: Decimal | None, n: int | None) -> str:
    """The figure as a sentence for the scoring page: 《问卷》满意率为 82.10%（有效样本 229 份）."""
    if value is None:
        return f"《{title}》尚无可计算{metric}的有效样本"
    unit = "%" if metric.startswith("满意率") else ""
    return f"《{title}》{metric}为 {value:.2f}{unit}（有效样本 {n or 0} 份）"


def _is_link(link: Any) -> bool:
    return isinstance(link, dict) and bool(link.get("survey_id"))


def _entry(
    db: Session, engagement: Engagement, link: dict, results: dict[int, SurveyResult | None]
) -> LeafInputs | None:
    """One linked leaf's input; `results` caches each survey's figures across leaves."""
    survey_id = int(link["survey_id"])
    if survey_id not in results:
        survey = db.get(Survey, survey_id)
        ok = survey is not None and survey.engagement_id == engagement.id
        results[survey_id] = cached_compute(db, survey) if ok else None
    result = results[survey_id]
    if result is None:
        return None
    name = link.get("metric") or "rate"
    value, n = metric(result, metric=name, item=link.get("item"), group=link.get("group"))
    label = METRICS.get(name, name)
    figure = {
        "title": result.survey.title,
        "metric": label,
        "n": n,
        "value": None if value is None else f"{value:.2f}",
        "summary": summary(title=result.survey.title, metric=label, value=value, n=n),
    }
    actual = None if value is None else as_actual_value(value)
    return LeafInputs(actual_value=actual, survey=figure)


@provider
def survey_metrics(db: Session, engagement: Engagement) -> dict[int, LeafInputs]:
    """Linked leaves → LeafInputs(actual_value=Decimal, survey={title, metric, n, value, summary})."""
    # Two columns, not whole rows: only the links matter here.
    rows = db.exec(
        select(Indicator.id, Indicator.survey_link).where(
            Indicator.engagement_id == engagement.id,
            # A leaf without a link holds JSON null (the column keeps None as "null").
            cast(Indicator.survey_link, String) != "null",
        )
    ).all()
    linked = [(indicator_id, link) for indicator_id, link in rows if _is_link(link)]
    results: dict[int, SurveyResult | None] = {}
    found: dict[int, LeafInputs] = {}
    for indicator_id, link in linked:
        entry = _entry(db, engagement, link, results)
        if entry is not None:
            found[indicator_id] = entry
    return found


@leaf_provider(survey_metrics)
def survey_metric_of(db: Session, engagement: Engagement, indicator: Indicator) -> LeafInputs:
    """The leaf page's one leaf: no query at all when it is not linked to a survey."""
    link = indicator.survey_link
    return (_entry(db, engagement, link, {}) or NO_INPUTS) if _is_link(link) else NO_INPUTS
