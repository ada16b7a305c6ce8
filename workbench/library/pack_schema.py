"""The data model of an indicator pack and its vocabularies (pure: no Flask, no session)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from workbench.core.problems import FieldError, Invalid

# Rule keys of DOMAIN.md §4 with the Chinese names the indicator sheet also accepts.
RULES: dict[str, str] = {
    "ratio": "正向比率",
    "inverse_ratio": "反向比率",
    "linear": "线性扣减",
    "bands": "分档",
    "elements": "要素",
    "qualitative": "定性",
    "deduction": "扣分",
    "boolean": "是否",
    "satisfaction": "满意度",
    "expert": "专家",
    "manual": "手工",
}
# Longer spellings evaluators write in sheets; mapped to the rule key on import.
RULE_ALIASES: dict[str, str] = {
    "要素计分": "elements",
    "定性分档": "qualitative",
    "专家打分": "expert",
    "专家评分": "expert",
    "手工录入": "manual",
    "满意度调查": "satisfaction",
    "扣分制": "deduction",
    "正向": "ratio",
    "反向": "inverse_ratio",
}
STANDARDS: tuple[str, ...] = ("计划标准", "行业标准", "历史标准", "其他")
KINDS: dict[str, str] = {"common": "共性", "sector": "个性"}
ENGAGEMENT_TYPES: dict[str, str] = {
    "project": "项目支出绩效评价",
    "self_eval_review": "单位自评复核",
    "department": "部门整体支出绩效评价",
    "ex_ante": "事前绩效评估",
}
# A common framework is a whole indicator system, so its weights must add up to full marks.
COMMON_TOTAL = Decimal(100)


class PackError(Invalid):
    """A pack could not be read; ``messages`` lists every problem in Chinese, each an error of
    the uploaded file (the sentence names the pack file and where in it)."""

    def __init__(self, messages: Iterable[str]) -> None:
        errors = [FieldError(message, field="file") for message in messages]
        super().__init__("\n".join(e.message for e in errors), errors)


@dataclass
class Benchmark:
    """A published reference value (行业/历史标准) with the year it describes and its source."""

    value: str
    year: int | None
    source: str


@dataclass
class Indicator:
    """A 三级 leaf: what is scored, how, and on what evidence."""

    key: str
    name: str
    definition: str = ""
    points: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    standard: str = ""
    rule: str = ""
    params: str = ""
    weight: Decimal = Decimal(0)
    target: str = ""
    scoring: str = ""
    tags: list[str] = field(default_factory=list)
    benchmarks: list[Benchmark] = field(default_factory=list)
    notes: str = ""


@dataclass
class Level2:
    """A 二级 indicator grouping leaves."""

    name: str
    children: list[Indicator] = field(default_factory=list)


@dataclass
class Level1:
    """A 一级 indicator grouping 二级 indicators."""

    name: str
    children: list[Level2] = field(default_factory=list)


@dataclass
class Pack:
    """One pack: a common framework for an engagement type or a sector's 个性 indicators."""

    key: str
    name: str
    kind: str
    engagement_types: list[str] = field(default_factory=list)
    sector: str | None = None
    version: str = ""
    source: str = ""
    notes: str = ""
    indicators: list[Level1] = field(default_factory=list)
    # Where the pack was read from; used in messages only, so it takes no part in equality.
    origin: str = field(default="", compare=False)


class LeafEntry(NamedTuple):
    """A leaf with its path (一级, 二级, 三级)."""

    path: tuple[str, str, str]
    indicator: Indicator


def flatten(pack: Pack) -> list[LeafEntry]:
    """Return every leaf of the pack in tree order with its (一级, 二级, 三级) path."""
    return [
        LeafEntry((level1.name, level2.name, leaf.name), leaf)
        for level1 in pack.indicators
        for level2 in level1.children
        for leaf in level2.children
    ]


def total_weight(pack: Pack) -> Decimal:
    """Sum of the leaves' weights (分值)."""
    return sum((leaf.weight for _, leaf in flatten(pack)), Decimal(0))


def find_indicator(pack: Pack, key: str) -> LeafEntry | None:
    """Return the leaf with this key, or None."""
    return next((entry for entry in flatten(pack) if entry.indicator.key == key), None)


def stale_benchmarks(
    pack: Pack, *, current_year: int, max_age_years: int = 3
) -> list[tuple[LeafEntry, Benchmark]]:
    """Benchmarks older than ``max_age_years`` (or without a year): the library flags them."""
    return [
        (entry, benchmark)
        for entry in flatten(pack)
        for benchmark in entry.indicator.benchmarks
        if benchmark.year is None or current_year - benchmark.year > max_age_years
    ]


def rule_key(text: str) -> str | None:
    """Map a rule key or its Chinese name (正向比率, 要素计分 …) to the rule key, else None."""
    cleaned = text.strip()
    if cleaned in RULES:
        return cleaned
    if cleaned.lower() in RULES:
        return cleaned.lower()
    by_name = {name: key for key, name in RULES.items()}
    return by_name.get(cleaned) or RULE_ALIASES.get(cleaned)


def parse_decimal(value: Any) -> Decimal | None:
    """A weight from YAML/Excel as Decimal (floats via their shortest repr), or None if invalid."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        value = repr(value)
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def format_decimal(value: Decimal) -> str:
    """Plain text of a Decimal without exponent or trailing zeros (``2.50`` → ``2.5``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
