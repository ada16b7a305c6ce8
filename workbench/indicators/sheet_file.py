"""Opening an uploaded indicator sheet and reporting its problems by row and column."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import BinaryIO

import openpyxl

GRADE_SHEET = "等级"


class SheetError(ValueError):
    """The sheet cannot be used; `errors` is a list of {sheet, row, column, message}."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__("\n".join(error["message"] for error in errors))


def issue(sheet: str | None, row: int | None, column: str | None, message: str) -> dict:
    """An error dict whose message starts with where it is: 第5行“参数”列：…."""
    where = f"“{sheet}”工作表" if sheet == GRADE_SHEET else ""
    if row is not None:
        where += f"第{row}行"
    if column:
        where += f"“{column}”列"
    text = f"{where}：{message}" if where else message
    return {"sheet": sheet, "row": row, "column": column, "message": text}


def _load_bytes(source: str | Path | bytes | BinaryIO) -> tuple[bytes, str]:
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
    return source.read(), getattr(source, "name", "") or ""


def _open_workbook(data: bytes, name: str) -> openpyxl.Workbook:
    """Open .xlsx bytes; old .xls, CSV, Word files and empty files get a clear refusal."""
    label = f"“{name}”" if name else "上传的文件"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        message = f"{label}是旧版Excel（.xls）格式，请在Excel中另存为.xlsx后再导入"
        raise SheetError([issue(None, None, None, message)])
    if not data.startswith(b"PK\x03\x04"):
        message = f"{label}不是Excel工作簿（.xlsx），请上传指标体系的.xlsx文件"
        raise SheetError([issue(None, None, None, message)])
    try:
        with warnings.catch_warnings():
            # openpyxl warns about unsupported extensions (data validation, styles) it skips.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data))
            if any(
                cell.data_type == "f"
                for ws in workbook.worksheets
                for row in ws.iter_rows()
                for cell in row
            ):
                workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or non-Excel zip
        message = f"{label}不是有效的Excel工作簿（.xlsx），无法打开"
        raise SheetError([issue(None, None, None, message)]) from exc
    return workbook


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


def open_workbook(source: str | Path | bytes | BinaryIO, filename: str | None = None):
    """Open a path, bytes or binary file as an openpyxl workbook, or raise SheetError."""
    data, name = _load_bytes(source)
    return _open_workbook(data, filename or name)
