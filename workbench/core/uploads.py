"""Upload validation: size, safe names, and a type sniffed from the content, not the name.

An uploaded file is handled as the bytes-like `Content`: small files as bytes, a file werkzeug
spooled to disk while receiving it (over 500 KB) as a read-only memory map of that file
(`received`), so checking, hashing and storing a 50 MB scan never copies it onto the heap.
"""

from __future__ import annotations

import mmap
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO, UnsupportedOperation
from pathlib import Path

import puremagic
from flask import current_app, has_app_context, request
from werkzeug.datastructures import FileStorage

from workbench.core.errors import ValidationFailed
from workbench.core.problems import FieldError
from workbench.core.storage import digest

# extension → (family the content must sniff as, MIME served)
TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "png": ("png", "image/png"),
    "doc": ("ole2", "application/msword"),
    "xls": ("ole2", "application/vnd.ms-excel"),
    "ppt": ("ole2", "application/vnd.ms-powerpoint"),
    "wps": ("ole2", "application/vnd.ms-works"),
    "et": ("ole2", "application/vnd.ms-excel"),
    "docx": ("ooxml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("ooxml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("ooxml", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "ofd": ("zip", "application/ofd"),
    "zip": ("zip", "application/zip"),
    "txt": ("text", "text/plain; charset=utf-8"),
    "csv": ("text", "text/csv"),
}
EVIDENCE_TYPES = frozenset(
    {
        "pdf",
        "jpg",
        "jpeg",
        "png",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "wps",
        "et",
        "ofd",
        "txt",
        "zip",
    }
)
FAMILY_NAMES = {
    "pdf": "PDF",
    "jpeg": "JPEG 图片",
    "png": "PNG 图片",
    "ole2": "Office 97-2003/WPS 文档",
    "ooxml": "Office 文档",
    "zip": "压缩包",
    "text": "文本",
    "broken": "已损坏（不完整）的压缩包",
}
_SIGNATURES = {
    b"%PDF": "pdf",
    b"\xff\xd8\xff": "jpeg",
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "ole2",
    b"PK\x03\x04": "zip",
}
_DANGEROUS = {
    ".exe",
    ".dll",
    ".elf",
    ".html",
    ".htm",
    ".js",
    ".sh",
    ".bat",
    ".msi",
    ".class",
    ".jar",
    ".svg",
    ".xml",
    ".php",
}
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]|^\.|\.\.")


Content = bytes | mmap.mmap


def max_upload_mb() -> int:
    """The largest upload the instance accepts, in MB (`MAX_UPLOAD_MB`, 50 outside an app)."""
    return int(current_app.config.get("MAX_UPLOAD_MB", 50)) if has_app_context() else 50


def received(upload: FileStorage) -> Content:
    """The file's content without reading it onto the heap when it was spooled to disk."""
    stream = upload.stream
    try:
        fileno = stream.fileno()
    except (AttributeError, OSError, UnsupportedOperation):
        return upload.read()  # held in memory already (a small file)
    try:
        return mmap.mmap(fileno, 0, access=mmap.ACCESS_READ)
    except ValueError:  # an empty file cannot be mapped
        return b""


def received_files(field: str = "files") -> list[tuple[str, Content]]:
    """(original name, content) of every file the request sent under `field` (pages and API)."""
    return [
        (item.filename or "", received(item))
        for item in request.files.getlist(field)
        if item is not None and (item.filename or item.content_length)
    ]


@contextmanager
def as_file(upload: FileStorage, *, suffix: str = "") -> Iterator[Path]:
    """The upload copied to a temporary file of its own, in steps of 1 MB (never whole in memory),
    for readers that need a path (an offline return package of a gigabyte); removed afterwards."""
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(upload.stream, out, 1 << 20)
        yield path
    finally:
        path.unlink(missing_ok=True)


def reader(data: Content):
    """A seekable reader over the content (the map itself, or the bytes wrapped)."""
    if isinstance(data, mmap.mmap):
        data.seek(0)
        return data
    return BytesIO(data)


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    extension: str
    mime: str
    data: Content


def _refuse(message: str, field: str = "file") -> ValidationFailed:
    return ValidationFailed.of_field(field, message)


def safe_name(name: str) -> str:
    """The original name if it is a plain file name; traversal and control characters are refused."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name or _BAD_NAME.search(name) or len(name) > 200:
        raise _refuse(
            f"文件名“{name[:60]}”不合法：不能包含路径、“..”或控制字符，且不超过 200 个字符"
        )
    return name


def _family(data: Content) -> set[str]:
    head = bytes(data[:4096])
    found = {family for magic, family in _SIGNATURES.items() if head.startswith(magic)}
    if "zip" in found:
        try:
            names = set(zipfile.ZipFile(reader(data)).namelist())
        except zipfile.BadZipFile:
            return {"broken"}
        if "[Content_Types].xml" in names:
            found.add("ooxml")
    if not found:
        try:
            hits = {m.extension for m in puremagic.magic_string(data[:4096])}
        except puremagic.PureError:
            hits = set()
        if hits & _DANGEROUS or data[:2] == b"MZ" or data[:4] == b"\x7fELF":
            return {"dangerous"}
        head = data[:4096].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml")):
            return {"dangerous"}
        if b"\x00" not in data[:4096]:
            found.add("text")
    return found


def check(
    name: str,
    data: Content,
    *,
    allowed: frozenset[str] | set[str] = EVIDENCE_TYPES,
    max_mb: int = 50,
) -> CheckedUpload:
    """Validate one upload; raises ValidationFailed with a message a user understands."""
    name = safe_name(name)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in allowed or extension not in TYPES:
        kinds = "、".join(sorted(allowed))
        raise _refuse(f"“{name}”的文件类型不在允许范围内（允许：{kinds}）")
    if not data:
        raise _refuse(f"“{name}”是空文件")
    if len(data) > max_mb * 1024 * 1024:
        raise _refuse(f"“{name}”超过 {max_mb} MB 的大小限制（{len(data) / 1048576:.1f} MB）")
    expected, mime = TYPES[extension]
    families = _family(data)
    if "dangerous" in families:
        raise _refuse(f"“{name}”的内容是可执行程序或网页，不是 .{extension} 文件，已拒绝")
    if expected not in families and not (expected == "zip" and "ooxml" in families):
        shown = "、".join(FAMILY_NAMES.get(f, f) for f in sorted(families)) or "无法识别"
        raise _refuse(f"“{name}”的扩展名是 .{extension}，但内容是{shown}，已拒绝")
    if expected == "text":
        text = bytes(data)  # a text file is read whole to check its encoding
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text.decode("gb18030")
            except UnicodeDecodeError as error:
                raise _refuse(f"“{name}”不是有效的文本文件") from error
    return CheckedUpload(name=name, extension=extension, mime=mime, data=data)


def check_batch(
    files: Sequence[tuple[str, Content]],
    *,
    max_files: int,
    max_mb: int,
    failed: str,
    same_batch: Callable[[str, str], str],
    stored_before: Callable[[str, str], str | None] = lambda name, sha: None,
    allowed: frozenset[str] | set[str] = EVIDENCE_TYPES,
) -> list[tuple[CheckedUpload, str]]:
    """Check a batch (count, each file, copies within it or already stored) before storing any.

    The caller words its refusals: `failed` opens the message, `same_batch(name, earlier)` names a
    copy within the batch, `stored_before(name, sha)` a copy already kept (None when there is none).
    Returns each accepted upload with its content digest.
    """
    if len(files) > max_files:
        raise _refuse(f"一次最多上传 {max_files} 个文件", field="files")
    errors: list[FieldError] = []
    checked: list[tuple[CheckedUpload, str]] = []
    seen: dict[str, str] = {}
    for name, data in files:
        try:
            upload = check(name, data, allowed=allowed, max_mb=max_mb)
        except ValidationFailed as error:
            errors.append(FieldError(error.message, field="files"))
            continue
        sha = digest(upload.data)
        refusal = (
            same_batch(upload.name, seen[sha]) if sha in seen else stored_before(upload.name, sha)
        )
        if refusal:
            errors.append(FieldError(refusal, field="files"))
            continue
        seen[sha] = upload.name
        checked.append((upload, sha))
    if errors:
        raise ValidationFailed(failed + errors[0].message, details=errors)
    return checked
