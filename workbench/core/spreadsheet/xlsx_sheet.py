"""One sheet's XML, streamed once before any reader opens it: its real extent, formulas, merges.

python-calamine turns a sheet into a dense grid as large as the rectangle from A1 to the farthest
cell, so two cells far apart (a few hundred bytes) can make it allocate hundreds of gigabytes and
abort the process (tafia/calamine#693). The declared `<dimension>` can lie, so the cells
themselves are measured here. Files written by Excel, WPS, 问卷星 and openpyxl write every cell
as `<c r="B7" …>`; for those, byte counts and two regular expressions that only stop at
far-away references are enough (fast). Anything else (cells without a reference, prefixed tags,
odd spacing) is tokenised tag by tag the way calamine positions cells (slow, but rare).
"""

from __future__ import annotations

import math
import re
from functools import cache

from workbench.core.spreadsheet.model import (
    FormulaCell,
    FormulaPolicy,
    ReadLimits,
    column_letter,
    parse_ref,
    place,
    refuse,
)

_MAX_CARRY = 32 * 1024 * 1024
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")
_MERGE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c|f)(?=[\s/>])([^>]*)>")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])")
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
# `:c`/`:f` ending a prefixed tag name (`<x:c `, `<x:f>`); one search finds both, as they are rare.
_PREFIXED = re.compile(rb":[cf][\s>/]")
_FORMULA_NEXT = (b" ", b">", b"/", b"\t", b"\r", b"\n")
_ADVICE = "导入不会计算公式，请先将公式转换为数值（复制后“选择性粘贴 → 数值”）再导入"


@cache
def _far(known: int, digits: int) -> re.Pattern[bytes]:
    """Cell references not within the first `known` columns and `digits`-digit rows (or junk).

    Equal cells are not captured again once the sheet's widest row is known, so on a usual
    sheet only the few rows past 10^digits - 1 are captured."""
    letters = column_letter(max(known, 26)).encode()
    shorter = rb"[A-Z]{1,%d}|" % (len(letters) - 1) if len(letters) > 1 else b""
    small = rb"(?:" + shorter + _up_to(letters) + rb")[0-9]{1,%d}\"" % digits
    return re.compile(rb'<c r="(?!' + small + rb')([^"<>]{0,16})')


def _up_to(letters: bytes) -> bytes:
    """A pattern for the column names of this length that do not come after `letters`."""
    first, rest = letters[:1], letters[1:]
    same = first + (b"(?:" + _up_to(rest) + b")" if rest else b"")
    if first == b"A":
        return same
    below = b"[A-" + bytes([first[0] - 1]) + b"]" + b"[A-Z]" * len(rest)
    return below + b"|" + same


class Restart(Exception):
    """The sheet is not written the usual way: scan it again tag by tag."""


class SheetScan:
    """Feed a sheet's XML in chunks; refuses as soon as a limit is passed."""

    def __init__(
        self, *, sheet: str, limits: ReadLimits, formulas: FormulaPolicy, slow: bool = False
    ):
        self.sheet, self.limits, self.policy, self.slow = sheet, limits, formulas, slow
        self.formulas: list[FormulaCell] = []
        self.cells = self.rows = self.columns = self.loose_rows = self.merges = 0
        self._carry = self._before = b""
        self._stage = "head"
        # calamine's cursor, for cells written without a reference (slow path only)
        self._row = self._column = 0
        self._in_cell = False

    @property
    def row_bound(self) -> int:
        """No cell of the sheet lies below this row."""
        return max(self.rows, self.loose_rows)

    def feed(self, chunk: bytes) -> None:
        """Take the next piece of the XML; whole tags are examined, the rest waits."""
        pending = self._carry + chunk
        cut = pending.rfind(b">") + 1
        if len(pending) - cut > _MAX_CARRY:
            raise refuse("too_large", f"工作表“{self.sheet}”中有超长的内容，不予导入")
        self._carry = pending[cut:]
        if cut:
            self._segment(pending[:cut])

    def finish(self) -> None:
        """Examine what is left once the XML has been read."""
        if self._carry.strip():
            self._segment(self._carry)

    def _segment(self, seg: bytes) -> None:
        if self._stage == "head":
            at = seg.find(b"sheetData")
            dimension = _DIMENSION.search(seg, 0, at if at >= 0 else len(seg))
            if dimension:
                self._check_dimension(dimension.group(1).decode("ascii", "replace"))
            if at < 0:
                return
            seg = seg[seg.find(b">", at) + 1 :]
            self._stage = "data"
        if self._stage == "data" and not self.slow:
            end = _data_end(seg)
            self._fast(seg if end is None else seg[: end.start()])
            if end is None:
                return
            seg = seg[end.end() :]
            self._stage = "tail"
        if self._stage == "tail":
            if _CELL_TAG.search(seg):  # a cell after </sheetData>: that end was not the real one
                raise Restart
        else:
            self._slow(seg)
        self._merges(seg)

    # -- cells written as <c r="B7" …>, the usual way ------------------------------------------

    def _fast(self, data: bytes) -> None:
        count = data.count(b"<c")
        prefixed = [data[m.start() + 1 : m.start() + 2] for m in _PREFIXED.finditer(data)
                    if _prefixed(data, m.start())]  # fmt: skip
        if count != data.count(b'<c r="') or b"c" in prefixed:
            raise Restart
        self._count(count)
        digits = self._digits()
        while True:
            for ref in set(_far(self.columns, digits).findall(data)):
                found = parse_ref(ref.decode("ascii", "replace"))
                if found is None:
                    raise self._bad_ref(data, b'<c r="' + ref)
                if found[0] > self.limits.max_rows or found[1] > self.limits.max_columns:
                    raise self._too_far(*found)
                self.rows, self.columns = max(self.rows, found[0]), max(self.columns, found[1])
            if self._digits() >= digits:
                break
            digits = self._digits()  # a wider sheet than thought: look at fewer-digit rows too
        if count:
            self.loose_rows = max(self.loose_rows, 10**digits - 1)
        self._check_area()
        self._find_formulas(data, prefixed=b"f" in prefixed)
        self._before = data[-4096:]

    def _digits(self) -> int:
        """Row digits left unparsed: 10^d - 1 rows × the columns seen must stay within the cap."""
        by_rows = len(str(self.limits.max_rows)) - 1
        by_cells = int(math.log10(self.limits.max_cells // max(self.columns, 26) + 1))
        return max(1, min(by_rows, by_cells))

    def _bad_ref(self, data: bytes, marker: bytes):
        at = data.find(marker)
        shown = data[at : at + 40].decode("utf-8", "replace") if at >= 0 else ""
        return refuse(
            "broken",
            f"工作表“{self.sheet}”中有无效的单元格位置（{shown}），文件可能已损坏或被篡改，不予导入",
            sheet=self.sheet,
        )

    # -- any other way of writing cells: follow every tag the way calamine does ----------------

    def _slow(self, data: bytes) -> None:
        for tag in _TAG.finditer(data):
            closing, name, attrs = tag.groups()
            if name == b"row":
                if closing:
                    self._row, self._column = self._row + 1, 0
                elif (ref := self._attr(attrs)) is not None:
                    if not ref.isdigit():
                        raise self._bad_ref(data, tag.group(0))
                    self._row = max(int(ref) - 1, 0)
            elif name == b"c":
                self._in_cell = not closing and not attrs.endswith(b"/")
                if closing:
                    continue
                ref = self._attr(attrs)
                if ref is not None:
                    found = parse_ref(ref.decode("ascii", "replace"))
                    if found is None:
                        raise self._bad_ref(data, tag.group(0))
                    self._row, self._column = found[0] - 1, found[1] - 1
                self._count(1)
                if (
                    self._row + 1 > self.limits.max_rows
                    or self._column + 1 > self.limits.max_columns
                ):
                    raise self._too_far(self._row + 1, self._column + 1)
                self.rows = max(self.rows, self._row + 1)
                self.columns = max(self.columns, self._column + 1)
                self._column += 1
            elif name == b"f" and not closing and self._in_cell:
                self._formula(self._row + 1, self._column)
        self._check_area()

    @staticmethod
    def _attr(attrs: bytes) -> bytes | None:
        found = _R_ATTR.search(attrs)
        return None if found is None else (found.group(1) or found.group(2) or b"")

    # -- limits ----------------------------------------------------------------------------------

    def _count(self, cells: int) -> None:
        self.cells += cells
        if self.cells > self.limits.max_cells:
            raise refuse(
                "too_large",
                f"工作表“{self.sheet}”的单元格超过 {self.limits.max_cells} 个，不予导入",
                sheet=self.sheet,
            )

    def _too_far(self, row: int, column: int):
        return refuse(
            "too_large",
            f"{place(self.sheet, row or None, column or None)}有内容，超出了允许的范围"
            f"（最多 {self.limits.max_rows} 行、{self.limits.max_columns} 列）。"
            "如果表格下方或右侧有多余的内容或格式，请删除后再导入",
            sheet=self.sheet,
            row=row or None,
            column=column or None,
        )

    def _check_area(self) -> None:
        rows, columns = self.row_bound, self.columns
        if rows * columns > self.limits.max_cells:
            raise refuse(
                "too_large",
                f"工作表“{self.sheet}”的数据区域约 {rows} 行 × {columns} 列，"
                f"超过上限 {self.limits.max_cells} 个单元格，不予导入",
                sheet=self.sheet,
            )

    def _span(self, ref: str) -> tuple[int, int] | None:
        """(last row, last column) of `A1` or `A1:C9`; None when it is not a reference."""
        corners = [parse_ref(part) for part in ref.split(":", 1)]
        if not ref or any(c is None for c in corners):
            return None
        return max(c[0] for c in corners if c), max(c[1] for c in corners if c)

    def _check_dimension(self, ref: str) -> None:
        span = self._span(ref)
        if span is None:
            raise refuse(
                "broken",
                f"工作表“{self.sheet}”声明的数据范围“{ref[:40]}”无效，文件可能已损坏",
                sheet=self.sheet,
            )
        rows, columns = span
        limits = self.limits
        if (
            rows > limits.max_rows
            or columns > limits.max_columns
            or rows * columns > limits.max_cells
        ):
            raise refuse(
                "too_large",
                f"工作表“{self.sheet}”声明的数据范围为 {ref}（{rows} 行 × {columns} 列），超过上限"
                f"（最多 {limits.max_rows} 行、{limits.max_columns} 列、{limits.max_cells} 个单元格）。"
                "如有多余的空行空列或格式，请删除后再导入",
                sheet=self.sheet,
            )

    def _merges(self, data: bytes) -> None:
        limits = self.limits
        for found in _MERGE.finditer(data):
            self.merges += 1
            ref = found.group(1).decode("ascii", "replace")
            span = self._span(ref)
            if self.merges > limits.max_merged_ranges:
                reason = f"合并单元格超过 {limits.max_merged_ranges} 处"
            elif span is None or span[0] > limits.max_rows or span[1] > limits.max_columns:
                reason = (
                    f"合并单元格“{ref[:40]}”超出了允许的范围"
                    f"（最多 {limits.max_rows} 行、{limits.max_columns} 列）"
                )
            else:
                continue
            raise refuse("too_large", f"工作表“{self.sheet}”的{reason}，不予导入", sheet=self.sheet)

    # -- formulas --------------------------------------------------------------------------------

    def _find_formulas(self, data: bytes, *, prefixed: bool) -> None:
        for marker in (b"<f", b":f") if prefixed else (b"<f",):
            at = data.find(marker)
            while at >= 0:
                if data[at + 2 : at + 3] in _FORMULA_NEXT and (
                    marker == b"<f" or _prefixed(data, at)
                ):
                    self._formula(*self._cell_before(data, at))
                at = data.find(marker, at + 2)

    def _cell_before(self, data: bytes, at: int) -> tuple[int, int]:
        """(row, column) of the cell whose start tag precedes `at`; (0, 0) when not found."""
        source, start = data, data.rfind(b'<c r="', max(0, at - 4096), at)
        if start < 0:
            source, start = self._before, self._before.rfind(b'<c r="')
        if start < 0:
            return 0, 0
        ref = source[start + 6 : source.find(b'"', start + 6)]
        return parse_ref(ref.decode("ascii", "replace")) or (0, 0)

    def _formula(self, row: int, column: int) -> None:
        """A formula in the cell at (row, column), 1-based; 0 when the place is unknown."""
        if self.policy == "cached" and row and column:
            self.formulas.append(FormulaCell(self.sheet, row, column))
            return
        if not (row and column):
            raise refuse("formula", f"工作表“{self.sheet}”中含有公式。{_ADVICE}", sheet=self.sheet)
        raise refuse(
            "formula",
            f"{place(self.sheet, row, column)}的单元格含有公式。{_ADVICE}",
            sheet=self.sheet,
            row=row,
            column=column,
        )


def _data_end(seg: bytes) -> re.Match[bytes] | None:
    """The `</sheetData>` closing tag, found by a plain search first (a regex is slow here)."""
    at = seg.find(b"sheetData")
    while at >= 0:
        end = _DATA_END.match(seg, max(seg.rfind(b"<", 0, at), 0))
        if end:
            return end
        at = seg.find(b"sheetData", at + 9)
    return None


def _prefixed(data: bytes, at: int) -> bool:
    """Whether `:f` at `at` ends a prefixed tag name such as `<x:f`."""
    start = data.rfind(b"<", 0, at)
    return start >= 0 and re.fullmatch(rb"<[\w.-]+", data[start:at]) is not None
