"""Score input: a satisfaction leaf linked to a survey takes that survey's figure as actual value.

The value follows the answers and the validity filters, so the score updates whenever either
changes. A figure is a percentage (82.50 for 82.50 %), which the calculator reads as a rate
(scoring/calculator.py `_as_rate`); a figure of at most 1 % is passed as a fraction instead, so
it cannot be mistaken for a rate already.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from workbench.engagements.models import Engagement
from workbench.indicators.models import Indicator
from workbench.scoring.sources import provider
from workbench.surveys.models import Survey
from workbench.surveys.stats_service import METRICS, SurveyResult, compute, metric

HUNDRED = Decimal(100)


def as_actual_value(percent: Decimal) -> Decimal:
    """A percentage as the calculator's actual value (see the module docstring)."""
    return percent if percent > 1 else percent / HUNDRED


@provider
def survey_metrics(db: Session, engagement: Engagement) -> dict[int, dict[str, Any]]:
    """Linked leaves → {"actual_value": Decimal, "survey": {title, metric, n}}."""
    linked = [
        i
        for i in db.exec(select(Indicator).where(Indicator.engagement_id == engagement.id)).all()
        if isinstance(i.survey_link, dict) and i.survey_link.get("survey_id")
    ]
    if not linked:
        return {}
    results: dict[int, SurveyResult | None] = {}
    found: dict[int, dict[str, Any]] = {}
    for indicator in linked:
        link = indicator.survey_link
        survey_id = int(link["survey_id"])
        if survey_id not in results:
            survey = db.get(Survey, survey_id)
            ok = survey is not None and survey.engagement_id == engagement.id
            results[survey_id] = compute(db, survey, crosstabs=False) if ok else None
        result = results[survey_id]
        if result is None:
            continue
        name = link.get("metric") or "rate"
        value, n = metric(result, metric=name, item=link.get("item"), group=link.get("group"))
        entry: dict[str, Any] = {
            "survey": {
                "title": result.survey.title,
                "metric": METRICS.get(name, name),
                "n": n,
                "value": None if value is None else f"{value:.2f}",
            }
        }
        if value is not None:
            entry["actual_value"] = as_actual_value(value)
        found[indicator.id] = entry
    return found
