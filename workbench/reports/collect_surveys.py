"""The survey appendix's inputs: every survey of the engagement from the surveys domain's summary,
the indicators linked to each, and the approved plan's sample."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workbench.reports.models import ReportSetting
from workbench.reports.survey_appendix import AppendixSurvey, PlannedSample, SurveyItem
from workbench.surveys.sampling import sample_size, z_for


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _item(data: dict, name: str = "") -> SurveyItem:
    return SurveyItem(
        name=str(data.get("question") or data.get("name") or name),
        n=int(data.get("n") or 0),
        rate=_decimal(data.get("rate")),
        score_index=_decimal(data.get("score_index")),
        ci_low=_decimal(data.get("ci_low")),
        ci_high=_decimal(data.get("ci_high")),
    )


def appendix_surveys(data: dict | None, indicators: list) -> list[AppendixSurvey]:
    """`surveys.services.report_summary(...)["surveys"]` → one AppendixSurvey per survey."""
    linked: dict[int, list[str]] = {}
    for indicator in indicators:
        link = indicator.survey_link or {}
        if isinstance(link, dict) and link.get("survey_id"):
            linked.setdefault(int(link["survey_id"]), []).append(indicator.name)
    out = []
    for s in (data or {}).get("surveys") or []:
        alpha_n = s.get("alpha_n")
        out.append(
            AppendixSurvey(
                title=str(s.get("title") or ""),
                collected=int(s.get("collected") or 0),
                valid=int(s.get("valid") or 0),
                population=str(s.get("respondents") or ""),
                method=str(s.get("method") or "问卷调查"),
                validity_rate=_decimal(s.get("validity_rate")),
                required=int(s["required_sample"]) if s.get("required_sample") else None,
                alpha=_decimal(s.get("cronbach_alpha")),
                alpha_n=int(alpha_n) if alpha_n is not None else None,
                indicators=linked.get(int(s.get("id") or 0), []),
                items=[_item(i) for i in s.get("items") or [] if isinstance(i, dict)],
                overall=_item(s.get("overall") or {}, "总体"),
                notes=[str(n) for n in s.get("notes") or []],
            )
        )
    return out


def planned_sample(row: ReportSetting | None) -> PlannedSample | None:
    """The plan's sample (its saved settings), None until the plan's sample is set."""
    if row is None:
        return None
    # z to 2 places, as the plan prints and computes it (context_plan.sample_plan)
    z = Decimal(str(z_for(row.confidence))).quantize(Decimal("0.01"), ROUND_HALF_UP)
    required = sample_size(
        margin=row.margin, proportion=row.proportion, z=float(z), population=row.population
    )
    return PlannedSample(required=required, issued=row.target)
