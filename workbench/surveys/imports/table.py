"""The table an import reads: header texts, cells by spreadsheet row, distinct values per column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.spreadsheet import ILLEGAL_CHARACTERS, MIB, ReadLimits, text_problem
from workbench.surveys.imports.distinct import Distinct
from workbench.surveys.imports.errors import ImportRefused, column_letter, issue
from workbench.surveys.imports.normalize import header_text

# Rows a sheet may hold above the answers: the header and a few title lines.
_HEAD_ROWS = 100


@dataclass(frozen=True)
class Limits:
    """Size limits checked before any parsing (all configurable); rows count answers."""

    max_file_bytes: int = 50 * MIB
    max_uncompressed_bytes: int = 512 * MIB
    max_cell_chars: int = 5000
    max_rows: int = 200_000
    max_columns: int = 1000
    # Rows × columns of the sheet (what the reader allocates): 100,000 answers × 120 columns.
    max_cells: int = 12_000_000

    def sheet_limits(self) -> ReadLimits:
        """The same limits as the spreadsheet reader counts them (sheet rows, not answers)."""
        return ReadLimits(
            max_file_bytes=self.max_file_bytes,
            max_uncompressed_bytes=self.max_uncompressed_bytes,
            max_sheets=255,
            max_rows=self.max_rows + _HEAD_ROWS,
            max_columns=self.max_columns,
            max_cells=self.max_cells,
            max_cell_chars=self.max_cell_chars,
        )


DEFAULT_LIMITS = Limits()


@dataclass
class Table:
    """A sheet as read: header texts and an object DataFrame indexed by spreadsheet row number."""

    headers: list[str]
    frame: pd.DataFrame
    file_format: str
    encoding: str | None = None
    empty_rows: int = 0
    distincts: list[Distinct] = field(default_factory=list, repr=False, compare=False)

    @property
    def row_count(self) -> int:
        return len(self.frame)

    def column(self, position: int) -> pd.Series:
        """The cells of one column (0-based position), indexed by spreadsheet row number."""
        return self.frame.iloc[:, position]

    def distinct(self, position: int) -> Distinct:
        """The column factorised into distinct values (computed once, when the file is read)."""
        if not self.distincts:
            self.distincts = [Distinct.of(self.column(p)) for p in range(len(self.headers))]
        return self.distincts[position]

    @classmethod
    def from_rows(
        cls,
        rows: list[list[Any]],
        *,
        file_format: str = "rows",
        encoding: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> Table:
        """Build from a header row followed by data rows (first row = spreadsheet row 1)."""
        width = max((len(r) for r in rows), default=0)
        if any(len(r) != width for r in rows):
            rows = [list(r) + [None] * (width - len(r)) for r in rows]
        raw = pd.DataFrame(rows, dtype=object) if rows and width else pd.DataFrame(dtype=object)
        return table_from_raw(raw, file_format=file_format, encoding=encoding, limits=limits)


def _formula_text(row: int, position: int) -> ImportRefused:
    message = (
        f"第{row}行 {column_letter(position)}列的内容以“=”开头，像是公式。"
        "为安全起见不予导入，请删除开头的“=”后再导入"
    )
    return ImportRefused(
        message, errors=[issue(message, row=row, column=f"{column_letter(position)}列")]
    )


def _check_cells(distinct: Distinct, position: int, limits: Limits, file_format: str) -> None:
    """Huge cells and control characters anywhere; in a CSV also text starting with “=”, which
    spreadsheets would run. The column's distinct texts are looked at together first."""
    texts = [v for v in distinct.uniques if v.__class__ is str]
    if not texts:
        return
    csv = file_format == "csv"
    if (
        max(map(len, texts)) <= limits.max_cell_chars
        and not ILLEGAL_CHARACTERS.search("\n".join(texts))
        and not (csv and any(v.startswith("=") for v in texts))
    ):
        return
    for u, value in enumerate(distinct.uniques):
        if value.__class__ is not str or not (
            len(value) > limits.max_cell_chars
            or ILLEGAL_CHARACTERS.search(value)
            or (csv and value.startswith("="))
        ):
            continue
        row = int(distinct.index[int(np.argmax(distinct.positions == u))])
        problem = text_problem(
            value, max_chars=limits.max_cell_chars, sheet=None, row=row, column=position + 1
        )
        if problem:
            raise ImportRefused(
                problem.message,
                errors=[issue(problem.message, row=row, column=f"{column_letter(position)}列")],
            )
        if csv and value.startswith("="):
            raise _formula_text(row, position)


def table_from_raw(
    raw: pd.DataFrame, *, file_format: str, encoding: str | None, limits: Limits
) -> Table:
    """Locate the header row, trim empty edges, drop empty rows (counted) and check the size.

    Every column is factorised once here; the checks and the later parsing read distinct values.
    """
    if raw.empty:
        raise ImportRefused("文件中没有任何数据")
    # Refuse an oversized sheet before the per-column work below.
    if raw.shape[1] > limits.max_columns:
        raise ImportRefused(f"文件有 {raw.shape[1]} 列，超过上限 {limits.max_columns} 列")
    if raw.shape[0] > limits.max_rows + 1:
        raise ImportRefused(f"文件有 {raw.shape[0] - 1} 行答卷，超过上限 {limits.max_rows} 行")
    raw.index = pd.RangeIndex(1, len(raw) + 1)  # spreadsheet rows count from 1
    distincts = [Distinct.of(raw.iloc[:, c]) for c in range(raw.shape[1])]
    return table_from_distincts(
        distincts, file_format=file_format, encoding=encoding, limits=limits
    )


def table_from_distincts(
    distincts: list[Distinct],
    *,
    file_format: str,
    encoding: str | None,
    limits: Limits,
    headers: list[str] | None = None,
    missing_rows: int = 0,
) -> Table:
    """A table from factorised columns indexed by spreadsheet row (rows absent are blank).

    Without `headers`, the first filled row is the header; with them (a later chunk of a
    streamed sheet), every row is an answer and the columns are those of the header.
    """
    index = distincts[0].index if distincts else pd.RangeIndex(1, 1)
    for position, distinct in enumerate(distincts):
        _check_cells(distinct, position, limits, file_format)
    size = len(index)
    empty = (
        np.column_stack([_empty_rows(d) for d in distincts])
        if distincts
        else np.ones((size, 0), dtype=bool)
    )
    if headers is None:
        filled = ~empty.all(axis=1)
        if not filled.any():
            raise ImportRefused("文件中没有任何数据")
        header_at = int(filled.argmax())
        found = [header_text(_value_at(d, header_at)) for d in distincts]
        body_empty = empty[header_at + 1 :]
        used = [i for i, h in enumerate(found) if h or not body_empty[:, i].all()]
        keep = list(range(used[-1] + 1)) if used else []
        if len(keep) > limits.max_columns:
            raise ImportRefused(f"文件有 {len(keep)} 列，超过上限 {limits.max_columns} 列")
        headers = [found[i] for i in keep]
        start = header_at + 1
        # Rows the file leaves out (a streamed sheet) between the header and the last row.
        missing_rows = int(index[-1] - index[header_at]) - (size - start)
    else:
        keep, start = list(range(len(headers))), 0
        _check_no_extra(distincts[len(keep) :], empty[:, len(keep) :], index, len(keep))
    body_empty = empty[start:]
    row_blank = body_empty[:, keep].all(axis=1) if keep else np.ones(len(body_empty), dtype=bool)
    rows = np.flatnonzero(~row_blank) + start
    if len(rows) > limits.max_rows:
        raise ImportRefused(f"文件有 {len(rows)} 行答卷，超过上限 {limits.max_rows} 行")
    body_index = index[rows]
    kept = [distincts[i].subset(rows, body_index) for i in keep]
    frame = pd.DataFrame(
        {position: d.take(d.uniques) for position, d in enumerate(kept)}, index=body_index
    )
    if not kept:
        frame = pd.DataFrame(index=body_index, dtype=object)
    return Table(
        headers=headers,
        frame=frame,
        file_format=file_format,
        encoding=encoding,
        empty_rows=int(row_blank.sum()) + missing_rows,
        distincts=kept,
    )


def _value_at(distinct: Distinct, row: int) -> Any:
    code = int(distinct.positions[row])
    return None if code < 0 else distinct.uniques[code]


def _check_no_extra(
    distincts: list[Distinct], empty: np.ndarray, index: pd.Index, width: int
) -> None:
    """A later chunk with content right of the header's last column: refused with the cell."""
    if not distincts or empty.all():
        return
    at_row, at_column = np.argwhere(~empty)[0]
    row, position = int(index[at_row]), width + int(at_column)
    message = (
        f"第{row}行 {column_letter(position)}列有内容，但该列没有表头。"
        "请删除多余的内容或补上表头后再导入"
    )
    where = f"{column_letter(position)}列"
    raise ImportRefused(message, errors=[issue(message, row=row, column=where)])


def _empty_rows(distinct: Distinct) -> np.ndarray:
    """Per row: the cell is empty (missing, or a string of spaces)."""
    blank = [isinstance(v, str) and not v.strip() for v in distinct.uniques]
    return np.asarray([*blank, True], dtype=bool)[distinct.positions]
