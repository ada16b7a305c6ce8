"""The deposit dashboard as an Excel workbook (detail, by bureau, by year)."""

from __future__ import annotations

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from workbench.core.spreadsheet import CellStyle, append_row, new_workbook, xlsx_bytes
from workbench.finance import terms as t
from workbench.finance.dashboard import Dashboard, Totals
from workbench.finance.ledger import STATUS_NAMES

MONEY = "#,##0.00"
DETAIL_HEADERS = [
    "项目编号",
    "项目名称",
    "委托方",
    "签约年度",
    "合同编号",
    "合同金额",
    "保证金比例",
    "质量保证金",
    "已预留",
    "质量考核得分",
    "释放比例",
    "应释放",
    "已释放",
    "不予释放",
    "未结清",
    "释放到期日",
    "状态",
]
TOTAL_HEADERS = [
    "项目数",
    "合同金额",
    "质量保证金",
    "已预留",
    "已释放",
    "不予释放",
    "未结清",
    "逾期未释放",
]
MONEY_DETAIL = {6, 8, 9, 12, 13, 14, 15}  # 1-based columns holding yuan
BOLD = CellStyle(font=Font(bold=True))
_MONEY = CellStyle(number_format=MONEY)
_BOLD_MONEY = CellStyle(font=Font(bold=True), number_format=MONEY)
_DETAIL_STYLES = {
    **{column: _MONEY for column in MONEY_DETAIL},
    16: CellStyle(number_format="yyyy-mm-dd"),
}


def _header(sheet, headers: list[str]) -> None:
    sheet.freeze_panes = "A2"
    append_row(sheet, headers, style=BOLD)


def _widths(sheet, widths: dict[int, int]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def _totals_sheet(book: Workbook, title: str, first: str, groups: list[Totals], total: Totals):
    sheet = book.create_sheet(title)
    _widths(sheet, {1: 28, **{c: 16 for c in range(2, 10)}})
    _header(sheet, [first, *TOTAL_HEADERS])
    rows = [*groups, total]
    for index, group in enumerate(rows, start=1):
        last = index == len(rows)
        append_row(
            sheet,
            [
                group.label,
                group.count,
                group.fee,
                group.deposit,
                group.withheld,
                group.released,
                group.forfeited,
                group.outstanding,
                group.overdue,
            ],
            style=BOLD if last else None,
            styles={c: _BOLD_MONEY if last else _MONEY for c in range(3, 10)},
        )


def workbook(board: Dashboard) -> bytes:
    """The .xlsx bytes: 保证金明细, 按委托方汇总, 按年度汇总 (amounts are numbers in yuan)."""
    book = new_workbook(write_only=True)  # the whole firm's deposits
    sheet = book.create_sheet("保证金明细")
    _widths(sheet, {1: 16, 2: 44, 3: 20, 5: 18, **{c: 14 for c in MONEY_DETAIL}, 16: 12})
    _header(sheet, DETAIL_HEADERS)
    for row in board.rows:
        c, b = row.contract, row.balances
        append_row(
            sheet,
            [
                row.engagement.code,
                row.engagement.title,
                row.bureau,
                row.year,
                c.number,
                c.fee,
                f"{c.deposit_rate:.2f}%",
                c.deposit,
                b.withheld,
                c.quality_score,
                t.fraction_text(c.release_fraction),
                c.release_amount,
                b.released,
                b.forfeited,
                b.deposit_outstanding,
                c.release_due,
                STATUS_NAMES[row.status],
            ],
            styles=_DETAIL_STYLES,
        )
    _totals_sheet(book, "按委托方汇总", "委托方", board.by_bureau, board.total)
    _totals_sheet(book, "按年度汇总", "签约年度", board.by_year, board.total)
    return xlsx_bytes(book)
