"""Benchmark series (pure): the import layout, one row's checks, which value supersedes which.

A series is one library indicator's published figures for one region, year after year. Each
import adds values; nothing is changed in place. A value is superseded by a later import's value
for the same indicator, region and year (a revised figure) or by any value of a later year; it
is stale when its year is more than the configured horizon (BENCHMARK_STALE_YEARS) behind now.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from workbench.core.spreadsheet import Field

EARLIEST_YEAR = 1949
MAX_PLACES = 4  # the stored scale of a value
PERCENT = "%"

FIELDS = [
    Field("key", "指标代码", required=True, max_length=120,
          note="指标库中指标的代码（指标详情页“代码”一栏），如 education.consolidation_rate"),
    Field("name", "指标名称", max_length=120,
          note="可不填；填写时须与指标库中该指标的名称一致，用于核对"),
    Field("region", "地区", required=True, max_length=60,
          note="数值所属的地区或范围，如“全国”“山东省”"),
    Field("year", "年份", "integer", required=True, note="数值所属的年度，如 2024"),
    Field("value", "数值", required=True, max_length=40,
          note="只填数字，如 95.7 或 95.7%（百分数可带 % 号）；最多 4 位小数"),
    Field("unit", "单位", max_length=20, note="如 %、元、万人；数值带 % 号时可不填"),
    Field("source", "来源文件", required=True, max_length=300,
          note="发布该数值的文件全称，如《2024年全国教育事业发展统计公报》"),
    Field("source_date", "发布日期", "date", required=True,
          note="来源文件的发布日期，如 2025-06-18"),
]  # fmt: skip
SHEET = "基准值"
COLUMN = {spec.key: spec.header for spec in FIELDS}

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class Checked:
    """One row as it will be stored, or the problems (column header, message) that refuse it."""

    value: Decimal | None
    unit: str
    problems: tuple[tuple[str, str], ...]


def check_row(values: dict[str, Any], *, today: date) -> Checked:
    """The value and unit of a row, with every problem of its year, value, unit and date."""
    problems: list[tuple[str, str]] = []
    year = values.get("year")
    if year is not None and not EARLIEST_YEAR <= year <= today.year:
        problems.append(
            (COLUMN["year"], f"年份应在 {EARLIEST_YEAR} 至 {today.year} 年之间，现为 {year}")
        )
    value, unit, message = parse_value(
        str(values.get("value") or ""), str(values.get("unit") or "")
    )
    if message:
        problems.append((COLUMN["value"] if value is None else COLUMN["unit"], message))
    published = values.get("source_date")
    if published is not None and published > today:
        problems.append((COLUMN["source_date"], f"发布日期 {published.isoformat()} 晚于今天"))
    if year is not None and published is not None and published.year < year:
        message = f"发布日期 {published.isoformat()} 早于数值所属的 {year} 年，请核对年份或日期"
        problems.append((COLUMN["source_date"], message))
    return Checked(value, unit, tuple(problems))


def parse_value(text: str, unit: str) -> tuple[Decimal | None, str, str]:
    """(number, unit, problem): '95.7%' is 95.7 with unit %; thousands separators are dropped."""
    cleaned = text.strip().replace(",", "").replace("，", "").replace("％", PERCENT)
    unit = unit.strip().replace("％", PERCENT)
    percent = cleaned.endswith(PERCENT)
    number = cleaned.removesuffix(PERCENT).strip()
    if not _NUMBER.fullmatch(number):
        return None, unit, f"数值应为数字（如 95.7 或 95.7%），现为“{text.strip()}”"
    try:
        value = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None, unit, f"数值应为数字，现为“{text.strip()}”"
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_PLACES:
        return None, unit, f"数值最多 {MAX_PLACES} 位小数，现为“{text.strip()}”"
    if abs(value) >= Decimal(10) ** 15:
        return None, unit, f"数值过大：“{text.strip()}”"
    if percent:
        if unit and unit != PERCENT:
            return value, unit, f"数值带 % 号，单位应为 % 或不填，现为“{unit}”"
        unit = PERCENT
    return value, unit, ""


def is_stale(year: int, *, current_year: int, stale_years: int) -> bool:
    """Older than the horizon: more than `stale_years` years behind `current_year`."""
    return current_year - year > stale_years


@dataclass(frozen=True)
class Point:
    """A stored value as the supersession rule sees it."""

    id: int
    indicator_id: int
    region: str
    year: int
    import_number: int


def newer(points: Iterable[Point]) -> dict[int, Point]:
    """For each value superseded, the newest value of its series (latest year, then import)."""
    series: dict[tuple[int, str], list[Point]] = {}
    for point in points:
        series.setdefault((point.indicator_id, point.region), []).append(point)
    found: dict[int, Point] = {}
    for members in series.values():
        latest = max(members, key=lambda p: (p.year, p.import_number))
        for point in members:
            if point.id != latest.id:
                found[point.id] = latest
    return found


def shown(value: Decimal, unit: str) -> str:
    """A value as people read it: 95.7%, 1,234.5 元 (trailing zeros dropped)."""
    text = f"{value.normalize():,f}"
    return f"{text}{unit}" if unit == PERCENT else f"{text} {unit}".strip()
