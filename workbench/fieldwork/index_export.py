"""The working papers index (底稿索引) as an Excel workbook: the list page's rows, every page.

The columns are the page's, with the signers split into name and date and the last column's three
counts in columns of their own, so the index can be filed or sorted as people keep it in Excel.
"""

from __future__ import annotations

from workbench.core.spreadsheet import Column, headers, table_workbook
from workbench.core.timeutil import local
from workbench.fieldwork.queries import PaperRow
from workbench.fieldwork.review_rules import Level

COLUMNS = [
    Column("索引号", 12),
    Column("底稿名称", 36, "wrap"),
    Column("底稿模板", 24),
    Column("编制人", 10),
    Column("涉及指标", 40, "wrap"),
    Column("状态", 12),
    Column("编制", 10),
    Column("编制日期", 12, "date"),
    Column("复核", 10),
    Column("复核日期", 12, "date"),
    Column("批准", 10),
    Column("批准日期", 12, "date"),
    Column("材料", 8, "number"),
    Column("问题", 8, "number"),
    Column("未关闭意见", 10, "number"),
]
HEADERS = headers(COLUMNS)


def _signer(row: PaperRow, level: Level) -> list:
    found = row.signers.get(level)
    if not found:
        return ["", None]
    user, signoff = found
    return [user.display_name if user else "", local(signoff.signed_at).date()]


def _status(row: PaperRow) -> str:
    paper = row.paper
    return f"{paper.status_name}（签字后修改）" if paper.edited_after_review else paper.status_name


def _values(row: PaperRow) -> list:
    paper = row.paper
    return [
        paper.index_no,
        paper.title,
        paper.template_name,
        row.assignee.display_name if row.assignee else "",
        "\n".join(f"{i.level1}/{i.level2}/{i.name}" for i in row.indicators),
        _status(row),
        *_signer(row, Level.prepare),
        *_signer(row, Level.review),
        *_signer(row, Level.approve),
        row.evidence,
        row.findings,
        row.open_notes,
    ]


def workbook(rows: list[PaperRow]) -> bytes:
    """One sheet 底稿索引, a row per paper in the list's order."""
    return table_workbook("底稿索引", COLUMNS, map(_values, rows))
