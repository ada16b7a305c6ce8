"""A scored leaf (the scoring engine's row and the other domains' inputs) → prose.ScoreFacts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from workbench.reports.prose import FindingFact, ScoreFacts, SurveyFact
from workbench.scoring.sources import LeafInputs


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _finding(data: dict) -> FindingFact:
    element = data.get("element")
    return FindingFact(
        text=str(data.get("text") or ""),
        points=_decimal(data.get("amount")),
        paper_index=str(data.get("paper_index") or ""),
        kind=str(data.get("kind") or ""),
        element=int(element) if element not in (None, "") else None,
    )


def _survey(data: Any) -> SurveyFact | None:
    if not isinstance(data, dict) or not data.get("title"):
        return None
    return SurveyFact(
        title=str(data["title"]),
        metric=str(data.get("metric") or "满意度"),
        n=int(data.get("n") or 0),
        value=_decimal(data.get("value")),
    )


def score_facts(indicator: Any, leaf: Any, result: Any, inputs: LeafInputs) -> ScoreFacts:
    """The scoring page's row (`scoring.services.ScoreRow` parts) as plain facts for a sentence."""
    points = [line.strip() for line in (indicator.points or "").splitlines() if line.strip()]
    return ScoreFacts(
        rule=result.rule,
        weight=indicator.weight,
        score=result.score,
        target=leaf.target or "",
        actual=leaf.actual or "",
        params=leaf.params or "",
        actual_value=leaf.actual_value,
        elements=tuple(leaf.elements or ()),
        element_names=tuple(points),
        deductions=leaf.deductions,
        findings=tuple(_finding(f) for f in inputs.findings if isinstance(f, dict)),
        expert_scores=tuple(leaf.expert_scores or ()),
        qualitative=leaf.qualitative,
        survey=_survey(inputs.survey),
        justification=indicator.justification or "",
        error=result.error or "",
        error_field=result.error_field or "",
        dispersion=result.dispersion,
        dispersion_flag=result.dispersion_flag,
        not_applicable=result.not_applicable,
        na_reason=result.na_reason or indicator.na_reason or "",
    )
