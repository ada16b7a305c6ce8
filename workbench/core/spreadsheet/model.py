"""What a read gives back and why one is refused: limits, sheets, problems (pure data)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.core.hygiene import ILLEGAL

MIB = 1024 * 1024
Format = Literal["xlsx", "xls", "csv"]
FormulaPolicy = Literal["refuse", "cached"]
_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
# What XML 1.0 cannot hold: the characters no stored text may hold either (core.hygiene).
ILLEGAL_CHARACTERS = ILLEGAL


@dataclass(frozen=True)
class ReadLimits:
    """Caps checked before and while a file is read; a file beyond any of them is refused."""

    max_file_bytes: int = 10 * MIB
    max_uncompressed_bytes: int = 100 * MIB
    # Per zip member, counted only for members larger than 1 MiB (tiny parts compress wildly).
    max_member_ratio: int = 100
    max_members: int = 2000
    max_sheets: int = 20
    max_rows: int = 10_000
    max_columns: int = 200
    # Rows × columns of a sheet's used area (what a reader allocates), not the filled cells.
    max_cells: int = 500_000
    # Excel's own limit is 32,767 characters per cell.
    max_cell_chars: int = 32_767
    max_merged_ranges: int = 10_000


DEFAULT_LIMITS = ReadLimits()


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be read, placed as precisely as known (rows and columns 1-based)."""

    kind: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: int | None = None

    @property
    def column_letter(self) -> str | None:
        """The column as Excel names it (A, B, … AA), or None."""
        return None if self.column is None else column_letter(self.column)


class SpreadsheetRefused(ValueError):
    """The file is refused; `problems` say why and where, in Chinese."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(p.message for p in self.problems))

    @property
    def problem(self) -> Problem:
        """The first (usually the only) problem."""
        return self.problems[0]


def refuse(kind: str, message: str, **where: Any) -> SpreadsheetRefused:
    """A refusal with one problem."""
    return SpreadsheetRefused([Problem(kind, message, **where)])


@dataclass(frozen=True)
class FormulaCell:
    """A cell holding a formula whose saved (cached) result was read instead."""

    sheet: str
    row: int
    column: int

    @property
    def ref(self) -> str:
        return f"{column_letter(self.column)}{self.row}"


@dataclass
class Sheet:
    """One sheet's cells by row; the first row is Excel row 1 and the first cell column A.

    Empty cells are None (xlsx/xls) or "" (CSV and the fast survey path). For a CSV the rows are
    a 2-D object array (pandas' C parser), which the survey importer takes as it is.
    """

    name: str
    rows: Sequence[Sequence[Any]]


@dataclass
class Workbook:
    """The sheets read from one file, the format found in it and any formula cells used."""

    file_format: Format
    sheets: list[Sheet]
    formulas: list[FormulaCell] = field(default_factory=list)
    encoding: str | None = None

    def sheet(self, name: str) -> Sheet | None:
        """The sheet of this name (surrounding spaces ignored), or None."""
        return next((s for s in self.sheets if s.name.strip() == name), None)


def column_letter(number: int) -> str:
    """Excel's name of a 1-based column number: 1 → A, 27 → AA."""
    letters = ""
    while number > 0:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def parse_ref(ref: str) -> tuple[int, int] | None:
    """(row, column), both 1-based, of a cell reference like `AB12`; None if it is not one."""
    match = _REF.fullmatch(ref)
    if not match:
        return None
    column = 0
    for char in match.group(1).upper():
        column = column * 26 + ord(char) - 64
    row = int(match.group(2))
    return (row, column) if row else None


def place(sheet: str | None, row: int | None = None, column: int | None = None) -> str:
    """Where a problem is, as the importers have always said it: 工作表“X”第6行 A列."""
    where = f"工作表“{sheet}”" if sheet else ""
    if row is not None:
        where += f"第{row}行"
    if column is not None:
        where += f" {column_letter(column)}列" if row is not None else f"{column_letter(column)}列"
    return where


def text_problem(
    text: str, *, max_chars: int, sheet: str | None, row: int, column: int
) -> Problem | None:
    """Why one imported cell text cannot be kept (too long, invisible control characters)."""
    where = place(sheet, row, column)
    if len(text) > max_chars:
        message = (
            f"{where}的内容长达 {len(text)} 个字符，超过单元格上限 {max_chars} 个字符，不予导入"
        )
        return Problem("cell_too_long", message, sheet=sheet, row=row, column=column)
    bad = ILLEGAL_CHARACTERS.search(text)
    if bad:
        message = f"{where}含有不可见的控制字符（U+{ord(bad.group()):04X}），请删除后再导入"
        return Problem("control_character", message, sheet=sheet, row=row, column=column)
    return None
