"""Opening an uploaded indicator sheet (through the one spreadsheet reader) and reporting its
problems by row and column."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from workbench.core.problems import FieldError, Invalid
from workbench.core.spreadsheet import (
    MIB,
    Problem,
    ReadLimits,
    SpreadsheetRefused,
    Workbook,
    read_workbook,
)

GRADE_SHEET = "等级"
# An indicator system has a few hundred leaves; these caps leave ample room and no more.
SHEET_LIMITS = ReadLimits(
    max_file_bytes=10 * MIB,
    max_uncompressed_bytes=50 * MIB,
    max_sheets=20,
    max_rows=5_000,
    max_columns=100,
    max_cells=200_000,
)


class SheetError(Invalid):
    """The sheet cannot be used; `errors` place each problem by sheet, row and column."""

    def __init__(self, errors: Iterable[FieldError]):
        errors = tuple(errors)
        super().__init__("\n".join(error.message for error in errors), errors)


def issue(sheet: str | None, row: int | None, column: str | None, message: str) -> FieldError:
    """A sheet's error whose message starts with where it is: 第5行“参数”列：…."""
    where = f"“{sheet}”工作表" if sheet == GRADE_SHEET else ""
    if row is not None:
        where += f"第{row}行"
    if column:
        where += f"“{column}”列"
    text = f"{where}：{message}" if where else message
    return FieldError(text, sheet=sheet, row=row, column=column)


def _load_bytes(source: str | Path | bytes | BinaryIO) -> tuple[bytes | BinaryIO, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), ""
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            return path.read_bytes(), path.name
        except OSError as exc:
            raise SheetError(
                [issue(None, None, None, f"无法读取文件“{path.name}”：{exc}")]
            ) from exc
    return source, getattr(source, "name", "") or ""


def _refusal(problem: Problem, name: str) -> FieldError:
    """A reader's refusal in this module's error shape, in the words indicator sheets use."""
    label = f"“{name}”" if name else "上传的文件"
    message = problem.message
    if problem.kind == "not_accepted" and "旧版Excel" not in message:
        message = f"{label}不是Excel工作簿（.xlsx），请上传指标体系的.xlsx文件"
    elif problem.kind == "not_excel":
        message = f"{label}不是Excel工作簿（.xlsx），请上传指标体系的.xlsx文件（{message}）"
    elif problem.kind in ("broken", "not_workbook", "unreadable"):
        message = f"{label}不是有效的Excel工作簿（.xlsx），无法打开：{message}"
    return FieldError(message, sheet=problem.sheet, row=problem.row, column=problem.column_letter)


def cell_text(value: object) -> str | None:
    """Cell content as trimmed text; None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else str(value)
    else:
        text = str(value).strip()
    return text or None


def open_workbook(source: str | Path | bytes | BinaryIO, filename: str | None = None) -> Workbook:
    """Read a path, bytes or binary file once as an indicator sheet's workbook, or raise SheetError.

    Formulas are allowed: their values as Excel saved them are read, and the cells are listed
    (`Workbook.formulas`) so the import can say so.
    """
    data, name = _load_bytes(source)
    name = filename or name
    try:
        return read_workbook(
            source=data, filename=name, limits=SHEET_LIMITS, formulas="cached", sheets="all"
        )
    except SpreadsheetRefused as refused:
        raise SheetError([_refusal(p, name) for p in refused.problems]) from None
