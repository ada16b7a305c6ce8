"""Excel files: .xlsx (zip size and formula checks first, calamine then openpyxl) and .xls."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from typing import Any

from workbench.surveys.imports.errors import ImportRefused, issue
from workbench.surveys.imports.table import MIB, Limits, Table

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"')
_BROKEN_XLSX = "xlsx 文件不完整或已损坏（可能下载中断或文件被截断），请重新下载后再导入"


def read_xlsx(data: bytes, limits: Limits) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportRefused(_BROKEN_XLSX) from exc
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed_bytes:
        raise ImportRefused(
            f"xlsx 文件解压后大小为 {total / MIB:.0f} MB，超过上限 "
            f"{limits.max_uncompressed_bytes / MIB:.0f} MB（疑似压缩炸弹），不予导入"
        )
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise ImportRefused(
            "文件是压缩包但不是 Excel 工作簿（缺少 xl/workbook.xml），请上传问卷星导出的 xlsx 文件"
        )
    sheet_path = _first_sheet_path(archive, names)
    if sheet_path:
        _refuse_formulas(archive, sheet_path)
    rows = _calamine_rows(data)
    if rows is None:
        rows = _openpyxl_rows(data)
    return Table.from_rows(rows, file_format="xlsx", limits=limits)


def _first_sheet_path(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """The zip path of the first worksheet, following workbook.xml and its relationships."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    sheet = re.search(rb'<(?:\w+:)?sheet\b[^>]*?\b\w+:id="([^"]+)"', workbook)
    if not sheet:
        return None
    rel_id = re.escape(sheet.group(1))
    rel = re.search(rb"<Relationship\b[^>]*?Id=\"" + rel_id + rb"\"[^>]*?>", rels)
    target = re.search(rb'Target="([^"]+)"', rel.group(0)) if rel else None
    if not target:
        return None
    path = target.group(1).decode("utf-8", "replace").lstrip("/")
    path = path if path.startswith("xl/") else f"xl/{path}"
    return path if path in names else None


def _refuse_formulas(archive: zipfile.ZipFile, sheet_path: str) -> None:
    """Refuse a sheet holding formulas: they are never evaluated and cached values may be stale."""
    tail = b""
    try:
        with archive.open(sheet_path) as stream:
            while chunk := stream.read(4 * MIB):
                window = tail + chunk
                at = _find_formula(window)
                if at >= 0:
                    refs = list(_CELL_REF.finditer(window, 0, at))
                    raise _formula_refused(refs[-1] if refs else None)
                tail = window[-8192:]
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise ImportRefused(_BROKEN_XLSX) from exc


def _find_formula(window: bytes) -> int:
    """Offset of the first `<f>` (formula) element, or -1; `bytes.find` first, as a regex is slow."""
    for marker in (b"<f", b":f"):
        start = window.find(marker)
        while start >= 0:
            if marker == b"<f" or _FORMULA_TAG.match(window, window.rfind(b"<", 0, start + 1)):
                following = window[start + 2 : start + 3]
                if following in (b" ", b">", b"/", b"\t", b"\r", b"\n"):
                    return start
            start = window.find(marker, start + 2)
    return -1


def _formula_refused(ref: re.Match[bytes] | None) -> ImportRefused:
    advice = "导入不会计算公式，请先将公式转换为数值（复制后“选择性粘贴 → 数值”）再导入"
    if ref is None:
        return ImportRefused(f"工作表中含有公式。{advice}")
    col, row = ref.group(1).decode(), int(ref.group(2).decode())
    message = f"第{row}行 {col}列的单元格含有公式。{advice}"
    return ImportRefused(message, errors=[issue(message, row=row, column=f"{col}列")])


def _calamine_rows(data: bytes) -> list[list[Any]] | None:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - calamine is a dependency; openpyxl is the fallback
        return None
    try:
        return _interned_rows(
            CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        )
    except Exception:  # noqa: BLE001 - any calamine failure falls back to openpyxl
        return None


def _interned_rows(sheet: Any) -> list[list[Any]]:
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


def _openpyxl_rows(data: bytes) -> list[list[Any]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes one clear message
        raise ImportRefused(
            "无法读取该 xlsx 文件（文件可能已损坏、被截断或设置了密码），请在 Excel 中打开确认后重新保存"
        ) from exc


def read_xls(data: bytes, limits: Limits) -> Table:
    rows: list[list[Any]] | None = None
    try:
        from python_calamine import CalamineWorkbook

        rows = _interned_rows(
            CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        )
    except Exception:  # noqa: BLE001 - fall back to xlrd below
        rows = None
    if rows is None:
        try:
            import xlrd

            book = xlrd.open_workbook(file_contents=data)
            sheet = book.sheet_by_index(0)
            rows = [sheet.row_values(i) for i in range(sheet.nrows)]
        except Exception as exc:  # noqa: BLE001 - any reader failure becomes one clear message
            raise ImportRefused(
                "无法读取该 .xls 文件（文件可能已损坏、被截断或设置了密码），请在 Excel 中打开后另存为 .xlsx 再导入"
            ) from exc
    return Table.from_rows(rows, file_format="xls", limits=limits)
