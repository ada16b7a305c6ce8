"""The findings list (问题清单) as an Excel workbook: the page's columns, one row per finding."""

from __future__ import annotations

from workbench.core.spreadsheet import Column, headers, table_workbook
from workbench.core.timeutil import local_naive
from workbench.fieldwork.registers import FindingRow

COLUMNS = [
    Column("序号", 6, "number"),
    Column("底稿索引号", 12),
    Column("底稿名称", 30, "wrap"),
    Column("类型", 16, "wrap"),
    Column("对应指标", 36, "wrap"),
    Column("问题描述", 50, "wrap"),
    Column("扣分", 8, "money"),  # two places, as the page shows points
    Column("评价要点序号", 12, "number"),
    Column("达成度", 8, "number"),
    Column("涉及金额（元）", 14, "money"),
    Column("佐证材料", 8, "number"),
    Column("记录人", 10),
    Column("记录时间", 16, "datetime"),
]
HEADERS = headers(COLUMNS)


def _values(number: int, row: FindingRow) -> list:
    finding = row.finding
    return [
        number,
        row.index_no,
        row.paper_title,
        row.kind_name,
        row.indicator_path,
        finding.text,
        finding.points,
        finding.element_index,
        finding.met,
        finding.money,
        row.evidence,
        row.recorder.display_name if row.recorder else "",
        local_naive(finding.created_at),
    ]


def workbook(rows: list[FindingRow]) -> bytes:
    """One sheet 问题清单, a row per finding in the list's order."""
    return table_workbook(
        "问题清单", COLUMNS, (_values(n, row) for n, row in enumerate(rows, start=1))
    )
