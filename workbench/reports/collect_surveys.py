"""The survey inputs from the surveys domain's summary: the primary survey's section, and for the
appendix every survey of the engagement, the indicators linked to each, and the plan's sample."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from workbench.reports.context import SurveyRow, SurveySummary
from workbench.reports.models import ReportSetting
from workbench.reports.survey_appendix import AppendixSurvey, PlannedSample, SurveyItem
from workbench.surveys.services import SummaryItem, sample_size, z_for
from workbench.surveys.services import SurveySummary as SurveyFigures


def _row(item: SummaryItem, name: str = "") -> SurveyRow:
    return SurveyRow(
        name=name or item.name,
        n=item.n,
        rate=item.rate,
        score_index=item.score_index,
        ci_low=item.ci_low,
        ci_high=item.ci_high,
    )


def _item(item: SummaryItem, name: str = "") -> SurveyItem:
    return SurveyItem(
        name=name or item.name,
        n=item.n,
        rate=item.rate,
        score_index=item.score_index,
        ci_low=item.ci_low,
        ci_high=item.ci_high,
    )


def survey_from_summary(primary: SurveyFigures | None) -> SurveySummary | None:
    """The primary survey of the surveys domain's summary → the report's survey section (None
    when nothing was collected)."""
    if primary is None or not primary.collected:
        return None
    levels: list[str] = []
    counts: list[list[int]] = []
    for item in primary.items:
        names = [option for option, _count in item.distribution]
        if names and (not levels or names == levels):
            levels = names
            counts.append([count for _option, count in item.distribution])
    if len(counts) != len(primary.items):
        levels, counts = [], []
    return SurveySummary(
        collected=primary.collected,
        valid=primary.valid,
        rows=[_row(i) for i in primary.items],
        overall=_row(primary.overall, "总体满意度"),
        validity_rate=primary.validity_rate,
        alpha=primary.cronbach_alpha,
        population=primary.respondents or "服务对象",
        method=primary.method or "问卷调查",
        sample_target=primary.required_sample or None,
        notes=list(primary.notes),
        levels=levels,
        counts=counts,
    )


def appendix_surveys(surveys: Sequence[SurveyFigures], indicators: list) -> list[AppendixSurvey]:
    """Every survey of the engagement → one AppendixSurvey each, with the leaves linked to it."""
    linked: dict[int, list[str]] = {}
    for indicator in indicators:
        link = indicator.survey_link or {}
        if isinstance(link, dict) and link.get("survey_id"):
            linked.setdefault(int(link["survey_id"]), []).append(indicator.name)
    return [
        AppendixSurvey(
            title=s.title,
            collected=s.collected,
            valid=s.valid,
            population=s.respondents or "",
            method=s.method or "问卷调查",
            validity_rate=s.validity_rate,
            required=s.required_sample or None,
            alpha=s.cronbach_alpha,
            alpha_n=s.alpha_n,
            indicators=linked.get(s.id, []),
            items=[_item(i) for i in s.items],
            overall=_item(s.overall, "总体"),
            notes=list(s.notes),
            chart_items=list(s.chart_items),
            levels=list(s.levels),
            counts=[list(row) for row in s.counts],
        )
        for s in surveys
    ]


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
