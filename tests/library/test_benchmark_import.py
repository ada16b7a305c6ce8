"""Importing benchmark series: each import a version, revisions supersede, bad files refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from tests.library.benchmark_helpers import KEY, OTHER, csv_bytes, row, stored
from workbench.core.audit import AuditEntry
from workbench.core.errors import NotAllowed
from workbench.core.spreadsheet import read_table
from workbench.core.staging import RowsRefused
from workbench.library import benchmark_rules as rules
from workbench.library import benchmarks
from workbench.library.models import LibraryIndicator

TODAY = date(2026, 12, 9)


def _import(db, actor, rows, *, name="series.csv", **more):
    read = read_table(csv_bytes(rows, **more), filename=name, fields=rules.FIELDS)
    return benchmarks.import_series(
        db, actor=actor, read=read, filename=name, sha256="0" * 64, today=TODAY, stale_years=3
    )


def _problems(db, actor, rows, **more) -> list[str]:
    before = stored(db)
    with pytest.raises(RowsRefused) as refused:
        _import(db, actor, rows, **more)
    assert stored(db) == before  # nothing half-written
    return [problem.text for problem in refused.value.problems]


def test_an_import_is_a_version_with_its_rows(db, demo):
    lead = demo.users["demo-lead"]
    done = _import(db, lead, [row(year=2022, value="94.1%"), row(OTHER, value="90", unit="%")])
    record = done.record
    assert (record.number, record.filename, record.rows, record.added, record.revised) == (
        1,
        "series.csv",
        2,
        2,
        0,
    )
    assert [r.action for r in done.rows] == ["add", "add"]
    assert [r.stale for r in done.rows] == [True, False]  # 2022 is more than 3 years behind 2026
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "library.benchmark_import")).one()
    assert entry.actor_id == lead.id and "第1版" in entry.summary


def test_a_newer_import_revises_and_supersedes(db, demo):
    lead = demo.users["demo-lead"]
    first = _import(db, lead, [row(year=2023, value="95.5%")])
    second = _import(db, lead, [row(year=2023, value="95.6%"), row(year=2024, value="96%")])
    assert [r.action for r in second.rows] == ["revise", "add"]
    assert second.record.number == first.record.number + 1
    indicator = db.exec(select(LibraryIndicator).where(LibraryIndicator.key == KEY)).one()
    series = benchmarks.series_of(
        db, indicator_ids=[indicator.id], current_year=2026, stale_years=3
    )
    assert [(s.value.year, s.value.value, s.import_number) for s in series] == [
        (2024, Decimal("96"), 2),
        (2023, Decimal("95.6"), 2),
        (2023, Decimal("95.5"), 1),
    ]
    assert [s.newer.year if s.newer else None for s in series] == [None, 2024, 2024]


def test_the_same_file_again_writes_nothing(db, demo):
    lead = demo.users["demo-lead"]
    _import(db, lead, [row()])
    before = stored(db)
    again = _import(db, lead, [row()])
    assert again.record is None and [r.action for r in again.rows] == ["same"]
    assert stored(db) == before


def test_only_agency_staff_import(db, demo):
    with pytest.raises(NotAllowed):
        _import(db, demo.users["demo-bureau"], [row()])


def test_wrong_columns(db, demo):
    header = ["指标", "地区", "年份", "数值", "来源文件", "发布日期"]
    texts = _problems(db, demo.users["demo-lead"], [["x", "全国", 2024, 1, "s", "2025-01-01"]],
                      header=header)  # fmt: skip
    assert "缺少必填列“指标代码”：第一行应为列名，请使用模板" in texts


def test_non_numeric_value(db, demo):
    texts = _problems(db, demo.users["demo-lead"], [row(value="约95%")])
    assert texts == ["第2行“数值”列：数值应为数字（如 95.7 或 95.7%），现为“约95%”"]


def test_unknown_indicator_key(db, demo):
    texts = _problems(db, demo.users["demo-lead"], [row(), row("no.such_key", year=2023)])
    assert texts == ["第3行“指标代码”列：指标库中没有代码为“no.such_key”的指标（代码见指标详情页）"]


def test_name_must_match_the_key(db, demo):
    texts = _problems(db, demo.users["demo-lead"], [row(name="学前教育毛入园率")])
    assert (
        "与代码“education.compulsory_retention_rate”的指标名称“九年义务教育巩固率”不一致"
        in texts[0]
    )


def test_year_out_of_range(db, demo):
    texts = _problems(
        db, demo.users["demo-lead"], [row(year=1900), row(year=2030, date="2025-01-01")]
    )
    assert texts[0] == "第2行“年份”列：年份应在 1949 至 2026 年之间，现为 1900"
    assert texts[1].startswith("第3行“年份”列：年份应在 1949 至 2026 年之间")


def test_duplicate_rows(db, demo):
    texts = _problems(db, demo.users["demo-lead"], [row(), row(OTHER), row(value="96%")])
    assert texts == ["第4行：与第2行重复：同一指标、地区和年份只能有一个数值"]


def test_empty_file(db, demo):
    read = read_table(b"", filename="empty.csv", fields=rules.FIELDS)
    before = stored(db)
    with pytest.raises(RowsRefused) as refused:
        benchmarks.import_series(db, actor=demo.users["demo-lead"], read=read, filename="e.csv",
                                 sha256="0" * 64, today=TODAY, stale_years=3)  # fmt: skip
    assert stored(db) == before
    assert refused.value.problems and all(p.message for p in refused.value.problems)
    header_only = _problems(db, demo.users["demo-lead"], [])
    assert header_only == ["第1行列名之下没有数据"]


def test_huge_file(db, demo):
    big = csv_bytes([row()]) + b"\n" + b"#" * (6 * 1024 * 1024)
    read = read_table(big, filename="big.csv", fields=rules.FIELDS)
    assert read.problems and "MB" in read.problems[0].message
    too_many = _problems(db, demo.users["demo-lead"], [row(year=1950 + i % 70, region=f"地区{i}")
                                                       for i in range(1001)])  # fmt: skip
    assert too_many == ["一次最多导入 1000 行，本表有 1001 行，请分批导入"]


def test_the_shipped_example_follows_the_layout(db, demo):
    from pathlib import Path

    example = (
        Path(__file__).parents[2] / "indicator_library" / "examples" / "benchmarks_example.csv"
    )
    read = read_table(example.read_bytes(), filename=example.name, fields=rules.FIELDS)
    assert read.problems == [] and read.ignored == []
    done = benchmarks.import_series(db, actor=demo.users["demo-lead"], read=read,
                                    filename=example.name, sha256="0" * 64, today=TODAY,
                                    stale_years=3)  # fmt: skip
    assert [r.action for r in done.rows] == ["add"] * 3
    # An example of the layout only: every row says its figure is not real.
    assert all("非真实数据" in r.values["source"] for r in done.rows)
