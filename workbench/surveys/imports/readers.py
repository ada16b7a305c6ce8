"""File decoding: .xlsx, .xls and .csv into a Table, refusing unsafe or unreadable files first."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from workbench.surveys.imports.errors import ImportRefused, issue
from workbench.surveys.imports.excel import read_xls, read_xlsx
from workbench.surveys.imports.table import DEFAULT_LIMITS, MIB, Limits, Table, table_from_raw

__all__ = ["DEFAULT_LIMITS", "Limits", "Table", "read_table"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_CSV_PARSER_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OTHER_DELIMITERS = {"\t": "制表符（Tab）", ";": "分号“;”", "|": "竖线“|”", "；": "全角分号“；”"}


def read_table(
    data: bytes | Path | str, *, filename: str = "", limits: Limits = DEFAULT_LIMITS
) -> Table:
    """Read an uploaded .xlsx/.xls/.csv by its content; raises ImportRefused with a clear reason."""
    if isinstance(data, Path | str):
        path = Path(data)
        filename = filename or path.name
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise ImportRefused(_too_big(size, limits))
        data = path.read_bytes()
    if len(data) > limits.max_file_bytes:
        raise ImportRefused(_too_big(len(data), limits))
    if not data.strip():
        raise ImportRefused("文件为空，没有任何内容")
    suffix = Path(filename).suffix.lower()
    if data.startswith(_ZIP_MAGIC) or (suffix == ".xlsx" and data.startswith(b"PK")):
        return read_xlsx(data, limits)
    if data.startswith(_OLE_MAGIC):
        return read_xls(data, limits)
    if _looks_like_html(data):
        raise ImportRefused(
            "该文件实际上是网页（HTML）格式，只是扩展名为 .xls，无法按 Excel 读取。"
            "请用 Excel 打开后“另存为”.xlsx 文件，或在问卷星重新下载 Excel/CSV 格式后再导入"
        )
    if suffix in (".xlsx", ".xlsm"):
        raise ImportRefused(
            "文件扩展名为 .xlsx，但内容不是有效的 Excel 文件（可能已损坏或下载不完整）"
        )
    if suffix == ".xls":
        raise ImportRefused(
            "文件扩展名为 .xls，但内容不是有效的 Excel 文件（可能已损坏或下载不完整）"
        )
    return _read_csv(data, limits)


def _too_big(size: int, limits: Limits) -> str:
    return f"文件大小 {size / MIB:.1f} MB 超过上限 {limits.max_file_bytes / MIB:.0f} MB，不予导入"


def _looks_like_html(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"mime-version:"):
        return True
    return head.startswith(b"<") and any(
        tag in head for tag in (b"<html", b"<table", b"<!doctype", b"<meta", b"<head")
    )


def _decode_text(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused(
            "文件为 UTF-16 编码，暂不支持。请另存为 UTF-8 或 GBK 编码的 CSV 后再导入"
        )
    if b"\x00" in data[:65536]:
        raise ImportRefused("文件不是文本格式的 CSV，也不是 Excel 文件，无法导入")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    for encoding in ("utf-8", "gbk", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportRefused(
        "无法识别文件编码：CSV 文件只支持 UTF-8（可带 BOM）、GBK 或 GB18030 编码，请另存后再导入"
    )


def _read_csv(data: bytes, limits: Limits) -> Table:
    try:
        text, encoding = _decode_text(data)
    except UnicodeDecodeError as exc:
        raise ImportRefused("UTF-8 编码的文件中有无效字节，文件可能已损坏") from exc
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    commas = first_line.count(",")
    for delimiter, name in _OTHER_DELIMITERS.items():
        if first_line.count(delimiter) > commas:
            raise ImportRefused(
                f"CSV 文件使用{name}分隔各列，只支持逗号分隔（问卷星导出的默认格式）。"
                "请在 Excel 中打开后另存为“CSV（逗号分隔）”再导入"
            )
    try:
        raw = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.EmptyDataError as exc:
        raise ImportRefused("文件为空，没有任何内容") from exc
    except pd.errors.ParserError as exc:
        match = _CSV_PARSER_LINE.search(str(exc))
        if match:
            expected, line, saw = match.groups()
            message = (
                f"第{line}行有 {saw} 列，而表头只有 {expected} 列（可能有未加引号的逗号），"
                "请检查后重新导出"
            )
            raise ImportRefused(message, errors=[issue(message, row=int(line))]) from exc
        raise ImportRefused("CSV 文件格式有误（引号不配对或行结构混乱），无法解析") from exc
    raw = raw.astype(object)
    return table_from_raw(raw, file_format="csv", encoding=encoding, limits=limits)
