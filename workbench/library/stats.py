"""Facts shown on a library indicator's page: benchmark age, score-rate distribution, diffs (pure)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# Histogram bands of the score rate (score ÷ weight, in %): lower bound inclusive.
BANDS: tuple[tuple[str, Decimal, Decimal], ...] = (
    ("< 60%", Decimal(0), Decimal(60)),
    ("60%–70%", Decimal(60), Decimal(70)),
    ("70%–80%", Decimal(70), Decimal(80)),
    ("80%–90%", Decimal(80), Decimal(90)),
    ("≥ 90%", Decimal(90), Decimal(101)),
)


@dataclass(frozen=True)
class BenchmarkAge:
    """The newest benchmark's year and whether it is stale (None when there is no benchmark)."""

    newest_year: int | None
    stale: bool
    age: int | None

    @property
    def missing(self) -> bool:
        return self.newest_year is None


def benchmark_age(
    benchmarks: list[dict[str, Any]], *, current_year: int, stale_years: int
) -> BenchmarkAge:
    """Stale when the newest benchmark is more than `stale_years` older than `current_year`."""
    years = [int(item["year"]) for item in benchmarks if str(item.get("year", "")).isdigit()]
    if not years:
        return BenchmarkAge(None, False, None)
    newest = max(years)
    age = current_year - newest
    return BenchmarkAge(newest, age > stale_years, age)


def rate(score: Decimal, weight: Decimal) -> Decimal | None:
    """Score ÷ weight as a percentage, half-up to 2 places (None when the weight is 0)."""
    if not weight:
        return None
    return (score * HUNDRED / weight).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Distribution:
    """Score rates (%) across engagements: count, min, median, max and a banded histogram."""

    count: int
    minimum: Decimal | None
    median: Decimal | None
    maximum: Decimal | None
    histogram: tuple[tuple[str, int], ...]

    @property
    def peak(self) -> int:
        return max((count for _, count in self.histogram), default=0)


def distribution(rates: list[Decimal]) -> Distribution:
    """Summarise score rates in percent."""
    ordered = sorted(rates)
    histogram = tuple(
        (label, sum(1 for value in ordered if low <= value < high)) for label, low, high in BANDS
    )
    if not ordered:
        return Distribution(0, None, None, None, histogram)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        median = ordered[middle]
    else:
        median = ((ordered[middle - 1] + ordered[middle]) / 2).quantize(CENT, ROUND_HALF_UP)
    return Distribution(len(ordered), ordered[0], median, ordered[-1], histogram)


@dataclass(frozen=True)
class FieldDiff:
    """One field of two versions: its label, both values as text, and inline segments."""

    label: str
    old: str
    new: str
    segments: tuple[tuple[str, str], ...]  # (equal|insert|delete, text)

    @property
    def changed(self) -> bool:
        return self.old != self.new


def text_segments(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Character-level differences as (op, text) segments (templates escape the text)."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    segments: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", old[a1:a2]))
            continue
        if a2 > a1:
            segments.append(("delete", old[a1:a2]))
        if b2 > b1:
            segments.append(("insert", new[b1:b2]))
    return tuple(segments)


def diff_fields(
    old: dict[str, Any], new: dict[str, Any], labels: dict[str, str]
) -> list[FieldDiff]:
    """Compare two versions field by field (lists one item per line, benchmarks as text)."""
    return [
        FieldDiff(
            label,
            _text(old.get(name)),
            _text(new.get(name)),
            text_segments(_text(old.get(name)), _text(new.get(name))),
        )
        for name, label in labels.items()
    ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(
            f"{item['value']}｜{item['year']}年｜{item['source']}"
            if isinstance(item, dict)
            else str(item)
            for item in value
        )
    return str(value)
