"""One function per scoring rule: the leaf score and a one-line explanation of the arithmetic. (pure)

Pure. Scores are Decimal, rounded half-up to 2 places and clamped to [0, weight].
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from workbench.scoring.params import (
    DEFAULT_LEVELS,
    BandsParams,
    LinearParams,
    QualitativeLevel,
    RatioParams,
    SatisfactionParams,
    check_level_fraction,
    check_shares,
    find_level,
)
from workbench.scoring.values import (
    ParamError,
    clean,
    format_percent,
    plain,
    q2,
)

ZERO = Decimal(0)
ONE = Decimal(1)
# Expert scores whose coefficient of variation exceeds this are flagged for the project lead.
DEFAULT_CV_LIMIT = Decimal("0.2")
# A trimmed mean drops one highest and one lowest score only from this many experts up.
TRIM_MIN_EXPERTS = 5
# A leaf can never weigh more than the whole 100-point system.
MAX_WEIGHT = Decimal(100)
# Explanations list each expert's score up to this panel size, then only the sum.
LISTED_SCORES = 7
_SHOWN = Decimal("0.0001")
# A dispersion flag needs no 28-digit square root; 12 digits keeps large panels fast.
_CV_CONTEXT = Context(prec=12, rounding=ROUND_HALF_UP)
_OP_SHOWN = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
_TRUE = {"是", "y", "yes", "1", "true", "t", "√", "✓", "✔", "有", "对"}
_FALSE = {"否", "n", "no", "0", "false", "f", "×", "✗", "✘", "无", "错"}


@dataclass(slots=True)
class RuleScore:
    """A leaf score with its explanation; dispersion only for expert scores."""

    score: Decimal
    explanation: str
    raw: Decimal
    dispersion: Decimal | None = None
    dispersion_flag: bool = False


def _shown(value: Decimal) -> tuple[str, bool]:
    """(text with at most 4 decimals, whether that text is exact)."""
    try:
        rounded = value.quantize(_SHOWN, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # too many digits to quantize: show it as it is
        return plain(value), True
    # A value quantized to 4 places never prints in exponent form, and str() is the fast path.
    text = str(rounded)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text), rounded == value


def show(value: Decimal) -> str:
    """A number for an explanation: at most 4 decimals, no trailing zeros."""
    return _shown(value)[0]


def _eq(value: Decimal) -> str:
    """'= 3.3375' when exact to 4 decimals, '≈ 5.8772' otherwise."""
    text, exact = _shown(value)
    return f"{'=' if exact else '≈'} {text}"


def _pct_or_plain(value: Decimal, percent: bool) -> str:
    return format_percent(value) if percent else show(value)


def finish(
    weight: Decimal, raw: Decimal, arithmetic: str, *, suffix: str = "", **extra
) -> RuleScore:
    """Clamp to [0, weight], round half-up and write '<arithmetic> = raw → score<suffix>'."""
    if raw > weight:
        clamped, note = weight, f"，超过分值按{show(weight)}计"
    elif raw < 0:
        clamped, note = ZERO, "，低于0按0计"
    else:
        clamped, note = raw, ""
    score = q2(clamped)
    return RuleScore(score, f"{arithmetic} {_eq(raw)}{note} → {score:.2f}{suffix}", raw, **extra)


def _full_or_zero(weight: Decimal, why: str, *, full: bool) -> RuleScore:
    score = q2(weight) if full else q2(ZERO)
    return RuleScore(score, f"{why} → {score:.2f}", weight if full else ZERO)


def _check_weight(weight: Decimal) -> None:
    if not 0 < weight <= MAX_WEIGHT:
        raise ParamError(f"分值应大于0且不超过100，当前为{show(weight)}", field="weight")


def score_ratio(
    *, weight: Decimal, target: Decimal, actual: Decimal, params: RatioParams, percent: bool = False
) -> RuleScore:
    """正向比率: w × min(actual ÷ target, 1); 0 below the optional floor on the ratio."""
    _check_weight(weight)
    if target <= 0:
        raise ParamError(f"正向比率的目标值必须大于0，当前为{show(target)}", field="target")
    ratio = actual / target
    a, t = _pct_or_plain(actual, percent), _pct_or_plain(target, percent)
    if params.floor is not None and ratio < params.floor:
        why = f"{a} ÷ {t} {_eq(ratio)}，低于下限{format_percent(params.floor)}，不得分"
        return _full_or_zero(weight, why, full=False)
    return finish(weight, weight * min(ratio, ONE), f"{show(weight)} × min({a} ÷ {t}, 1)")


def score_inverse_ratio(
    *, weight: Decimal, target: Decimal, actual: Decimal, params: RatioParams, percent: bool = False
) -> RuleScore:
    """反向比率 (lower is better): w × min(target ÷ actual, 1); 0 below the optional floor."""
    _check_weight(weight)
    if target < 0:
        raise ParamError(f"反向比率的目标值不能为负数，当前为{show(target)}", field="target")
    a, t = _pct_or_plain(actual, percent), _pct_or_plain(target, percent)
    if actual <= 0:
        return _full_or_zero(weight, f"实际值{a}不高于0，优于目标{t}，得满分", full=True)
    ratio = target / actual
    if params.floor is not None and ratio < params.floor:
        why = f"{t} ÷ {a} {_eq(ratio)}，低于下限{format_percent(params.floor)}，不得分"
        return _full_or_zero(weight, why, full=False)
    return finish(weight, weight * min(ratio, ONE), f"{show(weight)} × min({t} ÷ {a}, 1)")


def score_linear(
    *,
    weight: Decimal,
    target: Decimal,
    actual: Decimal,
    params: LinearParams,
    lower_is_better: bool = False,
    percent: bool = False,
) -> RuleScore:
    """线性扣减: each `per` of shortfall (continuous) deducts `deduct` of w; 0 at or past `zero`."""
    _check_weight(weight)
    a, t = _pct_or_plain(actual, percent), _pct_or_plain(target, percent)
    if params.zero is not None:
        z = _pct_or_plain(params.zero, percent)
        if not lower_is_better and actual <= params.zero:
            return _full_or_zero(weight, f"实际值{a} ≤ 零分线{z}，不得分", full=False)
        if lower_is_better and actual >= params.zero:
            return _full_or_zero(weight, f"实际值{a} ≥ 零分线{z}，不得分", full=False)
    shortfall = actual - target if lower_is_better else target - actual
    if shortfall <= 0:
        relation = "≤" if lower_is_better else "≥"
        return _full_or_zero(weight, f"实际值{a} {relation} 目标值{t}，得满分", full=True)
    steps = shortfall / params.per
    deducted = steps * params.deduct
    gap = f"({a} − {t})" if lower_is_better else f"({t} − {a})"
    per = _pct_or_plain(params.per, percent)
    head = f"差距{gap} ÷ {per} {_eq(steps)}步"
    if deducted >= ONE:
        why = f"{head}，扣减{show(steps)} × {format_percent(params.deduct)} ≥ 100%，不得分"
        return _full_or_zero(weight, why, full=False)
    arithmetic = f"{head}；{show(weight)} × (1 − {show(steps)} × {format_percent(params.deduct)})"
    return finish(weight, weight * (ONE - deducted), arithmetic)


def _band_holds(op: str, value: Decimal, bound: Decimal) -> bool:
    if op == ">=":
        return value >= bound
    if op == ">":
        return value > bound
    if op == "<=":
        return value <= bound
    return value < bound


def score_bands(
    *, weight: Decimal, actual: Decimal, params: BandsParams, percent: bool = False
) -> RuleScore:
    """分档: the fraction of w of the first band the value falls in, else `otherwise` (0)."""
    _check_weight(weight)
    a = _pct_or_plain(actual, percent)
    for band in params.bands:
        if _band_holds(band.op, actual, band.bound):
            bound = _pct_or_plain(band.bound, percent)
            why = f"{a} {_OP_SHOWN[band.op]} {bound}，得{format_percent(band.fraction)}"
            return finish(
                weight, weight * band.fraction, f"{why}；{show(weight)} × {show(band.fraction)}"
            )
    fraction = params.otherwise if params.otherwise is not None else ZERO
    why = f"{a} 不在任何分档内，得{format_percent(fraction)}"
    return finish(weight, weight * fraction, f"{why}；{show(weight)} × {show(fraction)}")


def score_elements(
    *, weight: Decimal, items: Sequence[tuple[Decimal, Decimal | None]]
) -> RuleScore:
    """要素计分: w × Σ share × met; shares must sum to 1 and each met lie in [0, 1]."""
    _check_weight(weight)
    if not items:
        raise ParamError("要素计分没有评价要点")
    if all(met is None for _, met in items):
        raise ParamError("评价要点均未评定达成度，未评分")
    for number, (share, met) in enumerate(items, start=1):
        if share <= 0:
            raise ParamError(f"第{number}个要点的占比必须大于0")
        if met is None:
            raise ParamError(f"第{number}个要点尚未评定达成度（格式 占比:达成度）")
        if not 0 <= met <= 1:
            raise ParamError(f"第{number}个要点的达成度{show(met)}应在0到1之间")
    check_shares(share for share, _ in items)
    fraction = sum((share * met for share, met in items), ZERO)
    terms = " + ".join(f"{format_percent(share)}×{show(met)}" for share, met in items)
    return finish(weight, weight * fraction, f"{show(weight)} × ({terms})")


def score_qualitative(
    *,
    weight: Decimal,
    level: str,
    fraction: Decimal | None = None,
    levels: tuple[QualitativeLevel, ...] = DEFAULT_LEVELS,
) -> RuleScore:
    """定性分档: w × the fraction chosen inside the level's range (the level default when none)."""
    _check_weight(weight)
    found = find_level(level, levels)
    if fraction is None:
        fraction = found.default
    else:
        check_level_fraction(found, fraction)
    why = f"{found.name}{found.range_text()}取{show(fraction)}"
    return finish(weight, weight * fraction, f"{why}；{show(weight)} × {show(fraction)}")


def score_deduction(*, weight: Decimal, points: Sequence[Decimal]) -> RuleScore:
    """扣分: w − Σ deductions, never below 0."""
    _check_weight(weight)
    for point in points:
        if point < 0:
            raise ParamError(f"扣分{show(point)}不能为负数")
    if not points:
        return finish(weight, weight, "无扣分")
    total = sum(points, ZERO)
    terms = " − ".join(show(point) for point in points)
    return finish(weight, weight - total, f"{show(weight)} − {terms}")


def parse_boolean(text: object) -> bool:
    """是/否, Y/N, 1/0, true/false (and 有/无, √/×) as a bool; ParamError otherwise."""
    token = clean(text).lower()
    if token in _TRUE:
        return True
    if token in _FALSE:
        return False
    raise ParamError(f"“{text}”不是是/否，请填写 是、否、Y、N、1 或 0", field="actual")


def score_boolean(*, weight: Decimal, value: bool) -> RuleScore:
    """是否: w when met, else 0."""
    _check_weight(weight)
    return _full_or_zero(weight, "是，得满分" if value else "否，不得分", full=value)


def _listed(values: Sequence[Decimal], total: Decimal) -> str:
    """'(2.5 + 2.8 + 2.6)' for a few scores, just their sum for a large panel."""
    if len(values) <= LISTED_SCORES:
        return f"({' + '.join(show(v) for v in values)})"
    return f"合计{show(total)}"


def score_expert(
    *,
    weight: Decimal,
    scores: Sequence[Decimal],
    agg: str = "mean",
    cv_limit: Decimal = DEFAULT_CV_LIMIT,
) -> RuleScore:
    """专家打分: mean, trimmed mean (≥5 experts) or median; flags dispersion over cv_limit."""
    _check_weight(weight)
    n = len(scores)
    if not n:
        raise ParamError("还没有专家打分")
    ordered = sorted(scores)
    low, high = ordered[0], ordered[-1]
    if low < 0 or high > weight:
        raise ParamError(f"专家打分{show(low if low < 0 else high)}超出范围0–{show(weight)}")
    total = sum(ordered, ZERO)
    if agg == "median":
        middle = n // 2
        value = ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        arithmetic = f"{n}位专家打分{_listed(ordered, total)}的中位数"
    elif agg == "trimmed" and n >= TRIM_MIN_EXPERTS:
        kept = total - high - low
        value = kept / (n - 2)
        arithmetic = (
            f"{n}位专家去掉最高{show(high)}、最低{show(low)}后平均 "
            f"{_listed(ordered[1:-1], kept)} ÷ {n - 2}"
        )
    elif agg in ("mean", "trimmed"):
        value = total / n
        few = f"不足{TRIM_MIN_EXPERTS}位专家不去极值，" if agg == "trimmed" else ""
        arithmetic = f"{few}{n}位专家平均 {_listed(scores, total)} ÷ {n}"
    else:
        raise ParamError(f"汇总方式“{agg}”应为 mean、trimmed 或 median")
    dispersion = coefficient_of_variation(ordered, total)
    if dispersion is None:
        return finish(weight, value, arithmetic)
    flag = dispersion > cv_limit
    suffix = f"（变异系数{plain(q2(dispersion.scaleb(2)))}%{'，分歧较大' if flag else ''}）"
    return finish(
        weight, value, arithmetic, suffix=suffix, dispersion=dispersion, dispersion_flag=flag
    )


def coefficient_of_variation(scores: Sequence[Decimal], total: Decimal | None = None):
    """Sample standard deviation ÷ mean; None with fewer than 2 experts, 0 when all score 0."""
    n = len(scores)
    if n < 2:
        return None
    total = sum(scores, ZERO) if total is None else total
    if total == 0:
        return ZERO
    squares = sum(map(operator.mul, scores, scores), ZERO)
    variance = (squares - total * total / n) / (n - 1)
    return max(variance, ZERO).sqrt(context=_CV_CONTEXT) * n / total


def score_manual(*, weight: Decimal, score: Decimal) -> RuleScore:
    """手工: the entered score, which must lie in [0, weight]."""
    _check_weight(weight)
    if not 0 <= score <= weight:
        raise ParamError(f"手工得分{show(score)}超出范围0–{show(weight)}", field="score")
    rounded = q2(score)
    return RuleScore(rounded, f"手工评定 → {rounded:.2f}", score)


def score_satisfaction(
    *,
    weight: Decimal,
    actual: Decimal,
    params: SatisfactionParams,
    target: Decimal | None = None,
    percent: bool = True,
) -> RuleScore:
    """满意度: the survey value scored by the chosen method (ratio, linear or bands)."""
    _check_weight(weight)
    prefix = f"满意度{_pct_or_plain(actual, percent)}："
    inner = params.inner
    if isinstance(inner, BandsParams):
        result = score_bands(weight=weight, actual=actual, params=inner, percent=percent)
    else:
        if target is None:
            raise ParamError("满意度按比率或线性扣减计分时须填写目标值", field="target")
        if isinstance(inner, LinearParams):
            result = score_linear(
                weight=weight, target=target, actual=actual, params=inner, percent=percent
            )
        else:
            result = score_ratio(
                weight=weight, target=target, actual=actual, params=inner, percent=percent
            )
    return RuleScore(result.score, prefix + result.explanation, result.raw)
