"""The survey inputs from the surveys domain's summary: the primary survey's section, and for the
appendix every survey of the engagement, the indicators linked to each, and the plan's sample."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workbench.reports.context import SurveyRow, SurveySummary
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


def _row(data: dict, name: str = "") -> SurveyRow:
    return SurveyRow(
        name=str(data.get("name") or data.get("question") or name),
        n=int(data.get("n") or 0),
        rate=_decimal(data.get("rate")),
        score_index=_decimal(data.get("score_index")),
        ci_low=_decimal(data.get("ci_low")),
        ci_high=_decimal(data.get("ci_high")),
    )


def survey_from_summary(data: dict | None) -> SurveySummary | None:
    """The surveys domain's `report_summary` dict → SurveySummary (None when nothing collected).

    Expected keys (extra keys ignored): collected, valid, validity_rate, cronbach_alpha (or
    alpha), items: [{question|name, n, rate, score_index, ci_low, ci_high, distribution:
    [{option, count}]}], overall: {n, rate, score_index, ci_low, ci_high}, and optionally
    population, method, sample_target, notes.
    """
    if not data or not int(data.get("collected") or 0):
        return None
    items = [i for i in data.get("items") or [] if isinstance(i, dict)]
    levels: list[str] = []
    counts: list[list[int]] = []
    for item in items:
        dist = item.get("distribution") or []
        names = [str(d.get("option")) for d in dist]
        if names and (not levels or names == levels):
            levels = names
            counts.append([int(d.get("count") or 0) for d in dist])
    if len(counts) != len(items):
        levels, counts = [], []
    overall = data.get("overall") or {}
    return SurveySummary(
        collected=int(data.get("collected") or 0),
        valid=int(data.get("valid") or 0),
        rows=[_row(i) for i in items],
        overall=_row(overall, "总体满意度") if isinstance(overall, dict) else _row({}, "总体"),
        validity_rate=_decimal(data.get("validity_rate")),
        alpha=_decimal(data.get("cronbach_alpha", data.get("alpha"))),
        population=str(data.get("population") or "服务对象"),
        method=str(data.get("method") or "问卷调查"),
        sample_target=int(data["sample_target"]) if data.get("sample_target") else None,
        notes=[str(n) for n in data.get("notes") or []],
        levels=levels,
        counts=counts,
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
        spread = s.get("distribution") or {}
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
                chart_items=[str(i) for i in spread.get("items") or []],
                levels=[str(level) for level in spread.get("levels") or []],
                counts=[[int(c) for c in row] for row in spread.get("counts") or []],
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
