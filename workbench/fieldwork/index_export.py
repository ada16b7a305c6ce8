"""The working papers index (底稿索引) as an Excel workbook: the list page's rows, every page.

The columns are the page's, with the signers split into name and date and the last column's three
counts in columns of their own, so the index can be filed or sorted as people keep it in Excel.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from workbench.core.spreadsheet import CellStyle, append_row, new_workbook, xlsx_bytes
from workbench.core.timeutil import local
from workbench.fieldwork.queries import PaperRow
from workbench.fieldwork.review_rules import Level

HEADERS = [
    "索引号",
    "底稿名称",
    "底稿模板",
    "编制人",
    "涉及指标",
    "状态",
    "编制",
    "编制日期",
    "复核",
    "复核日期",
    "批准",
    "批准日期",
    "材料",
    "问题",
    "未关闭意见",
]
WIDTHS = [12, 36, 24, 10, 40, 12, 10, 12, 10, 12, 10, 12, 8, 8, 10]
_BOLD = CellStyle(font=Font(bold=True))
_WRAP = CellStyle(alignment=Alignment(wrap_text=True, vertical="top"))
_DATE = CellStyle(number_format="yyyy-mm-dd", alignment=Alignment(vertical="top"))
_TOP = CellStyle(alignment=Alignment(vertical="top"))


def _signer(row: PaperRow, level: Level) -> list:
    found = row.signers.get(level)
    if not found:
        return ["", None]
    user, signoff = found
    return [user.display_name if user else "", local(signoff.signed_at).date()]


def _status(row: PaperRow) -> str:
    paper = row.paper
    return f"{paper.status_name}（签字后修改）" if paper.edited_after_review else paper.status_name


def workbook(rows: list[PaperRow]) -> bytes:
    """One sheet 底稿索引, a row per paper in the list's order."""
    book = new_workbook()
    sheet = book.create_sheet("底稿索引")
    sheet.freeze_panes = "A2"
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    append_row(sheet, HEADERS, style=_BOLD)
    dates = {8: _DATE, 10: _DATE, 12: _DATE}
    for row in rows:
        paper = row.paper
        append_row(
            sheet,
            [
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
            ],
            style=_TOP,
            styles={2: _WRAP, 5: _WRAP, **dates},
        )
    return xlsx_bytes(book)
