"""附件2 满意度调查统计: every survey that drives an indicator, each with its own figures (pure).

A survey is listed when an indicator is linked to it, or when it collected answers; for each the
appendix states the valid n against the planned n, the response and validity rates, the indicators
it drives and Cronbach's α with what α means for that survey.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# Cronbach's α bands (lower bounds inclusive) as commonly read in survey practice. DOMAIN.md
# names no bands; the issue fixes 0.6 as the floor below which a warning is printed.
ALPHA_BANDS = (
    (Decimal("0.9"), "信度很高"),
    (Decimal("0.8"), "信度良好"),
    (Decimal("0.7"), "信度较好"),
    (Decimal("0.6"), "信度尚可"),
)
ALPHA_FLOOR = Decimal("0.6")
# Below this many complete answers α is too unstable to be called good or bad.
ALPHA_MIN_N = 30


@dataclass
class SurveyItem:
    name: str
    n: int
    rate: Decimal | None
    score_index: Decimal | None
    ci_low: Decimal | None = None
    ci_high: Decimal | None = None


@dataclass
class AppendixSurvey:
    """One survey's figures as the surveys domain reports them, and the indicators it drives."""

    title: str
    collected: int
    valid: int
    population: str = ""
    method: str = "问卷调查"
    validity_rate: Decimal | None = None
    required: int | None = None  # the survey's own sample design: valid answers needed
    alpha: Decimal | None = None
    alpha_n: int | None = None  # complete answers α was computed on
    indicators: list[str] = field(default_factory=list)
    items: list[SurveyItem] = field(default_factory=list)
    overall: SurveyItem | None = None
    notes: list[str] = field(default_factory=list)
    # The answers per level of the items sharing one option list (the survey's chart).
    chart_items: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    counts: list[list[int]] = field(default_factory=list)


@dataclass
class PlannedSample:
    """The approved plan's sample: valid answers needed and questionnaires to issue."""

    required: int | None = None
    issued: int | None = None


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}%"


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) * HUNDRED / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def alpha_text(alpha: Decimal | None, n: int) -> tuple[str, str]:
    """(the α sentence, a warning or ''): never 信度良好 on a handful of answers."""
    if alpha is None:
        return ("该问卷未能计算信度系数（需至少2道量表题和2份完整答卷）。", "")
    shown = f"{alpha.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"
    head = f"满意度量表的信度系数（Cronbach's α）为{shown}"
    if alpha < 0:
        return (
            f"{head}。",
            "信度系数为负值，说明各题得分之间缺乏一致性（题目方向或答卷质量存在问题），"
            "该问卷结果不能反映一致的满意程度，相关结论仅作参考，已在评分中予以说明。",
        )
    if n < ALPHA_MIN_N:
        return (
            f"{head}，计算所依据的完整答卷仅{n}份（少于{ALPHA_MIN_N}份），"
            "样本过小，该系数不足以判断信度。",
            "",
        )
    if alpha < ALPHA_FLOOR:
        return (
            f"{head}。",
            f"信度系数低于{ALPHA_FLOOR}，该问卷结果的内部一致性不足，"
            "相关结论仅作参考，已在评分中予以说明。",
        )
    meaning = next(name for lower, name in ALPHA_BANDS if alpha >= lower)
    return (f"{head}，{meaning}，问卷结果的内部一致性可以接受。", "")


def _sample_text(s: AppendixSurvey, plan: PlannedSample | None) -> str:
    """Valid n against the planned n (the survey's own design, else the approved plan's)."""
    plan = plan or PlannedSample()
    required = s.required or plan.required
    parts = []
    if required:
        source = "该问卷抽样方案" if s.required else "评价方案"
        also = ""
        if s.required and plan.required and plan.required != s.required:
            also = f"（评价方案为{plan.required:,}份）"
        reached = "达到" if s.valid >= required else "未达到"
        parts.append(
            f"{source}确定的计划有效样本量为{required:,}份{also}，实际有效问卷{s.valid:,}份，"
            f"为计划的{_pct(_share(s.valid, required))}，{reached}计划样本量"
        )
    else:
        parts.append(f"未设定计划样本量，实际有效问卷{s.valid:,}份")
    if plan.issued:
        rate = _pct(_share(s.collected, plan.issued))
        parts.append(f"计划发放问卷{plan.issued:,}份，回收{s.collected:,}份，回收率{rate}")
    else:
        parts.append(f"共回收问卷{s.collected:,}份")
    if s.validity_rate is not None:
        parts.append(f"有效率{_pct(s.validity_rate)}")
    return "，".join(parts) + "。"


def _row(item: SurveyItem) -> dict:
    ci = f"{_pct(item.ci_low)}～{_pct(item.ci_high)}" if item.ci_low is not None else ""
    score = "" if item.score_index is None else f"{item.score_index:.2f}"
    return {"name": item.name, "n": str(item.n), "rate": _pct(item.rate), "score_index": score,
            "ci": ci}  # fmt: skip


def survey_entry(s: AppendixSurvey, plan: PlannedSample | None) -> dict:
    """One survey's paragraphs and table for the template."""
    who = f"调查对象为{s.population}，" if s.population else ""
    drives = (
        "，用于" + "、".join(f"“{name}”" for name in s.indicators) + "指标的评分"
        if s.indicators
        else "，未关联评价指标，结果仅作参考"
    )
    intro = f"{who}调查方式为{s.method}{drives}。{_sample_text(s, plan)}"
    reliability, warning = alpha_text(s.alpha, s.alpha_n if s.alpha_n is not None else s.valid)
    return {
        "title": s.title,
        "intro": intro,
        "reliability": reliability,
        "warning": warning,
        "rows": [_row(i) for i in s.items],
        "overall": _row(s.overall) if s.overall else None,
        "notes": list(s.notes),
    }


def appendix_context(surveys: list[AppendixSurvey], plan: PlannedSample | None) -> dict:
    """{surveys: [...]} ordered: surveys that drive indicators first."""
    ordered = [s for s in surveys if s.indicators] + [s for s in surveys if not s.indicators]
    listed = [s for s in ordered if s.indicators or s.collected]
    return {"surveys": [survey_entry(s, plan) for s in listed]}
