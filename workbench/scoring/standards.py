"""A leaf's 评分标准 in words, from its rule and parameters: what a plan prints (pure).

A plan is written before anything is scored, so these sentences state the rule only: the target,
the steps, the bands, the shares of the 评价要点. They never carry an actual value, a judged level,
an expert's score or a deduction found in fieldwork, even where the 参数 column already holds one.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from workbench.scoring.params import (
    DEFAULT_LEVELS,
    BandsParams,
    LinearParams,
    ParamError,
    QualitativeLevel,
    RatioParams,
    normalise_rule,
    parse_params,
    parse_value,
)
from workbench.scoring.values import format_number, format_percent

_OP_WORDS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# Rules that need parameters: the sentence used when those are missing or unreadable.
_WITHOUT_PARAMS = {
    "linear": "达到目标值得满分，未达到目标值的按差距线性扣减（扣分标准待定）",
    "bands": "按实际值所在档次计分（分档标准待定）",
    "elements": "按各评价要点的达成程度计分（要点占比待定）",
}


def plan_standard(
    *,
    written: str = "",
    rule: str = "",
    params: str = "",
    target: str = "",
    points: str = "",
    levels: tuple[QualitativeLevel, ...] = DEFAULT_LEVELS,
) -> str:
    """The written 评分标准 when there is one, else the rule's parameters in words."""
    text = (written or "").strip()
    if text:
        return text
    return rule_standard(rule=rule, params=params, target=target, points=points, levels=levels)


def rule_standard(
    *,
    rule: str = "",
    params: str = "",
    target: str = "",
    points: str = "",
    levels: tuple[QualitativeLevel, ...] = DEFAULT_LEVELS,
) -> str:
    """The 评分标准 sentence for a rule key (or its Chinese name) with its 参数 and 目标值."""
    key = _rule_key(rule, target)
    try:
        parsed = parse_params(key, params or "", levels) if key != "manual" else None
    except ParamError:
        return _WITHOUT_PARAMS.get(key) or _describe(key, None, target, points, levels)
    return _describe(key, parsed, target, points, levels)


def _rule_key(rule: str, target: str) -> str:
    """The rule key as the calculator resolves it: a blank rule follows ≥/≤ in the target."""
    if rule and rule.strip():
        try:
            return normalise_rule(rule)
        except ParamError:
            return "manual"
    op = _target_op(target)
    if op in (">=", ">", "="):
        return "ratio"
    if op in ("<=", "<"):
        return "inverse_ratio"
    return "manual"


def _target_op(target: str) -> str | None:
    try:
        return parse_value(target, field="target").op if (target or "").strip() else None
    except ParamError:
        return None


def _target_parts(target: str) -> tuple[str, bool, str]:
    """(the target without its ≥/≤, whether it is a rate, its unit); ('', False, '') when none."""
    try:
        value = parse_value(target, field="target") if (target or "").strip() else None
    except ParamError:
        value = None
    if value is None:
        return "", False, ""
    number = format_percent(value.value) if value.percent else format_number(value.value)
    return number + value.unit, value.percent, value.unit


def _goal(target: str) -> str:
    """'（目标值≥95%）' or '' without a target."""
    text = (target or "").strip()
    return f"（目标值{text}）" if text else ""


def _share(fraction: Decimal) -> str:
    if fraction >= 1:
        return "得满分"
    if fraction <= 0:
        return "不得分"
    return f"得分值的{format_percent(fraction)}"


def _amount(value: Decimal, percent: bool, unit: str = "") -> str:
    """A step: '1个百分点' for rates, the number with the target's unit otherwise."""
    if percent:
        return f"{format_number(value.scaleb(2))}个百分点"
    return format_number(value) + unit


def _bound(value: Decimal, percent: bool, unit: str = "") -> str:
    return format_percent(value) if percent else format_number(value) + unit


def _ratio(subject: str, params: RatioParams, target: str, *, inverse: bool) -> str:
    pair = f"目标值与{subject}之比" if inverse else f"{subject}与目标值之比"
    notes = ["数值越低越好"] if inverse else []
    if (target or "").strip():
        notes.append(f"目标值{target.strip()}")
    text = f"以{pair}乘以分值计分{'（' + '，'.join(notes) + '）' if notes else ''}，最高不超过分值"
    if params.floor is not None:
        text += f"；比值低于{format_percent(params.floor)}的不得分"
    return text


def _linear(subject: str, params: LinearParams, target: str) -> str:
    lower = _target_op(target) in ("<=", "<")
    goal, percent, unit = _target_parts(target)
    goal = f"目标值{goal}" if goal else "目标值"
    head = f"{subject}达到{goal}得满分" if not lower else f"{subject}不超过{goal}得满分"
    way = "每高出" if lower else "每低"
    text = (
        f"{head}；{way}{_amount(params.per, percent, unit)}扣分值的{format_percent(params.deduct)}，"
        "扣完为止"
    )
    if params.zero is not None:
        side = "不低于" if lower else "不高于"
        text += f"；{subject}{side}{_bound(params.zero, percent, unit)}的不得分"
    return text


def _bands(subject: str, params: BandsParams) -> str:
    # Bounds are rates (95% is 0.95) unless written in points; 1 is 100% among rates.
    rates = any(Decimal(0) < abs(band.bound) < 1 for band in params.bands)
    parts = []
    for band in params.bands:
        percent = rates and abs(band.bound) <= 1
        bound = _bound(band.bound, percent)
        parts.append(f"{subject}{_OP_WORDS[band.op]}{bound}{_share(band.fraction)}")
    rest = params.otherwise if params.otherwise is not None else Decimal(0)
    parts.append(f"其余{_share(rest)}")
    return "，".join(parts)


def _elements(shares: Sequence[Decimal], points: str) -> str:
    names = [line.strip() for line in (points or "").splitlines() if line.strip()]
    if len(names) == len(shares) and len(shares) <= len(_CIRCLED):
        listed = "；".join(
            f"{_CIRCLED[i]}{name}（占{format_percent(share)}）"
            for i, (name, share) in enumerate(zip(names, shares, strict=True))
        )
        return f"按评价要点计分：{listed}。各要点完全达到得该要点全部分值，部分达到酌情扣减"
    if len(set(shares)) == 1:
        split = f"共{len(shares)}个评价要点，各占分值的{format_percent(shares[0])}"
    else:
        split = f"共{len(shares)}个评价要点，分别占分值的" + "、".join(
            format_percent(share) for share in shares
        )
    return f"按评价要点计分：{split}；各要点完全达到得该要点全部分值，部分达到酌情扣减"


def _qualitative(levels: tuple[QualitativeLevel, ...]) -> str:
    parts = []
    for level in levels:
        low, high = format_percent(level.low), format_percent(level.high)
        close = "（含）" if level.high_inclusive else "（不含）"
        parts.append(f"{level.name}得分值的{low}至{high}{close}")
    return "按达成程度定性分档：" + "，".join(parts)


def _expert(agg: str) -> str:
    how = {
        "trimmed": "5位及以上专家时去掉一个最高分和一个最低分后取平均值，不足5位时取平均值",
        "median": "取各专家打分的中位数",
    }.get(agg, "取各专家打分的平均值")
    return f"由评审专家在0至分值之间独立打分，{how}"


def _describe(key, parsed, target: str, points: str, levels) -> str:
    if key in ("ratio", "inverse_ratio"):
        params = parsed if isinstance(parsed, RatioParams) else RatioParams()
        return _ratio("实际值", params, target, inverse=key == "inverse_ratio")
    if key == "linear" and isinstance(parsed, LinearParams):
        return _linear("实际值", parsed, target)
    if key == "bands" and isinstance(parsed, BandsParams):
        return "按实际值所在档次计分：" + _bands("实际值", parsed)
    if key == "elements" and parsed is not None:
        return _elements([share for share, _met in parsed.items], points)
    if key == "qualitative":
        return _qualitative(levels)
    if key == "deduction":
        return "以分值为限扣分：评价中发现问题的，按工作底稿记录逐项扣减相应分值，扣完为止"
    if key == "boolean":
        return "符合（是）得满分，不符合（否）不得分"
    if key == "satisfaction" and parsed is not None:
        inner = parsed.inner
        if isinstance(inner, BandsParams):
            body = _bands("满意度", inner)
        elif isinstance(inner, LinearParams):
            body = _linear("满意度", inner, target)
        else:
            body = _ratio("满意度", inner, target, inverse=False)
        return f"以满意度调查结果计分：{body}"
    if key == "expert":
        return _expert(getattr(parsed, "agg", "mean"))
    if key in _WITHOUT_PARAMS:
        return _WITHOUT_PARAMS[key]
    if key == "satisfaction":
        return "以满意度调查结果计分（计分标准待定）"
    return "由评价组根据核查情况在0至分值之间评定，并书面说明评分理由"
