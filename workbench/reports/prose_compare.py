"""Sentences for rules that compare an actual value with a target: ratio, inverse ratio, linear,
bands and satisfaction (pure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from workbench.reports import prose_numbers as nums
from workbench.reports.prose_facts import ONE, ZERO, ScoreFacts, got, missing_actual, params_of
from workbench.scoring.params import BandsParams, LinearParams, RatioParams


@dataclass(frozen=True)
class _Pair:
    target: Decimal | None
    actual: Decimal
    target_text: str  # as written: 不低于52,000人
    target_plain: str  # for "为目标值52,000人的97.95%"
    actual_text: str
    percent: bool
    like: nums.ParsedValue | None


def _pair(facts: ScoreFacts, *, rates: bool = False) -> _Pair | None:
    """Target and actual as numbers and words; None when the actual value is missing."""
    target = nums.parsed(facts.target, field="target")
    typed = nums.parsed(facts.actual)
    like = typed or target
    if facts.actual_value is not None:
        actual = facts.actual_value
        if rates and 1 < actual <= 100:
            actual = actual / nums.HUNDRED
        percent = rates or bool(target and target.percent)
        actual_text = nums.same_kind(actual, like, as_percent=percent)
    elif typed is not None:
        actual, percent = typed.value, typed.percent or bool(target and target.percent)
        actual_text = nums.quantity(facts.actual)
    else:
        return None
    goal = target.value if target else None
    if rates and goal is not None and 1 < goal <= 100 and not target.percent:
        goal = goal / nums.HUNDRED
    written = nums.quantity(facts.target)
    plain = nums.quantity(facts.target, words=False)
    return _Pair(goal, actual, written, plain, actual_text, percent, like)


def _ratio_tail(facts: ScoreFacts, p: _Pair, params: RatioParams | None) -> str:
    if p.target is None or p.target <= 0:
        return "未设定有效的目标值，无法计算完成比例"
    ratio = p.actual / p.target
    if ratio >= 1:
        return f"达到目标值（{p.target_text}），{got(facts)}"
    head = f"为目标值{p.target_plain}的{nums.percent(ratio)}"
    if params is not None and params.floor is not None and ratio < params.floor:
        return f"{head}，低于{nums.share(params.floor)}的计分下限，不得分"
    return f"{head}，按完成比例折算{got(facts)}"


def _inverse_tail(facts: ScoreFacts, p: _Pair, params: RatioParams | None) -> str:
    if p.target is None:
        return "未设定目标值，无法比较"
    if p.actual <= p.target or p.actual <= 0:
        return f"未超过目标值（{p.target_text}），{got(facts)}"
    ratio = p.target / p.actual
    head = f"超过目标值（{p.target_text}），目标值与实际值之比为{nums.percent(ratio)}"
    if params is not None and params.floor is not None and ratio < params.floor:
        return f"{head}，低于{nums.share(params.floor)}的计分下限，不得分"
    return f"{head}，按该比例折算{got(facts)}"


def _linear_tail(facts: ScoreFacts, p: _Pair, params: LinearParams, lower: bool) -> str:
    if p.target is None:
        return "未设定目标值，无法计算差距"
    worse, better = ("高", "低") if lower else ("低", "高")
    if params.zero is not None and (
        (not lower and p.actual <= params.zero) or (lower and p.actual >= params.zero)
    ):
        zero = nums.same_kind(params.zero, p.like, as_percent=p.percent)
        return f"未{better}于{zero}的零分线，不得分"
    shortfall = p.actual - p.target if lower else p.target - p.actual
    if shortfall <= 0:
        return f"达到目标值（{p.target_text}），{got(facts)}"
    per = nums.gap(params.per, p.like, as_percent=p.percent)
    deducted = shortfall / params.per * params.deduct
    head = (
        f"较目标值{p.target_plain}{worse}{nums.gap(shortfall, p.like, as_percent=p.percent)}，"
        f"按每{worse}{per}扣分值的{nums.share(params.deduct)}计算"
    )
    if deducted >= ONE:
        return f"{head}，扣减达到分值的100%，不得分"
    return f"{head}，共扣减分值的{nums.share(deducted)}，{got(facts)}"


_HOLDS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}


def _bands_tail(facts: ScoreFacts, p: _Pair, params: BandsParams) -> str:
    for band in params.bands:
        if _HOLDS[band.op](p.actual, band.bound):
            bound = nums.same_kind(band.bound, p.like, as_percent=p.percent)
            where = f"处于“{nums.OP_WORDS[band.op]}{bound}”档次"
            if band.fraction >= 1:
                return f"{where}，{got(facts)}"
            return f"{where}，按分值的{nums.share(band.fraction)}{got(facts)}"
    otherwise = params.otherwise or ZERO
    if otherwise <= 0:
        return "未达到最低计分档次，不得分"
    return f"未达到最低计分档次，按分值的{nums.share(otherwise)}{got(facts)}"


def compared(facts: ScoreFacts, rule: str) -> str:
    params = params_of(facts, rule)
    p = _pair(facts)
    if p is None:
        return missing_actual(facts)
    head = f"实际值{p.actual_text}，"
    if rule == "ratio":
        return head + _ratio_tail(facts, p, params)
    if rule == "inverse_ratio":
        return head + _inverse_tail(facts, p, params)
    if rule == "bands":
        if not isinstance(params, BandsParams):
            return head + got(facts)
        return head + _bands_tail(facts, p, params)
    target = nums.parsed(facts.target, field="target")
    lower = bool(target and target.op in ("<=", "<"))
    if not isinstance(params, LinearParams):
        return head + got(facts)
    return head + _linear_tail(facts, p, params, lower)


def satisfaction(facts: ScoreFacts) -> str:
    params = params_of(facts, "satisfaction")
    inner = getattr(params, "inner", None)
    points = isinstance(inner, BandsParams) and any(b.bound > 1 for b in inner.bands)
    p = _pair(facts, rates=not points)
    survey = facts.survey
    if p is None:
        if survey is not None:
            return f"关联的“{survey.title}”尚无有效结果，该指标暂未计分。"
        return missing_actual(facts)
    shown = nums.number(p.actual) if points else nums.percent(p.actual)
    if survey is not None:
        head = f"根据“{survey.title}”（有效问卷{survey.n:,}份），{survey.metric}为{shown}，"
    else:
        head = f"满意度调查结果为{shown}，"
    if isinstance(inner, BandsParams):
        return head + _bands_tail(facts, p, inner)
    if isinstance(inner, LinearParams):
        return head + _linear_tail(facts, p, inner, lower=False)
    return head + _ratio_tail(facts, p, inner if isinstance(inner, RatioParams) else None)
