"""The zip around an .xlsx: caps on members and sizes, real inflated sizes, the sheet list.

Declared sizes in a zip are not trusted: every member is inflated here once, in chunks, and a
member that inflates to more than it declares is refused (a forged header hides a zip bomb).
"""

from __future__ import annotations

import copy
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree import ElementTree

from workbench.core.spreadsheet.model import MIB, ReadLimits, SpreadsheetRefused, refuse

CHUNK = 4 * MIB
BROKEN = "xlsx 文件不完整或已损坏（可能下载中断或文件被截断），请重新下载后再导入"
_BOMB = "（疑似压缩炸弹），不予导入"
# Parts read whole into memory (the sheet list and its relationships) are small in real files.
_MAX_PART = 16 * MIB
_RATIO_FLOOR = MIB
_OTHER_PACKAGES = {
    "word/document.xml": "Word 文档（.docx）",
    "ppt/presentation.xml": "PowerPoint 演示文稿（.pptx）",
    "OFD.xml": "OFD 文档",
}
_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error, ValueError)


@dataclass(frozen=True)
class SheetPart:
    """A sheet of the workbook: its name, its zip member and whether it holds cells."""

    name: str
    path: str
    is_worksheet: bool


def open_zip(data: bytes | BinaryIO, limits: ReadLimits) -> zipfile.ZipFile:
    """The archive, after the checks its central directory allows: members, sizes, ratios.

    `data` may also be an open binary file (a large stored upload read without loading it)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
        members = archive.infolist()
    except _READ_ERRORS as exc:
        raise refuse("broken", BROKEN) from exc
    if len(members) > limits.max_members:
        raise refuse(
            "zip_bomb",
            f"xlsx 文件中有 {len(members)} 个部件，超过上限 {limits.max_members} 个{_BOMB}",
        )
    names = [m.filename for m in members]
    if len(set(names)) != len(names):
        raise refuse("forged", "xlsx 文件中有重名的部件，文件可能被篡改，不予导入")
    if any(m.flag_bits & 0x1 for m in members):
        raise refuse("encrypted", "xlsx 文件中的部件设置了密码（已加密），无法读取")
    if any(m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for m in members):
        raise refuse("broken", "xlsx 文件使用了 Excel 不会使用的压缩方式，文件可能被篡改，不予导入")
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed_bytes:
        raise refuse(
            "zip_bomb",
            f"xlsx 文件解压后大小为 {total / MIB:.0f} MB，超过上限 "
            f"{limits.max_uncompressed_bytes / MIB:.0f} MB{_BOMB}",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR and ratio > limits.max_member_ratio:
            raise refuse(
                "zip_bomb",
                f"xlsx 文件中的“{member.filename}”解压后为 {member.file_size / MIB:.0f} MB，"
                f"压缩比 {ratio:.0f}:1 超过上限 {limits.max_member_ratio}:1{_BOMB}",
            )
    if "xl/workbook.xml" not in names:
        kind = next((k for path, k in _OTHER_PACKAGES.items() if path in names), None)
        message = (
            f"文件是{kind}，不是 Excel 工作簿，请上传 .xlsx 文件"
            if kind
            else "文件是压缩包但不是 Excel 工作簿（缺少 xl/workbook.xml），请上传 .xlsx 文件"
        )
        raise refuse("not_workbook", message)
    return archive


def inflate(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """A member's content in chunks, refusing one that holds more than its header declares."""
    info = archive.getinfo(name)
    # zipfile stops at the declared size; asking for one byte more shows whether more is there.
    # It would then find the checksum wrong before saying so, so the checksum is checked here.
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    del probe.CRC
    seen = checksum = 0
    try:
        with archive.open(probe) as stream:
            while chunk := stream.read(CHUNK):
                seen += len(chunk)
                if seen > info.file_size:
                    raise refuse(
                        "forged",
                        f"xlsx 文件中的“{name}”实际内容比声明的大小多，文件可能被篡改{_BOMB}",
                    )
                checksum = zlib.crc32(chunk, checksum)
                yield chunk
    except SpreadsheetRefused:
        raise
    except _READ_ERRORS as exc:
        raise refuse("broken", BROKEN) from exc
    if seen != info.file_size or checksum != info.CRC:
        raise refuse("broken", BROKEN)


def read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    """A small member read whole (the sheet list, relationships)."""
    if archive.getinfo(name).file_size > _MAX_PART:
        raise refuse("zip_bomb", f"xlsx 文件中的“{name}”大得不正常{_BOMB}")
    return b"".join(inflate(archive, name))


def measure(archive: zipfile.ZipFile, skip: set[str]) -> None:
    """Inflate every member not in `skip`, so none holds more than it declares."""
    for info in archive.infolist():
        if info.filename not in skip and not info.is_dir():
            for _chunk in inflate(archive, info.filename):
                pass


def sheet_parts(archive: zipfile.ZipFile, limits: ReadLimits) -> list[SheetPart]:
    """The workbook's sheets in order, each with the member a reader would open."""
    names = set(archive.namelist())
    try:
        workbook = ElementTree.fromstring(read_part(archive, "xl/workbook.xml"))
        rels_name = "xl/_rels/workbook.xml.rels"
        rels = ElementTree.fromstring(read_part(archive, rels_name)) if rels_name in names else None
    except ElementTree.ParseError as exc:
        raise refuse("broken", BROKEN) from exc
    targets = {}
    for element in rels.iter() if rels is not None else ():
        if _local(element.tag) == "Relationship":
            targets[element.get("Id")] = element.get("Target") or ""
    sheets = [e for e in workbook.iter() if _local(e.tag) == "sheet"]
    if len(sheets) > limits.max_sheets:
        raise refuse(
            "too_many_sheets", f"工作簿有 {len(sheets)} 个工作表，超过上限 {limits.max_sheets} 个"
        )
    parts = []
    for element in sheets:
        rel = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rel, "")
        path = target[1:] if target.startswith("/") else target
        path = path if path.startswith("xl/") else f"xl/{path}"
        parts.append(
            SheetPart(
                name=element.get("name") or "",
                path=path,
                is_worksheet=path.split("/")[1:2] == ["worksheets"] and path in names,
            )
        )
    if not any(part.is_worksheet for part in parts):
        raise refuse("not_workbook", "Excel 工作簿中没有任何工作表（可能已损坏），无法导入")
    return parts


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
