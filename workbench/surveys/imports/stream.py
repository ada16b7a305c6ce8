"""A file read as a sequence of tables of consecutive rows, so any size is imported in bounded memory.

A file of one chunk or less (and every .xls/.csv, and an .xlsx not written the usual way) is
read whole as before and is its own single chunk; a larger .xlsx is streamed by `xlsx_stream`.
Every chunk is a `Table` indexed by spreadsheet row number with the header of the first, so the
one column-wise parser serves both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.core.spreadsheet import MIB, SpreadsheetRefused
from workbench.core.spreadsheet.sniff import check_size, detect
from workbench.surveys.imports.distinct import Distinct
from workbench.surveys.imports.errors import ImportRefused
from workbench.surveys.imports.readers import _issue, read_table
from workbench.surveys.imports.table import DEFAULT_LIMITS, Limits, Table, table_from_distincts
from workbench.surveys.imports.xlsx_stream import Chunk, SheetStream

CHUNK_ROWS = 20_000
# Sheets whose XML is larger than this are streamed (about 20,000 rows of a 41-column export).
STREAM_ABOVE_BYTES = 24 * MIB


@dataclass
class TableStream:
    """The first chunk (header + first rows: preview, mapping) and the way to every chunk."""

    head: Table
    _source: SheetStream | None = field(default=None, repr=False)
    _limits: Limits = DEFAULT_LIMITS
    _chunk_rows: int = CHUNK_ROWS

    @property
    def streamed(self) -> bool:
        return self._source is not None

    def chunks(self) -> Iterator[Table]:
        """Every chunk in order, the first one included; the rows are counted against the limit."""
        if self._source is None:
            yield self.head
            return
        total = 0
        for number, chunk in enumerate(_refusals(self._source.chunks(self._chunk_rows))):
            table = self.head if number == 0 else self._table(chunk)
            total += table.row_count
            if total > self._limits.max_rows:
                raise ImportRefused(f"文件的答卷超过上限 {self._limits.max_rows} 行，不予导入")
            yield table

    def count_rows(self) -> tuple[int, int]:
        """(answer rows, blank rows) of the whole file, every cell checked (one pass)."""
        rows = blank = 0
        for table in self.chunks():
            rows += table.row_count
            blank += table.empty_rows
        return rows, blank

    def _table(self, chunk: Chunk) -> Table:
        distincts = _distincts(chunk)
        while len(distincts) < len(self.head.headers):  # a chunk ending left of the header's end
            distincts.append(
                Distinct(np.zeros(len(chunk.rows), dtype=np.intp), [""], distincts[0].index)
            )
        return table_from_distincts(
            distincts,
            file_format=self.head.file_format,
            encoding=None,
            limits=self._limits,
            headers=self.head.headers,
            missing_rows=chunk.empty_rows_before,
        )


def read_stream(
    data: bytes | Path | str,
    *,
    filename: str = "",
    limits: Limits = DEFAULT_LIMITS,
    chunk_rows: int = CHUNK_ROWS,
    stream_above: int = STREAM_ABOVE_BYTES,
) -> TableStream:
    """Open an upload for a chunked read; the first chunk is read (and checked) now.

    A path is read from disk as it goes when streamed (its bytes are never all in memory)."""
    if isinstance(data, Path | str):
        path = Path(data)
        filename = filename or path.name
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise ImportRefused(
                f"文件大小 {size / MIB:.1f} MB 超过上限 {limits.max_file_bytes / MIB:.0f} MB，不予导入"
            )
        source = _sheet_on_disk(path, filename, limits, stream_above)
        data = path if source is not None else path.read_bytes()
    else:
        source = _sheet(data, filename, limits, stream_above)
    if source is None:
        table = read_table(data, filename=filename, limits=limits)
        return TableStream(table, None, limits)
    first = next(_refusals(source.chunks(chunk_rows)), None)
    if first is None:
        raise ImportRefused("文件中没有任何数据")
    head = table_from_distincts(_distincts(first), file_format="xlsx", encoding=None, limits=limits)
    return TableStream(head, source, limits, chunk_rows)


def _sheet(data: bytes, filename: str, limits: Limits, above: int) -> SheetStream | None:
    """The sheet to stream, or None when the file is read whole (small, not xlsx, unusual)."""
    sheet_limits = limits.sheet_limits()
    try:
        check_size(len(data), sheet_limits)
        if detect(data, filename=filename, accepted=("xlsx", "xls", "csv")) != "xlsx":
            return None
        source = SheetStream(data, limits=sheet_limits)
    except SpreadsheetRefused:
        return None  # the whole-file reader says why, with its usual messages
    return source if source.size > above and source.streamable() else None


def _sheet_on_disk(path: Path, filename: str, limits: Limits, above: int) -> SheetStream | None:
    """The sheet of a large .xlsx on disk, streamed from the file itself."""
    with path.open("rb") as probe:
        if probe.read(4) != b"PK\x03\x04" or not filename.lower().endswith(".xlsx"):
            return None
    try:
        source = SheetStream(path, limits=limits.sheet_limits())
    except SpreadsheetRefused:
        return None
    return source if source.size > above and source.streamable() else None


def _refusals(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    try:
        yield from chunks
    except SpreadsheetRefused as refused:
        raise ImportRefused(
            refused.problem.message, errors=[_issue(p) for p in refused.problems]
        ) from None


def _distincts(chunk: Chunk) -> list[Distinct]:
    index = pd.Index(chunk.rows)
    return [
        Distinct(codes, uniques, index)
        for codes, uniques in zip(chunk.codes, chunk.uniques, strict=True)
    ]
