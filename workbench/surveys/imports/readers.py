"""File decoding: .xlsx, .xls and .csv into a Table, through the one spreadsheet reader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.core.spreadsheet import MIB, Problem, SpreadsheetRefused, read_workbook
from workbench.surveys.imports.errors import ImportIssue, ImportRefused, issue
from workbench.surveys.imports.table import DEFAULT_LIMITS, Limits, Table, table_from_raw

__all__ = ["DEFAULT_LIMITS", "Limits", "Table", "read_table"]


def read_table(
    data: bytes | Path | str, *, filename: str = "", limits: Limits = DEFAULT_LIMITS
) -> Table:
    """Read an uploaded .xlsx/.xls/.csv by its content; raises ImportRefused with a clear reason."""
    if isinstance(data, Path | str):
        path = Path(data)
        filename = filename or path.name
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise ImportRefused(
                f"文件大小 {size / MIB:.1f} MB 超过上限 {limits.max_file_bytes / MIB:.0f} MB，不予导入"
            )
        data = path.read_bytes()
    try:
        book = read_workbook(
            source=data,
            filename=filename,
            accepted=("xlsx", "xls", "csv"),
            limits=limits.sheet_limits(),
            sheets="first",
            tidy=False,  # the table checks cells once per distinct value, much faster here
        )
    except SpreadsheetRefused as refused:
        errors = [_issue(problem) for problem in refused.problems]
        raise ImportRefused(refused.problem.message, errors=errors) from None
    sheet = book.sheets[0]
    if book.file_format == "csv":
        raw = pd.DataFrame(sheet.rows)
        return table_from_raw(raw, file_format="csv", encoding=book.encoding, limits=limits)
    return Table.from_rows(sheet.rows, file_format=book.file_format, limits=limits)


def _issue(problem: Problem) -> ImportIssue:
    column = f"{problem.column_letter}列" if problem.column else None
    return issue(problem.message, row=problem.row, column=column)
