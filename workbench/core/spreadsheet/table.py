"""A list page as an Excel sheet: the page's columns, one row per record, ready to sort and filter.

Every table export (working papers index, findings, document requests, experts, engagements,
rectification items, …) is a list of `Column`s and the rows' values, written by `table_workbook`
through the guarded writer (stored text that looks like a formula stays text). The header is bold
and frozen with an auto-filter on it; dates and money get their number formats; long text wraps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from workbench.core.spreadsheet.writing import CellStyle, append_row, new_workbook, xlsx_bytes

Kind = Literal["text", "wrap", "date", "datetime", "number", "money"]

_TOP = Alignment(vertical="top")
_STYLES: dict[str, CellStyle] = {
    "text": CellStyle(alignment=_TOP),
    "wrap": CellStyle(alignment=Alignment(wrap_text=True, vertical="top")),
    "date": CellStyle(number_format="yyyy-mm-dd", alignment=_TOP),
    "datetime": CellStyle(number_format="yyyy-mm-dd hh:mm", alignment=_TOP),
    "number": CellStyle(alignment=_TOP),
    "money": CellStyle(number_format="#,##0.00", alignment=_TOP),
}
_HEADER = CellStyle(font=Font(bold=True), alignment=Alignment(vertical="center"))


@dataclass(frozen=True)
class Column:
    """One column: its header (the page's own name for it), width in characters, kind of value."""

    header: str
    width: int = 12
    kind: Kind = "text"


def table_workbook(sheet: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet named `sheet`: the headers, then each row's values in the columns' order."""
    book = new_workbook()
    target = book.create_sheet(sheet)
    target.freeze_panes = "A2"
    for number, column in enumerate(columns, start=1):
        target.column_dimensions[get_column_letter(number)].width = column.width
    append_row(target, [c.header for c in columns], style=_HEADER)
    styles = {n: _STYLES[c.kind] for n, c in enumerate(columns, start=1)}
    count = 0
    for values in rows:
        if len(values) != len(columns):
            raise ValueError(f"row of {len(values)} values for {len(columns)} columns")
        append_row(target, values, styles=styles)
        count += 1
    target.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return xlsx_bytes(book)


def headers(columns: Sequence[Column]) -> list[str]:
    return [c.header for c in columns]
