"""Which spreadsheet format a file really is, from its first bytes, never from its name alone."""

from __future__ import annotations

import io
from collections.abc import Collection

from workbench.core.spreadsheet.model import MIB, Format, ReadLimits, refuse

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BROKEN_XLS = "无法读取该 .xls 文件（文件可能已损坏、被截断或设置了密码），请在 Excel 中打开后另存为 .xlsx 再导入"
ENCRYPTED = "文件设置了打开密码（已加密），无法读取。请在 Excel 中取消密码后另存为 .xlsx 再导入"
_OTHER_FILES = {
    b"%PDF": "PDF 文件",
    b"\x89PNG\r\n\x1a\n": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片",
    b"Rar!": "RAR 压缩包",
    b"7z\xbc\xaf": "7z 压缩包",
    b"\x1f\x8b": "gzip 压缩包",
    b"MZ": "可执行程序",
    b"\x7fELF": "可执行程序",
}
_NAMES = {"xlsx": ".xlsx", "xls": ".xls（旧版 Excel）", "csv": ".csv"}


def label(filename: str) -> str:
    """How the file is named in a message: “名称.xlsx”, or 上传的文件."""
    return f"“{filename}”" if filename else "上传的文件"


def check_size(size: int, limits: ReadLimits) -> None:
    """Refuse a file larger than the limit before anything is read."""
    if size > limits.max_file_bytes:
        raise refuse(
            "too_big",
            f"文件大小 {size / MIB:.1f} MB 超过上限 {limits.max_file_bytes / MIB:.0f} MB，不予导入",
        )


def detect(data: bytes, *, filename: str, accepted: Collection[Format]) -> Format:
    """The format of `data`, refusing empty, disguised, encrypted and unaccepted files."""
    if not data.strip():
        raise refuse("empty", "文件为空，没有任何内容")
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    found = _sniff(data, suffix, wanted=_wanted(accepted))
    if found not in accepted:
        raise _not_accepted(found, filename, accepted)
    return found


def _wanted(accepted: Collection[Format]) -> str:
    return "、".join(_NAMES[f] for f in ("xlsx", "xls", "csv") if f in accepted)


def _sniff(data: bytes, suffix: str, *, wanted: str) -> Format:
    if data.startswith(ZIP_MAGIC) or (suffix == "xlsx" and data.startswith(b"PK")):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        return _ole_kind(data)
    if looks_like_html(data):
        shown = f".{suffix}" if suffix else "Excel"
        raise refuse(
            "html",
            f"该文件实际上是网页（HTML）格式，只是扩展名为 {shown}，无法按 Excel 读取。"
            "请用 Excel 打开后“另存为”.xlsx 文件，或重新下载 Excel/CSV 格式后再导入",
        )
    other = next((name for magic, name in _OTHER_FILES.items() if data.startswith(magic)), None)
    if other:
        raise refuse("not_excel", f"文件内容是{other}，不是可导入的 {wanted} 文件")
    if suffix in ("xlsx", "xlsm", "xls"):
        raise refuse(
            "not_excel",
            f"文件扩展名为 .{suffix}，但内容不是有效的 Excel 文件（可能已损坏或下载不完整）",
        )
    return "csv"


def _ole_kind(data: bytes) -> Format:
    """An Office 97-2003 container: an .xls workbook, an encrypted .xlsx, or another document."""
    from xlrd.compdoc import CompDoc

    try:
        streams = {entry.name for entry in CompDoc(data, logfile=io.StringIO()).dirlist}
    except Exception:  # noqa: BLE001 - a damaged container: the .xls reader will say so
        return "xls"
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise refuse("encrypted", ENCRYPTED)
    if not streams & {"Workbook", "Book"}:
        raise refuse(
            "not_excel", "文件是 Office 97-2003 文档，但不是 Excel 工作簿（可能是 Word 或其他文档）"
        )
    return "xls"


def _not_accepted(found: Format, filename: str, accepted: Collection[Format]):
    wanted = _wanted(accepted)
    if found == "xls":
        message = f"{label(filename)}是旧版Excel（.xls）格式，请在Excel中另存为.xlsx后再导入"
    else:
        message = f"{label(filename)}不是Excel工作簿，只能导入 {wanted} 文件"
    return refuse("not_accepted", message)


def looks_like_html(data: bytes) -> bool:
    """Whether the file is a web page (or a saved MIME page), as some systems' “Excel” exports are."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"mime-version:"):
        return True
    return head.startswith(b"<") and any(
        tag in head for tag in (b"<html", b"<table", b"<!doctype", b"<meta", b"<head")
    )
