"""The one way spreadsheets are read: the bytes taken once, every cap checked, cells out."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, BinaryIO, Literal

from workbench.core.spreadsheet.csv_text import read_csv
from workbench.core.spreadsheet.model import (
    DEFAULT_LIMITS,
    Format,
    FormulaPolicy,
    Problem,
    ReadLimits,
    Sheet,
    SpreadsheetRefused,
    Workbook,
    text_problem,
)
from workbench.core.spreadsheet.sniff import check_size, detect
from workbench.core.spreadsheet.xls import read_xls
from workbench.core.spreadsheet.xlsx import read_xlsx

# Enough problems to show a pattern without flooding the page.
MAX_PROBLEMS = 50


def read_workbook(
    *,
    source: bytes | BinaryIO,
    filename: str = "",
    accepted: Collection[Format] = ("xlsx",),
    limits: ReadLimits = DEFAULT_LIMITS,
    formulas: FormulaPolicy = "refuse",
    sheets: Literal["first", "all"] = "all",
    tidy: bool = True,
) -> Workbook:
    """Read an uploaded spreadsheet; SpreadsheetRefused says why and where it cannot be.

    The format comes from the content (the name only breaks ties). `formulas="cached"` uses the
    values Excel saved for formula cells and lists those cells; the default refuses them.
    `tidy` turns empty cells into None and whole numbers into int and checks every text; a
    caller that checks cells itself (the survey importer, per distinct value) passes False.
    """
    data = _take(source, limits)
    file_format = detect(data, filename=filename, accepted=accepted)
    found = []
    encoding = None
    if file_format == "xlsx":
        read, found = read_xlsx(
            data, limits=limits, formulas=formulas, sheets=sheets, fast=not tidy
        )
    elif file_format == "xls":
        read = read_xls(data, limits=limits, sheets=sheets, fast=not tidy)
    else:
        sheet, encoding = read_csv(data, limits=limits)
        read = [sheet]
    if tidy:
        read = [_tidy(sheet, limits) for sheet in read]
    return Workbook(file_format, read, formulas=found, encoding=encoding)


def _take(source: bytes | BinaryIO, limits: ReadLimits) -> bytes:
    """The file's bytes, read once and never more than the size limit allows."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        data = source.read(limits.max_file_bytes + 1)
    check_size(len(data), limits)
    return data


def _tidy(sheet: Sheet, limits: ReadLimits) -> Sheet:
    """Empty cells as None, whole numbers as int, every text checked; all problems at once."""
    problems: list[Problem] = []
    rows: list[list[Any]] = []
    name = sheet.name or None
    for number, values in enumerate(sheet.rows, start=1):
        row = []
        for column, value in enumerate(values, start=1):
            if value.__class__ is str:
                if not value:
                    value = None
                elif len(problems) < MAX_PROBLEMS:
                    problem = text_problem(
                        value,
                        max_chars=limits.max_cell_chars,
                        sheet=name,
                        row=number,
                        column=column,
                    )
                    if problem:
                        problems.append(problem)
            elif value.__class__ is float and value.is_integer():
                value = int(value)
            row.append(value)
        rows.append(row)
    if problems:
        raise SpreadsheetRefused(problems)
    return Sheet(sheet.name, rows)
