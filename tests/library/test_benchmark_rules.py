"""Benchmark series rules (pure): values and units, a row's checks, staleness, supersession."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from workbench.library import benchmark_rules as rules

TODAY = date(2026, 12, 9)


def _row(**changes):
    values = {
        "key": "education.compulsory_retention_rate",
        "name": None,
        "region": "全国",
        "year": 2024,
        "value": "95.7%",
        "unit": None,
        "source": "某统计公报",
        "source_date": date(2025, 6, 1),
    }
    return {**values, **changes}


def test_values_are_numbers_with_their_unit():
    assert rules.parse_value("95.7%", "") == (Decimal("95.7"), "%", "")
    assert rules.parse_value("95.7％", "%") == (Decimal("95.7"), "%", "")
    assert rules.parse_value("1,234.5", "元") == (Decimal("1234.5"), "元", "")
    assert rules.parse_value("-3", "") == (Decimal("-3"), "", "")


def test_what_a_value_cannot_be():
    assert "应为数字" in rules.parse_value("约95", "")[2]
    assert "应为数字" in rules.parse_value("", "")[2]
    assert "最多 4 位小数" in rules.parse_value("1.23456", "")[2]
    assert "单位应为 %" in rules.parse_value("95%", "元")[2]
    assert "过大" in rules.parse_value("1" + "0" * 16, "")[2]


def test_a_row_is_checked_for_year_value_and_dates():
    checked = rules.check_row(_row(), today=TODAY)
    assert (checked.value, checked.unit, checked.problems) == (Decimal("95.7"), "%", ())
    future = rules.check_row(_row(year=2027, source_date=date(2027, 1, 1)), today=TODAY)
    assert [column for column, _ in future.problems] == ["年份", "发布日期"]
    assert "1949 至 2026" in future.problems[0][1]
    early = rules.check_row(_row(year=2025, source_date=date(2024, 5, 1)), today=TODAY)
    assert early.problems == (
        ("发布日期", "发布日期 2024-05-01 早于数值所属的 2025 年，请核对年份或日期"),
    )
    assert rules.check_row(_row(value="n/a"), today=TODAY).problems[0][0] == "数值"
    assert rules.check_row(_row(unit="元"), today=TODAY).problems[0][0] == "单位"


def test_stale_means_older_than_the_horizon():
    assert not rules.is_stale(2023, current_year=2026, stale_years=3)
    assert rules.is_stale(2022, current_year=2026, stale_years=3)


def test_a_later_year_or_a_later_import_supersedes():
    points = [
        rules.Point(1, 7, "全国", 2022, 1),
        rules.Point(2, 7, "全国", 2023, 1),
        rules.Point(3, 7, "全国", 2023, 2),  # the 2023 figure revised
        rules.Point(4, 7, "山东省", 2021, 1),  # another region: its own series
        rules.Point(5, 8, "全国", 2020, 1),
    ]
    found = rules.newer(points)
    assert {old: new.id for old, new in found.items()} == {1: 3, 2: 3}


def test_values_are_shown_with_their_unit():
    assert rules.shown(Decimal("95.7000"), "%") == "95.7%"
    assert rules.shown(Decimal("12000"), "元") == "12,000 元"
    assert rules.shown(Decimal("3.5"), "") == "3.5"
