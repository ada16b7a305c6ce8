""".xlsx: the safety pass (zip, structure, every wanted sheet's XML), then calamine reads the cells.

openpyxl (read-only, cached values) is the fallback for the rare file calamine cannot read; it
runs after the same safety pass and never past the rows that pass measured.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from typing import Any, Literal

from workbench.core.spreadsheet.model import (
    FormulaCell,
    FormulaPolicy,
    ReadLimits,
    Sheet,
    refuse,
)
from workbench.core.spreadsheet.xlsx_sheet import Restart, SheetScan
from workbench.core.spreadsheet.xlsx_zip import SheetPart, inflate, measure, open_zip, sheet_parts

UNREADABLE = (
    "无法读取该 xlsx 文件（文件可能已损坏、被截断或设置了密码），请在 Excel 中打开确认后重新保存"
)


def read_xlsx(
    data: bytes,
    *,
    limits: ReadLimits,
    formulas: FormulaPolicy,
    sheets: Literal["first", "all"],
    fast: bool,
) -> tuple[list[Sheet], list[FormulaCell]]:
    """The wanted sheets' cells and the formula cells whose cached values they hold."""
    archive = open_zip(data, limits)
    parts = [part for part in sheet_parts(archive, limits) if part.is_worksheet]
    wanted = parts[:1] if sheets == "first" else parts
    measure(archive, skip={part.path for part in wanted})
    scans = [_scan(archive, part, limits, formulas) for part in wanted]
    read = _calamine(data, wanted, fast=fast)
    if read is None:
        read = _openpyxl(data, wanted, scans)
    return read, [cell for scan in scans for cell in scan.formulas]


def _scan(
    archive: zipfile.ZipFile, part: SheetPart, limits: ReadLimits, formulas: FormulaPolicy
) -> SheetScan:
    """Stream one sheet through the checks, tag by tag if it is not written the usual way."""
    for slow in (False, True):
        scan = SheetScan(sheet=part.name, limits=limits, formulas=formulas, slow=slow)
        try:
            for chunk in inflate(archive, part.path):
                scan.feed(chunk)
            scan.finish()
        except Restart:
            continue
        return scan
    raise AssertionError("the tag-by-tag scan never restarts")  # pragma: no cover


def _calamine(data: bytes, parts: list[SheetPart], *, fast: bool) -> list[Sheet] | None:
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        found = []
        for part in parts:
            sheet = book.get_sheet_by_name(part.name)
            rows = interned_rows(sheet) if fast else sheet.to_python(skip_empty_area=False)
            found.append(Sheet(part.name, rows))
        book.close()
        return found
    except Exception:  # noqa: BLE001 - any calamine failure falls back to openpyxl
        return None


def interned_rows(sheet: Any) -> list[list[Any]]:
    """The cells as `to_python(skip_empty_area=False)` gives them, but equal texts share one
    object: an export repeats a few option texts millions of times, and one string object per
    cell would cost several hundred MB on a 100,000-row file."""
    seen: dict[str, str] = {}
    intern = seen.setdefault
    # iter_rows starts at row 1 but at the first used column; pad back to column A.
    pad = [""] * (sheet.start[1] if sheet.start else 0)
    return [
        pad + [intern(v, v) if v.__class__ is str else v for v in row] for row in sheet.iter_rows()
    ]


def _openpyxl(data: bytes, parts: list[SheetPart], scans: list[SheetScan]) -> list[Sheet]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported extensions it skips
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        found = []
        for part, scan in zip(parts, scans, strict=True):
            sheet = book[part.name]
            sheet.reset_dimensions()  # a forged <dimension> would pad every row
            rows: list[list[Any]] = []
            for values in sheet.iter_rows(values_only=True):
                if len(rows) >= scan.row_bound:
                    break
                rows.append(list(values))
            found.append(Sheet(part.name, rows))
        book.close()
        return found
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes one clear message
        raise refuse("unreadable", UNREADABLE) from exc
