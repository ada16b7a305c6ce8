"""The one way exports write cells: stored text stays text, and never breaks the file.

Text beginning with = + - @ (or a tab or carriage return, which spreadsheets skip before reading
one of those) would become a live formula in openpyxl, or one the moment a user edits the cell in
Excel or WPS. It is written as a text cell with Excel's quote prefix (the style Excel itself
sets for `'=…`): the cell shows the text exactly, nothing is evaluated, and reading the export back
gives the same text. Characters XML cannot hold (NUL and other C0 controls, U+FFFE/U+FFFF, lone
surrogates) are dropped, so one bad stored text cannot break every later export. Numbers, dates and
booleans stay what they are: a negative number is a number, never quoted.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill

from workbench.core.spreadsheet.model import ILLEGAL_CHARACTERS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses longer cells ("We found a problem with some content").
MAX_CELL_CHARS = 32_767
_KEPT_TYPES = (bool, int, date, time, timedelta)


@dataclass(frozen=True)
class CellStyle:
    """How written cells look; parts left as None keep openpyxl's defaults."""

    font: Font | None = None
    fill: PatternFill | None = None
    alignment: Alignment | None = None
    border: Border | None = None
    number_format: str | None = None


def clean_text(text: str) -> str:
    """The text without the characters an .xlsx cannot hold, cut to Excel's cell limit."""
    text = ILLEGAL_CHARACTERS.sub("", text)
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def needs_quote(text: str) -> bool:
    """Whether a spreadsheet would take this text for a formula."""
    return text.startswith(FORMULA_STARTS)


def cell_value(value: Any) -> Any:
    """What a cell may hold: numbers, dates and booleans as they are, anything else clean text."""
    if value is None or isinstance(value, _KEPT_TYPES):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    return clean_text(value if isinstance(value, str) else str(value))


def new_workbook(*, write_only: bool = False) -> openpyxl.Workbook:
    """An empty workbook (write-only for large exports: rows go out as they are appended)."""
    book = openpyxl.Workbook(write_only=write_only)
    if not write_only:
        book.remove(book.active)
    return book


def make_cell(sheet: Any, value: Any, style: CellStyle | None = None) -> Cell:
    """A cell of `sheet` holding `value` as data, for `append_row` (normal or write-only)."""
    cell = WriteOnlyCell(sheet)
    _store(cell, value, style)
    return cell


def append_row(
    sheet: Any,
    values: Iterable[Any],
    *,
    style: CellStyle | None = None,
    styles: Mapping[int, CellStyle] | None = None,
) -> None:
    """Append a row; `styles` maps 1-based columns to their look, `style` is for the rest."""
    styles = styles or {}
    sheet.append(
        [
            make_cell(sheet, value, styles.get(column, style))
            for column, value in enumerate(values, start=1)
        ]
    )


def write_cell(
    sheet: Any, *, row: int, column: int, value: Any, style: CellStyle | None = None
) -> Cell:
    """Put `value` into one cell of a normal (not write-only) sheet."""
    cell = sheet.cell(row=row, column=column)
    _store(cell, value, style)
    return cell


def xlsx_bytes(book: openpyxl.Workbook) -> bytes:
    """The saved .xlsx file."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _store(cell: Cell, value: Any, style: CellStyle | None) -> None:
    value = cell_value(value)
    cell.value = value
    if isinstance(value, str) and needs_quote(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    if style is not None:
        for name in ("font", "fill", "alignment", "border", "number_format"):
            part = getattr(style, name)
            if part is not None:
                setattr(cell, name, part)
