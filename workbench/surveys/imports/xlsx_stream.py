"""A large .xlsx sheet read in chunks of rows, column by column: memory does not grow with rows.

calamine turns the whole sheet into a grid first (about 55 bytes a cell: 2 GB for a million
问卷星 answers × 41 columns), so files of more than one chunk of rows are streamed here. The
worksheet XML is inflated piece by piece (through the same zip checks as every spreadsheet);
each cell's position is read with numpy from the raw bytes, its type and value taken as one byte
string (`' t="s"><v>12</v></c>'`) that is factorised per chunk, so only distinct values are
decoded: shared strings, numbers, booleans, inline strings, dates by their number format — the
values calamine gives. Only sheets written the usual way (every cell `<c r="B7" …>`, as Excel,
WPS, 问卷星 and openpyxl write them) are streamed; `streamable` says so from the first piece.
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import unescape
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from workbench.core.spreadsheet.model import ReadLimits, column_letter, refuse
from workbench.core.spreadsheet.xlsx_zip import inflate, measure, open_zip, sheet_parts

# `<c r="REF"` then the cell's attributes and content as one group: `' t="s"><v>12</v></c>'`.
_CELL = re.compile(
    rb'<c r="[A-Z]{1,3}[0-9]{1,7}"([^>]*>(?:<v>[^<]*</v></c>|</c>|.*?</c>)|[^>]*/>)', re.S
)
_ATTR = re.compile(rb'\s([st])="([^"]*)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>", re.S)
_TEXT = re.compile(rb"<t(?:\s[^>]*)?>([^<]*)</t>|<t\s*/>", re.S)
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_SIMPLE_SI = re.compile(rb"<si><t(?: xml:space=\"preserve\")?>([^<]*)</t></si>")
_FORMULA = re.compile(rb"<f[\s>/]")
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# Built-in number formats that show dates and times (ECMA-376 18.8.30) and elapsed times.
_DATE_FORMATS = frozenset(
    {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47, *range(27, 37), *range(50, 59)}
)
_DURATION_FORMATS = frozenset({46})
_DATE_CODE = re.compile(r"[ymdhs]", re.I)
_QUOTED = re.compile(r'"[^"]*"|\\.|\[(?![hms]+\])[^\]]*\]')
_EPOCH_1900, _EPOCH_1904 = datetime(1899, 12, 30), datetime(1904, 1, 1)
PLAIN, DATE, DURATION = 0, 1, 2


@dataclass
class Chunk:
    """Consecutive rows of a sheet: their numbers and, per column, codes into `uniques`."""

    rows: np.ndarray  # spreadsheet row numbers, ascending
    codes: list[np.ndarray]  # per column (0-based position): index into `uniques` per row
    uniques: list[list[Any]]  # per column: the distinct values (empty cells are "")
    empty_rows_before: int  # rows missing from the XML between the previous chunk and this one


class SheetStream:
    """One worksheet of an .xlsx, decoded `rows_per_chunk` rows at a time."""

    def __init__(self, source: bytes | Path, *, limits: ReadLimits):
        self.limits, self._source = limits, source
        with self._open() as archive:
            part = next(p for p in sheet_parts(archive, limits) if p.is_worksheet)
            measure(archive, skip={part.path})
            self.sheet, self.path = part.name, part.path
            self.size = archive.getinfo(part.path).file_size
        self.strings: list[bytes] | list[str] | None = None
        self.styles: list[int] = []
        self.epoch = _EPOCH_1900

    @contextlib.contextmanager
    def _open(self) -> Iterator[zipfile.ZipFile]:
        """The archive, from memory or from the file (each reader its own handle, closed after)."""
        if isinstance(self._source, bytes):
            yield open_zip(self._source, self.limits)
            return
        with self._source.open("rb") as handle, open_zip(handle, self.limits) as archive:
            yield archive

    def _load(self, archive: zipfile.ZipFile) -> None:
        """The shared strings, the cell styles and the date system (once, when first needed)."""
        names = set(archive.namelist())
        self.strings = _shared_strings(archive) if "xl/sharedStrings.xml" in names else []
        self.styles = _styles(archive) if "xl/styles.xml" in names else []
        workbook = b"".join(inflate(archive, "xl/workbook.xml"))
        self.epoch = _EPOCH_1904 if re.search(rb'date1904="(?:1|true)"', workbook) else _EPOCH_1900

    def streamable(self) -> bool:
        """Whether the sheet writes every cell as `<c r="…"` (looked at in its first piece)."""
        with self._open() as archive:
            pieces = inflate(archive, self.path)
            head = next(pieces, b"")
            pieces.close()
        at = head.find(b"sheetData")
        data = head[at:] if at >= 0 else head
        return data.count(b"<c ") == data.count(b'<c r="') and not re.search(rb"<\w+:c\b", data)

    def chunks(self, rows_per_chunk: int) -> Iterator[Chunk]:
        """The sheet's rows in chunks, each at most `rows_per_chunk` rows (rows with cells)."""
        with self._open() as archive:
            if self.strings is None:
                self._load(archive)
            yield from self._chunks(archive, rows_per_chunk)

    def _chunks(self, archive: zipfile.ZipFile, rows_per_chunk: int) -> Iterator[Chunk]:
        pending: list[bytes] = []
        pending_rows = 0
        last_row = 0
        stage, carry = "head", b""
        for piece in inflate(archive, self.path):
            data = carry + piece
            if stage == "head":
                at = data.find(b"<sheetData")
                opened = data.find(b">", at) if at >= 0 else -1
                if opened < 0:
                    carry = data[-64:] if at < 0 else data[at:]
                    continue
                data, stage = data[opened + 1 :], "data"
            end = data.find(b"</sheetData")
            if end >= 0:
                data, carry, stage = data[:end], b"", "tail"
            else:
                cut = data.rfind(b"</row>") + 6
                data, carry = (data[:cut], data[cut:]) if cut > 5 else (b"", data)
            if data:
                pending.append(data)
                pending_rows += data.count(b"</row>")
            while pending_rows >= rows_per_chunk:
                joined = b"".join(pending)
                cut = _nth_row_end(joined, rows_per_chunk)
                chunk = self._decode(joined[:cut], last_row)
                if chunk is not None:
                    last_row = int(chunk.rows[-1])
                    yield chunk
                pending = [joined[cut:]]
                pending_rows -= rows_per_chunk
            if stage == "tail":
                break
        chunk = self._decode(b"".join(pending), last_row) if pending else None
        if chunk is not None:
            yield chunk

    def _decode(self, data: bytes, last_row: int) -> Chunk | None:
        keys = _CELL.findall(data)
        if not keys:
            return None
        buffer = np.frombuffer(data, dtype=np.uint8)
        starts = _cell_starts(buffer)
        if len(starts) != len(keys) or data.count(b"<c ") != len(keys):
            raise refuse("broken", f"工作表“{self.sheet}”中有无法识别的单元格，文件可能已损坏")
        if _FORMULA.search(data):
            self._formula(data)
        columns, rows = _references(buffer, starts + 6)
        width = int(columns.max()) + 1
        if int(rows.max()) > self.limits.max_rows or width > self.limits.max_columns:
            far = int(
                np.argmax((rows > self.limits.max_rows) | (columns >= self.limits.max_columns))
            )
            raise refuse(
                "too_large",
                f"工作表“{self.sheet}”第{int(rows[far])}行 {column_letter(int(columns[far]) + 1)}列"
                f"有内容，超出了允许的范围（最多 {self.limits.max_rows} 行、"
                f"{self.limits.max_columns} 列）",
            )
        key_codes, key_uniques = pd.factorize(np.array(keys, dtype=object))
        values = [self._value(key) for key in key_uniques]
        # Different bytes can mean the same value (`<v>5</v>`, `<v>5.0</v>`): one id per value.
        value_ids, merged = pd.factorize(pd.Series([*values, ""], dtype=object))
        row_numbers, row_at = np.unique(rows, return_inverse=True)
        grid = np.full((len(row_numbers), width), value_ids[-1], dtype=np.int64)
        grid[row_at, columns] = value_ids[key_codes]
        codes, uniques = [], []
        for position in range(width):
            local, used = pd.factorize(grid[:, position])
            codes.append(local)
            uniques.append([merged[i] for i in used])
        gaps = int(row_numbers[0]) - last_row - 1 + int(np.sum(np.diff(row_numbers) - 1))
        return Chunk(row_numbers, codes, uniques, gaps)

    def _value(self, key: bytes) -> Any:
        """The value of one distinct `attributes>content` string, as calamine reads it."""
        head, _, body = key.partition(b">")
        attrs = dict(_ATTR.findall(b" " + head))
        kind = attrs.get(b"t", b"n")
        if kind == b"inlineStr":
            return _joined_text(body)
        found = _VALUE.search(body)
        raw = found.group(1) if found else b""
        if not raw:
            return ""
        if kind == b"s":
            found = self.strings[int(raw)]
            return found if found.__class__ is str else _text(found)
        if kind == b"b":
            return raw.strip() in (b"1", b"true")
        if kind in (b"str", b"e"):
            return _text(raw)
        if kind == b"d":
            return datetime.fromisoformat(raw.decode("ascii"))
        number = float(raw)
        style = int(attrs.get(b"s", b"0") or 0)
        shown = self.styles[style] if style < len(self.styles) else PLAIN
        return number if shown == PLAIN else _moment(number, shown, self.epoch)

    def _formula(self, data: bytes) -> None:
        at = _FORMULA.search(data).start()
        start = data.rfind(b'<c r="', 0, at)
        ref = data[start + 6 : data.find(b'"', start + 6)].decode("ascii", "replace")
        raise refuse(
            "formula",
            f"工作表“{self.sheet}”{ref} 单元格含有公式。导入不会计算公式，请先将公式转换为数值"
            "（复制后“选择性粘贴 → 数值”）再导入",
        )


def _nth_row_end(data: bytes, count: int) -> int:
    at = -1
    for _ in range(count):
        at = data.index(b"</row>", at + 1)
    return at + 6


def _cell_starts(buffer: np.ndarray) -> np.ndarray:
    """Offsets of every `<c r="` in the bytes."""
    marks = np.flatnonzero(buffer[: len(buffer) - 6] == 60)  # "<"
    for offset, byte in enumerate(b'c r="', start=1):
        marks = marks[buffer[marks + offset] == byte]
    return marks


def _references(buffer: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """0-based column and 1-based row of the references starting at `at` (`B7"`)."""
    padded = np.concatenate([buffer, np.zeros(12, dtype=np.uint8)])
    columns = np.zeros(len(at), dtype=np.int64)
    letters = np.ones(len(at), dtype=bool)
    for _ in range(3):
        byte = padded[at].astype(np.int64)
        letters &= (byte >= 65) & (byte <= 90)
        columns = np.where(letters, columns * 26 + (byte - 64), columns)
        at = at + letters
    rows = np.zeros(len(at), dtype=np.int64)
    digits = np.ones(len(at), dtype=bool)
    for k in range(7):
        byte = padded[at + k].astype(np.int64)
        digits &= (byte >= 48) & (byte <= 57)
        rows = np.where(digits, rows * 10 + (byte - 48), rows)
    return columns - 1, rows


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return unescape(text) if "&" in text else text


def _joined_text(body: bytes) -> str:
    """The text of an `<is>`/`<si>` element: its `<t>` runs, phonetic guides left out."""
    body = _PHONETIC.sub(b"", body)
    return "".join(_text(m.group(1) or b"") for m in _TEXT.finditer(body))


def _moment(number: float, shown: int, epoch: datetime) -> Any:
    """A date-formatted number as calamine gives it: time, date, datetime or timedelta."""
    if shown == DURATION:
        return timedelta(milliseconds=round(number * 86_400_000))
    moment = epoch + timedelta(milliseconds=round(number * 86_400_000))
    if number < 1 and epoch == _EPOCH_1900:
        return moment.time()
    if moment.time() == time(0):
        return date(moment.year, moment.month, moment.day)
    return moment


def _shared_strings(archive: zipfile.ZipFile) -> list[bytes] | list[str]:
    """The shared strings table: plain `<si><t>` entries kept as their UTF-8 bytes (decoded
    when a cell uses them: a third of the memory of text objects), anything else run by run."""
    data = b"".join(inflate(archive, "xl/sharedStrings.xml"))
    simple = _SIMPLE_SI.findall(data)
    if len(simple) == data.count(b"<si>") + data.count(b"<si/>") and b"<si " not in data:
        return simple
    return [_joined_text(m.group(0)) for m in re.finditer(rb"<si\b.*?</si>|<si\s*/>", data, re.S)]


def _styles(archive: zipfile.ZipFile) -> list[int]:
    """Per cell style (`s`): PLAIN, DATE or DURATION, from its number format."""
    try:
        root = ElementTree.fromstring(b"".join(inflate(archive, "xl/styles.xml")))
    except ElementTree.ParseError:
        return []
    codes = {
        int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in root.iter(f"{_NS}numFmt")
    }
    xfs = root.find(f"{_NS}cellXfs")
    kinds = []
    for xf in xfs if xfs is not None else ():
        number = int(xf.get("numFmtId", "0") or 0)
        kinds.append(_format_kind(number, codes.get(number)))
    return kinds


def _format_kind(number: int, code: str | None) -> int:
    if code is None:
        if number in _DURATION_FORMATS:
            return DURATION
        return DATE if number in _DATE_FORMATS else PLAIN
    bare = _QUOTED.sub("", code.split(";", 1)[0])
    if re.search(r"\[[hms]+\]", bare, re.I):
        return DURATION
    return DATE if _DATE_CODE.search(bare) and "General" not in bare else PLAIN
