""".xls (Excel 97-2003) through xlrd, which keeps rows ragged: memory follows the cells present.

calamine would turn two far-apart cells into a dense grid (and the format allows column numbers
up to 65,535 in a forged record); xlrd refuses anything past 65,536 × 256, and its sheet size is
checked against the limits before any row is converted. Formulas cannot be told apart from values
here: xlrd gives the value Excel saved.
"""

from __future__ import annotations

import io
from typing import Any, Literal

from workbench.core.spreadsheet.model import ReadLimits, Sheet, refuse
from workbench.core.spreadsheet.sniff import BROKEN_XLS, ENCRYPTED


def read_xls(
    data: bytes, *, limits: ReadLimits, sheets: Literal["first", "all"], fast: bool
) -> list[Sheet]:
    """The wanted sheets of an .xls; empty cells are "" when `fast`, else None."""
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=data, on_demand=True, ragged_rows=True, logfile=io.StringIO()
        )
    except xlrd.XLRDError as exc:
        encrypted = "encrypted" in str(exc).lower()
        raise refuse(
            "encrypted" if encrypted else "broken", ENCRYPTED if encrypted else BROKEN_XLS
        ) from exc
    except Exception as exc:  # noqa: BLE001 - xlrd raises many types for a damaged file
        raise refuse("broken", BROKEN_XLS) from exc
    try:
        if book.nsheets > limits.max_sheets:
            raise refuse(
                "too_many_sheets",
                f"工作簿有 {book.nsheets} 个工作表，超过上限 {limits.max_sheets} 个",
            )
        found = []
        for index in range(1 if sheets == "first" else book.nsheets):
            found.append(_sheet(book, index, limits, fast=fast))
        return found
    finally:
        book.release_resources()


def _sheet(book: Any, index: int, limits: ReadLimits, *, fast: bool) -> Sheet:
    import xlrd

    try:
        sheet = book.sheet_by_index(index)
    except Exception as exc:  # noqa: BLE001 - a damaged sheet record
        raise refuse("broken", BROKEN_XLS) from exc
    rows, columns = sheet.nrows, sheet.ncols
    if rows > limits.max_rows or columns > limits.max_columns or rows * columns > limits.max_cells:
        raise refuse(
            "too_large",
            f"工作表“{sheet.name}”有 {rows} 行 × {columns} 列，超过上限（最多 {limits.max_rows} 行、"
            f"{limits.max_columns} 列、{limits.max_cells} 个单元格）",
            sheet=sheet.name,
        )
    empty = "" if fast else None
    special = {xlrd.XL_CELL_DATE, xlrd.XL_CELL_BOOLEAN, xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY,
               xlrd.XL_CELL_BLANK}  # fmt: skip
    found = []
    for number in range(rows):
        values = sheet.row_values(number)
        types = sheet.row_types(number)
        row = [int(v) if v.__class__ is float and v.is_integer() else v for v in values]
        if special.intersection(types):
            for at, kind in enumerate(types):
                if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row[at] = empty
                elif kind == xlrd.XL_CELL_BOOLEAN:
                    row[at] = bool(values[at])
                elif kind == xlrd.XL_CELL_ERROR:
                    row[at] = xlrd.error_text_from_code.get(values[at], "#N/A")
                elif kind == xlrd.XL_CELL_DATE:
                    row[at] = _date(values[at], book.datemode)
        found.append(row)
    book.unload_sheet(index)
    return Sheet(sheet.name, found)


def _date(value: float, datemode: int) -> Any:
    from xlrd.xldate import XLDateError, xldate_as_datetime

    try:
        moment = xldate_as_datetime(value, datemode)
    except (XLDateError, ValueError, OverflowError):
        return value
    return moment.date() if moment.time() == moment.min.time() and value >= 1 else moment
