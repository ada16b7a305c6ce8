"""Survey figures: the stats API body (a dict, as the API writes it) and the report's typed
summary of an engagement's surveys (`report_summary` → `EngagementSurveys`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from workbench.engagements.models import Engagement
from workbench.surveys.collection.responses import rules_summary
from workbench.surveys.collection.sample_plan import required_sample
from workbench.surveys.design.surveys import list_surveys
from workbench.surveys.linking import linked_indicators
from workbench.surveys.models import CHANNEL_NAMES, Channel
from workbench.surveys.statistics.cache import cached_compute
from workbench.surveys.statistics.service import SurveyResult
from workbench.surveys.statistics.shapes import ItemStats


def s2(value: Decimal | None) -> str | None:
    """A figure as the API writes it: 2 places, or None."""
    return None if value is None else f"{value:.2f}"


def s4(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def q2(value: Decimal | None) -> Decimal | None:
    """A figure as the report prints it: rounded to 2 places, as the API writes it."""
    return None if value is None else Decimal(f"{value:.2f}")


@dataclass(frozen=True)
class SummaryItem:
    """One question's figures (or the overall ones, unnamed), with its answers per option."""

    name: str
    n: int
    rate: Decimal | None
    score_index: Decimal | None
    ci_low: Decimal | None = None
    ci_high: Decimal | None = None
    distribution: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class SurveySummary:
    """One survey's figures as the report reads them."""

    id: int
    title: str
    purpose: str
    respondents: str
    collected: int
    valid: int
    validity_rate: Decimal | None
    required_sample: int | None
    cronbach_alpha: Decimal | None
    alpha_n: int | None
    method: str
    notes: tuple[str, ...]
    items: tuple[SummaryItem, ...]  # the satisfaction items (every scored item when none is)
    overall: SummaryItem
    # The chart: the items sharing the most common option list, their counts per option.
    chart_items: tuple[str, ...]
    levels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class EngagementSurveys:
    """The report's view of an engagement's surveys: all of them, and the primary one."""

    surveys: tuple[SurveySummary, ...]
    primary: SurveySummary | None


def stats_body(result: SurveyResult) -> dict[str, Any]:
    """GET /api/v1/surveys/{sid}/stats: `{valid, collected, items, overall, cronbach_alpha}`."""
    stats = result.stats
    overall = stats.overall
    return {
        "survey_id": result.survey.id,
        "title": result.survey.title,
        "collected": stats.collected,
        "valid": stats.valid,
        "validity_rate": s2(stats.validity_rate),
        "top_k": result.survey.top_k,
        "items": [
            {
                "key": i.key,
                "question": i.question,
                "satisfaction_item": i.satisfaction_item,
                "n": i.n,
                "rate": s2(i.rate),
                "score_index": s2(i.score_index),
                "ci_low": s2(i.ci_low),
                "ci_high": s2(i.ci_high),
                "score_ci_low": s2(i.score_ci_low),
                "score_ci_high": s2(i.score_ci_high),
            }
            for i in stats.items
        ],
        "overall": {
            "n": overall.n,
            "answers": overall.answers,
            "rate": s2(overall.rate),
            "score_index": s2(overall.score_index),
            "pooled_rate": s2(overall.pooled_rate),
            "pooled_score_index": s2(overall.pooled_score_index),
        },
        "cronbach_alpha": s4(stats.cronbach_alpha),
        "alpha_n": stats.alpha_n,
    }


def report_items(result: SurveyResult) -> list[ItemStats]:
    """The satisfaction items (every scored item when none is marked)."""
    marked = [i for i in result.stats.items if i.satisfaction_item]
    return marked or list(result.stats.items)


def distribution(items: list[ItemStats]) -> dict[str, list]:
    """Counts per level for the items sharing the most common option list (the chart's data)."""
    if not items:
        return {"items": [], "levels": [], "counts": []}
    shapes = Counter(tuple(o.option for o in i.distribution) for i in items)
    levels = list(shapes.most_common(1)[0][0])
    same = [i for i in items if [o.option for o in i.distribution] == levels]
    return {
        "items": [i.question for i in same],
        "levels": levels,
        "counts": [[o.count for o in i.distribution] for i in same],
    }


def survey_summary(result: SurveyResult) -> SurveySummary:
    """One survey as the report reads it: figures to 2 places, α to 4."""
    stats, survey = result.stats, result.survey
    items = report_items(result)
    chart = distribution(items)
    overall = stats.overall
    return SurveySummary(
        id=survey.id,
        title=survey.title,
        purpose=survey.purpose,
        respondents=survey.respondents,
        collected=stats.collected,
        valid=stats.valid,
        validity_rate=q2(stats.validity_rate),
        required_sample=required_sample(survey),
        cronbach_alpha=None if stats.cronbach_alpha is None else Decimal(s4(stats.cronbach_alpha)),
        alpha_n=stats.alpha_n,
        method=_method(result),
        notes=tuple(_notes(result)),
        items=tuple(
            SummaryItem(
                name=i.question,
                n=i.n,
                rate=q2(i.rate),
                score_index=q2(i.score_index),
                ci_low=q2(i.ci_low),
                ci_high=q2(i.ci_high),
                distribution=tuple((o.option, o.count) for o in i.distribution),
            )
            for i in items
        ),
        overall=SummaryItem(
            name="", n=overall.n, rate=q2(overall.rate), score_index=q2(overall.score_index)
        ),
        chart_items=tuple(chart["items"]),
        levels=tuple(chart["levels"]),
        counts=tuple(tuple(row) for row in chart["counts"]),
    )


def _method(result: SurveyResult) -> str:
    names = [CHANNEL_NAMES[Channel(c)] for c in result.channels if c in Channel.__members__]
    return "问卷调查（" + "、".join(names) + "）" if names else "问卷调查"


def _notes(result: SurveyResult) -> list[str]:
    notes = []
    rules = rules_summary(result.survey)
    excluded = result.stats.collected - result.stats.valid
    if rules:
        notes.append("有效问卷筛选规则：剔除" + "、".join(rules) + f"的答卷，共剔除 {excluded} 份")
    elif excluded:
        notes.append(f"人工认定无效答卷 {excluded} 份")
    notes.append(f"满意率按前 {result.survey.top_k} 个满意等级计算，置信区间为 95% 水平")
    return notes


def report_summary(db: Session, engagement: Engagement) -> EngagementSurveys:
    """Every survey of the engagement, and the primary one: the first linked to an indicator,
    else the one with most valid answers (None while no survey has an answer)."""
    results = [cached_compute(db, s) for s in list_surveys(db, engagement)]
    summaries = tuple(survey_summary(r) for r in results)
    answered = [(r, s) for r, s in zip(results, summaries, strict=True) if r.stats.collected]
    if not answered:
        return EngagementSurveys(surveys=summaries, primary=None)
    linked = [(r, s) for r, s in answered if linked_indicators(db, engagement, r.survey)]
    primary = (linked or sorted(answered, key=lambda pair: -pair[0].stats.valid))[0]
    return EngagementSurveys(surveys=summaries, primary=primary[1])
