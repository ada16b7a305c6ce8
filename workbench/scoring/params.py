"""The 规则 and 参数 columns of an indicator sheet: rule names, parameter parsing and formatting. (pure)

Pure: no Flask, no database. Every error is a `ParamError` with a Chinese message.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from workbench.scoring.param_types import (
    DEFAULT_LEVELS,
    RULES,
    Band,
    BandsParams,
    DeductionParams,
    ElementsParams,
    ExpertParams,
    LinearParams,
    NoParams,
    Params,
    QualitativeLevel,
    QualitativeParams,
    RatioParams,
    SatisfactionParams,
)
from workbench.scoring.values import (
    ParamError,
    ParsedValue,
    clean,
    format_auto,
    format_number,
    format_percent,
    parse_number,
    parse_value,
)

__all__ = [
    "DEFAULT_LEVELS",
    "RULES",
    "Band",
    "BandsParams",
    "DeductionParams",
    "ElementsParams",
    "ExpertParams",
    "LinearParams",
    "NoParams",
    "ParamError",
    "ParsedValue",
    "QualitativeLevel",
    "Params",
    "QualitativeParams",
    "RatioParams",
    "SatisfactionParams",
    "check_level_fraction",
    "check_shares",
    "find_level",
    "format_params",
    "normalise_rule",
    "parse_params",
    "parse_value",
]

_RULE_ALIASES = {
    "要素": "elements",
    "定性": "qualitative",
    "专家": "expert",
    "手工打分": "manual",
    "手工评分": "manual",
    "比率": "ratio",
    "正向": "ratio",
    "反向": "inverse_ratio",
    "线性": "linear",
    "分档计分": "bands",
    "是否判断": "boolean",
    "满意度调查": "satisfaction",
}
_RULE_LOOKUP = (
    {key: key for key in RULES} | {name: key for key, name in RULES.items()} | _RULE_ALIASES
)

# Named keys accept a few Chinese spellings; values are the canonical English keys.
_KEY_ALIASES = {
    "下限": "floor",
    "保底": "floor",
    "步长": "per",
    "每": "per",
    "扣减": "deduct",
    "扣": "deduct",
    "零分线": "zero",
    "零分": "zero",
    "方法": "method",
    "汇总": "agg",
    "计算方式": "agg",
}
_AGG_ALIASES = {
    "mean": "mean",
    "平均": "mean",
    "平均值": "mean",
    "trimmed": "trimmed",
    "去极值": "trimmed",
    "截尾平均": "trimmed",
    "去掉最高最低": "trimmed",
    "median": "median",
    "中位数": "median",
}
BAND_OPS = (">=", ">", "<=", "<")
_BAND_RE = re.compile(r"(>=|=>|≥|≧|<=|=<|≤|≦|>|<)(.+)")
_BAND_OP_NAMES = {"=>": ">=", "≥": ">=", "≧": ">=", "=<": "<=", "≤": "<=", "≦": "<="}
_ONE = Decimal(1)
# Decimal division leaves 1/3 + 1/3 + 1/3 a hair short of 1; anything closer than this is exact.
SHARE_TOLERANCE = Decimal("1e-9")


@lru_cache(maxsize=256)
def normalise_rule(text: str) -> str:
    """Turn '正向比率', 'Ratio' or 'ratio' into the rule key; ParamError when unknown."""
    key = _RULE_LOOKUP.get(clean(text).lower()) or _RULE_LOOKUP.get(clean(text))
    if key is None:
        known = "、".join(f"{name}({key})" for key, name in RULES.items())
        raise ParamError(f"未知的评分规则“{text}”，可用的规则：{known}", field="rule")
    return key


def _items(text: str | None) -> list[str]:
    """Split 参数 into items at ';' '；' '，' '、' and at a ',' that is no 1,000 separator."""
    if text is None:
        return []
    raw = str(text).replace("，", ";").replace("、", ";")
    cleaned = clean(raw)
    cleaned = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", cleaned).replace(",", ";")
    return [item for item in cleaned.split(";") if item]


def _named(items: list[str], allowed: tuple[str, ...], rule: str) -> dict[str, str]:
    """Parse `key=value` items, refusing unknown and repeated keys."""
    found: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = _KEY_ALIASES.get(key, key.lower())
        if not sep or key not in allowed:
            names = "、".join(allowed) if allowed else "（无）"
            raise ParamError(f"{RULES[rule]}规则不认识参数“{item}”，可用参数：{names}")
        if key in found:
            raise ParamError(f"参数“{key}”重复出现")
        if not value:
            raise ParamError(f"参数“{key}”没有填写数值")
        found[key] = value
    return found


def _fraction(token: str, what: str) -> Decimal:
    value = parse_number(token, what=what)
    if not 0 <= value <= 1:
        raise ParamError(f"{what}“{token}”应在0到1之间（0%–100%）")
    return value


def _parse_ratio(items: list[str], rule: str) -> RatioParams:
    named = _named(items, ("floor",), rule)
    if "floor" not in named:
        return RatioParams()
    return RatioParams(floor=_fraction(named["floor"], "下限floor"))


def _parse_linear(items: list[str], rule: str) -> LinearParams:
    named = _named(items, ("per", "deduct", "zero"), rule)
    missing = [key for key in ("per", "deduct") if key not in named]
    if missing:
        raise ParamError(f"线性扣减须填写参数 {'、'.join(missing)}，例如 per=1%; deduct=5%")
    per = parse_number(named["per"], what="步长per")
    if per <= 0:
        raise ParamError(f"步长per“{named['per']}”必须大于0")
    deduct = _fraction(named["deduct"], "每步扣减比例deduct")
    if deduct == 0:
        raise ParamError("每步扣减比例deduct不能为0")
    zero = parse_number(named["zero"], what="零分线zero") if "zero" in named else None
    return LinearParams(per=per, deduct=deduct, zero=zero)


def _parse_bands(items: list[str], rule: str) -> BandsParams:
    bands: list[Band] = []
    otherwise: Decimal | None = None
    for item in items:
        head, sep, tail = item.rpartition(":")
        if not sep or not head or not tail:
            raise ParamError(f"分档“{item}”格式应为 >=95%:1 或 else:0")
        fraction = _fraction(tail, "分档得分比例")
        if head.lower() in ("else", "其他", "其余", "否则"):
            if otherwise is not None:
                raise ParamError("else 分档重复出现")
            otherwise = fraction
            continue
        if otherwise is not None:
            raise ParamError(f"else 必须是最后一档，“{item}”写在了它后面")
        match = _BAND_RE.fullmatch(head)
        if not match:
            raise ParamError(f"分档“{item}”缺少比较符号（>= > <= <）")
        op = _BAND_OP_NAMES.get(match.group(1), match.group(1))
        bands.append(Band(op, parse_number(match.group(2), what="分档界值"), fraction))
    if not bands:
        raise ParamError("分档规则至少需要一档，例如 >=95%:1; >=90%:0.8; else:0")
    return BandsParams(bands=tuple(bands), otherwise=otherwise)


def _parse_elements(items: list[str]) -> ElementsParams:
    if not items:
        raise ParamError("要素计分须列出各评价要点的占比，例如 1/3:1; 1/3:0.5; 1/3:0")
    parsed: list[tuple[Decimal, Decimal | None]] = []
    for item in items:
        share_text, sep, met_text = item.partition(":")
        share = parse_number(share_text, what="要点占比")
        if share <= 0:
            raise ParamError(f"要点占比“{share_text}”必须大于0")
        met = None
        if sep:
            met = parse_number(met_text, what="要点达成度")
            if not 0 <= met <= 1:
                raise ParamError(f"要点达成度“{met_text}”应在0到1之间")
        parsed.append((share, met))
    check_shares(share for share, _ in parsed)
    return ElementsParams(items=tuple(parsed))


def check_shares(shares) -> None:
    """Raise ParamError unless the 评价要点 shares add up to 1."""
    total = sum(shares, Decimal(0))
    if abs(total - _ONE) > SHARE_TOLERANCE:
        raise ParamError(f"各要点占比之和应为1（100%），当前为{format_percent(total)}")


def _parse_qualitative(items: list[str], levels: tuple[QualitativeLevel, ...]) -> QualitativeParams:
    if not items:
        return QualitativeParams()
    if len(items) > 1:
        raise ParamError("定性分档只填一个等级，例如 部分达成:0.7")
    name, sep, fraction_text = items[0].partition(":")
    level = find_level(name, levels)
    if not sep:
        return QualitativeParams(level=level.name)
    fraction = _fraction(fraction_text, "等级得分比例")
    check_level_fraction(level, fraction)
    return QualitativeParams(level=level.name, fraction=fraction)


def find_level(name: str, levels: tuple[QualitativeLevel, ...]) -> QualitativeLevel:
    """The level called `name`; ParamError listing the levels otherwise."""
    for level in levels:
        if level.name == clean(name):
            return level
    known = "、".join(level.name for level in levels)
    raise ParamError(f"未知的定性等级“{name}”，可用等级：{known}")


def check_level_fraction(level: QualitativeLevel, fraction: Decimal) -> None:
    """Raise ParamError when the fraction lies outside the level's range."""
    if not level.contains(fraction):
        raise ParamError(
            f"“{level.name}”的得分比例应在{level.range_text()}之内，填写的是{format_number(fraction)}"
        )


def _parse_deduction(items: list[str]) -> DeductionParams:
    points = []
    for item in items:
        point = parse_number(item, what="扣分")
        if point < 0:
            raise ParamError(f"扣分“{item}”不能为负数")
        points.append(point)
    return DeductionParams(points=tuple(points))


def _parse_expert(items: list[str]) -> ExpertParams:
    scores: list[Decimal] = []
    agg = "mean"
    for item in items:
        if "=" in item:
            named = _named([item], ("agg",), "expert")
            agg = _AGG_ALIASES.get(named["agg"].lower(), "")
            if not agg:
                raise ParamError(f"汇总方式“{named['agg']}”应为 mean、trimmed 或 median")
            continue
        if item.endswith("%"):
            raise ParamError(f"专家打分“{item}”应为分数而不是百分比")
        score = parse_number(item, what="专家打分")
        if score < 0:
            raise ParamError(f"专家打分“{item}”不能为负数")
        scores.append(score)
    return ExpertParams(scores=tuple(scores), agg=agg)


def _parse_satisfaction(items: list[str]) -> SatisfactionParams:
    method = None
    rest = []
    for item in items:
        key, sep, value = item.partition("=")
        if sep and _KEY_ALIASES.get(key, key.lower()) == "method":
            if method is not None:
                raise ParamError("参数“method”重复出现")
            method = value.lower()
        else:
            rest.append(item)
    if method is None:
        # Without method=, the items themselves say which method is meant.
        if any(item.partition("=")[0] in ("per", "deduct", "zero") for item in rest):
            method = "linear"
        elif any(":" in item for item in rest):
            method = "bands"
        else:
            method = "ratio"
    parsers = {
        "ratio": lambda: _parse_ratio(rest, "ratio"),
        "linear": lambda: _parse_linear(rest, "linear"),
        "bands": lambda: _parse_bands(rest, "bands"),
    }
    if method not in parsers:
        raise ParamError(f"满意度的计分方法method“{method}”应为 ratio、linear 或 bands")
    return SatisfactionParams(method=method, inner=parsers[method]())


def parse_params(
    rule: str, text: str | None, levels: tuple[QualitativeLevel, ...] = DEFAULT_LEVELS
) -> Params:
    """Parse the 参数 text of a leaf whose rule key is `rule`."""
    if rule == "qualitative":
        return _parse_qualitative_cached(text, levels)
    return _parse_cached(rule, text)


@lru_cache(maxsize=1024)
def _parse_qualitative_cached(text: str | None, levels: tuple[QualitativeLevel, ...]) -> Params:
    return _parse_qualitative(_items(text), levels)


@lru_cache(maxsize=8192)
def _parse_cached(rule: str, text: str | None) -> Params:
    items = _items(text)
    if rule in ("ratio", "inverse_ratio"):
        return _parse_ratio(items, rule)
    if rule == "linear":
        return _parse_linear(items, rule)
    if rule == "bands":
        return _parse_bands(items, rule)
    if rule == "elements":
        return _parse_elements(items)
    if rule == "deduction":
        return _parse_deduction(items)
    if rule == "expert":
        return _parse_expert(items)
    if rule == "satisfaction":
        return _parse_satisfaction(items)
    if rule in ("boolean", "manual"):
        if items:
            raise ParamError(f"{RULES[rule]}规则不需要参数，请清空“{text}”")
        return NoParams()
    raise ParamError(f"未知的评分规则“{rule}”", field="rule")


def _format_inner(params: RatioParams | LinearParams | BandsParams) -> list[str]:
    if isinstance(params, RatioParams):
        return [] if params.floor is None else [f"floor={format_percent(params.floor)}"]
    if isinstance(params, LinearParams):
        items = [f"per={format_auto(params.per)}", f"deduct={format_percent(params.deduct)}"]
        if params.zero is not None:
            items.append(f"zero={format_auto(params.zero)}")
        return items
    items = [f"{b.op}{format_auto(b.bound)}:{format_number(b.fraction)}" for b in params.bands]
    if params.otherwise is not None:
        items.append(f"else:{format_number(params.otherwise)}")
    return items


def format_params(params: Params) -> str:
    """Canonical 参数 text for parsed parameters; parsing it again gives equal parameters."""
    if isinstance(params, RatioParams | LinearParams | BandsParams):
        items = _format_inner(params)
    elif isinstance(params, SatisfactionParams):
        items = [f"method={params.method}", *_format_inner(params.inner)]
    elif isinstance(params, ElementsParams):
        items = [
            format_percent(share) + ("" if met is None else f":{format_number(met)}")
            for share, met in params.items
        ]
    elif isinstance(params, QualitativeParams):
        items = [] if params.level is None else [params.level]
        if params.level is not None and params.fraction is not None:
            items = [f"{params.level}:{format_number(params.fraction)}"]
    elif isinstance(params, DeductionParams):
        items = [format_number(point) for point in params.points]
    elif isinstance(params, ExpertParams):
        items = [format_number(score) for score in params.scores]
        if params.agg != "mean":
            items.append(f"agg={params.agg}")
    else:
        items = []
    return "; ".join(items)
