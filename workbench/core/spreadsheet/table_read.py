"""A table people filled in Excel, read back into checked rows: the reverse of `table_workbook`.

The first non-empty row of the sheet is the header. Columns are found by their header text, in any
order (spaces, full-width brackets and a trailing required-marker ``*`` are ignored; a field may
have aliases); other columns are ignored and named; a required column missing, or one named twice,
refuses the file. Each cell is parsed by its field's kind and every problem names the row and the
column as the user sees them: 第5行“角色”列：…. Blank rows are skipped. Nothing here writes
anything: the caller writes only when `problems` is empty.

Rows can be carried between the preview and the confirmation as plain text (`as_text`), and are
parsed again from it with the same fields on confirmation.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from workbench.core.spreadsheet.model import MIB, ReadLimits, SpreadsheetRefused, column_letter
from workbench.core.spreadsheet.reading import read_workbook

Kind = Literal["text", "integer", "decimal", "date", "choice", "bool"]

# A team, a request list, a rectification list: hundreds of rows at most.
TABLE_LIMITS = ReadLimits(
    max_file_bytes=5 * MIB,
    max_uncompressed_bytes=50 * MIB,
    max_sheets=20,
    max_rows=2_000,
    max_columns=60,
    max_cells=120_000,
)
MAX_ROWS = 1_000  # data rows in one import
MAX_PROBLEMS = 100  # enough to show a pattern without flooding the page

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
_FALSE = {"否", "n", "no", "false", "0", "×", ""}
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_HEADER_NOISE = str.maketrans({"（": "(", "）": ")", " ": None, "\u3000": None, "*": None})


def _header_key(text: Any) -> str:
    return str(text).translate(_HEADER_NOISE).strip() if text is not None else ""


@dataclass(frozen=True)
class Field:
    """One column people fill in: its header (the page's name for it), how to read its cells."""

    key: str
    header: str
    kind: Kind = "text"
    required: bool = False
    max_length: int = 200
    choices: Mapping[str, str] = field(default_factory=dict)  # label as written → value stored
    aliases: tuple[str, ...] = ()
    note: str = ""  # what the template's 填写说明 says about the column

    def names(self) -> set[str]:
        return {_header_key(self.header), *(_header_key(a) for a in self.aliases)}


@dataclass(frozen=True)
class TableProblem:
    """Why a row or the file cannot be imported; row is the sheet's row number as Excel shows it."""

    message: str
    row: int | None = None
    column: str | None = None  # the column's header

    @property
    def text(self) -> str:
        where = (f"第{self.row}行" if self.row else "") + (
            f"“{self.column}”列" if self.column else ""
        )
        return f"{where}：{self.message}" if where else self.message


@dataclass(frozen=True)
class TableRow:
    row: int
    values: dict[str, Any]


@dataclass
class TableRead:
    rows: list[TableRow] = field(default_factory=list)
    problems: list[TableProblem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headers of columns no field reads

    def add(self, message: str, row: int | None = None, column: str | None = None) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(TableProblem(message, row, column))


class CellError(ValueError):
    """A cell's value does not fit its field; the message says what is expected."""


def parse_cell(spec: Field, value: Any) -> Any:
    """The cell's value as the field keeps it (None when empty); CellError when it cannot be."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.required:
            raise CellError("必填，不能为空")
        return False if spec.kind == "bool" else None
    return _PARSERS[spec.kind](spec, value)


def _text(spec: Field, value: Any) -> str:
    if isinstance(value, Percent):
        text = value.text()
    elif isinstance(value, datetime | date):
        text = value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value).strip()
    if len(text) > spec.max_length:
        raise CellError(f"不能超过 {spec.max_length} 个字（现有 {len(text)} 个）")
    return text


def _integer(spec: Field, value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int):
        return value
    text = str(value).strip().replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"应为整数，现为“{text}”") from None
    if number != number.to_integral_value():
        raise CellError(f"应为整数，现为“{text}”")
    return int(number)


def _decimal(spec: Field, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError("应为数字")
    text = str(value).strip().replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"应为数字，现为“{text}”") from None
    if not number.is_finite():
        raise CellError(f"应为数字，现为“{text}”")
    return number


def _date(spec: Field, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DATE.fullmatch(text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(f"应为日期（如 2026-03-31），现为“{text}”")


def _choice(spec: Field, value: Any) -> str:
    text = _text(spec, value)
    for label, stored in spec.choices.items():
        if text in (label, stored):
            return stored
    raise CellError(f"应为{'、'.join(f'“{label}”' for label in spec.choices)}之一，现为“{text}”")


def _bool(spec: Field, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"应为“是”或“否”，现为“{value}”")


_PARSERS = {
    "text": _text,
    "integer": _integer,
    "decimal": _decimal,
    "date": _date,
    "choice": _choice,
    "bool": _bool,
}


def _columns(header: Sequence[Any], fields: Sequence[Field], found: TableRead) -> dict[int, Field]:
    """Column index → field, from the header row; problems for missing and repeated columns."""
    by_name = {name: spec for spec in fields for name in spec.names()}
    taken: dict[str, int] = {}
    columns: dict[int, Field] = {}
    for index, cell in enumerate(header):
        name = _header_key(cell)
        if not name:
            continue
        spec = by_name.get(name)
        if spec is None:
            found.ignored.append(str(cell).strip())
            continue
        if spec.key in taken:
            found.add(
                f"“{spec.header}”列出现了两次（{column_letter(taken[spec.key] + 1)}列和"
                f"{column_letter(index + 1)}列），请只保留一列"
            )
            continue
        taken[spec.key] = index
        columns[index] = spec
    for spec in fields:
        if spec.required and spec.key not in taken:
            found.add(f"缺少必填列“{spec.header}”：第一行应为列名，请使用模板")
    return columns


def read_rows(rows: Sequence[Sequence[Any]], fields: Sequence[Field]) -> TableRead:
    """The sheet's rows (the first non-empty one the header) read into checked rows."""
    found = TableRead()
    filled = [(n, row) for n, row in enumerate(rows, start=1) if _filled(row)]
    if not filled:
        found.add("表格是空的：第一行应为列名，其下每行一条记录")
        return found
    header_row, header = filled[0]
    columns = _columns(header, fields, found)
    if found.problems:
        return found
    data = filled[1:]
    if not data:
        found.add(f"第{header_row}行列名之下没有数据")
        return found
    if len(data) > MAX_ROWS:
        found.add(f"一次最多导入 {MAX_ROWS} 行，本表有 {len(data)} 行，请分批导入")
        return found
    for number, row in data:
        values: dict[str, Any] = {spec.key: None for spec in fields}
        ok = True
        for index, spec in columns.items():
            cell = row[index] if index < len(row) else None
            try:
                values[spec.key] = parse_cell(spec, cell)
            except CellError as error:
                found.add(str(error), number, spec.header)
                ok = False
        for spec in fields:  # a required field whose column is absent was refused above
            if spec.kind == "bool" and values[spec.key] is None:
                values[spec.key] = False
        if ok:
            found.rows.append(TableRow(number, values))
    return found


def _filled(row: Sequence[Any]) -> bool:
    return any(cell is not None and str(cell).strip() for cell in row)


def read_table(
    data: bytes,
    *,
    filename: str,
    fields: Sequence[Field],
    sheet: str | None = None,
    limits: ReadLimits = TABLE_LIMITS,
) -> TableRead:
    """An uploaded .xlsx/.xls/.csv read through the guarded reader: the sheet named `sheet` (else
    the first), its rows checked against `fields`. A file the reader refuses is one problem."""
    try:
        book = read_workbook(
            source=data, filename=filename, accepted=("xlsx", "xls", "csv"), limits=limits
        )
    except SpreadsheetRefused as refused:
        found = TableRead()
        for problem in refused.problems:
            found.add(problem.message)
        return found
    chosen = (book.sheet(sheet) if sheet else None) or (book.sheets[0] if book.sheets else None)
    if chosen is None:
        return TableRead(problems=[TableProblem("文件中没有工作表")])
    rows = chosen.rows
    if book.file_format == "xlsx":
        rows = percent_cells(data, chosen.name, rows)
    return read_rows(rows, fields)


class Percent(float):
    """A number Excel shows as a percentage (0.95 formatted 0%: the user typed and sees 95%)."""

    def text(self) -> str:
        return f"{(Decimal(repr(float(self))) * 100).normalize():f}%"


def percent_cells(data: bytes, name: str, rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """`rows` with the numbers of percent-formatted cells as `Percent`. The reader gives cell
    values without their formats; a table import is small, so openpyxl reads the formats again
    (after the guarded reader's safety pass over the same file)."""
    import openpyxl

    found = [list(row) for row in rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book[name]
        sheet.reset_dimensions()
        for r, cells in enumerate(sheet.iter_rows(max_row=len(found)), start=0):
            for c, cell in enumerate(cells):
                value = getattr(cell, "value", None)
                if (
                    c < len(found[r])
                    and isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and "%" in (getattr(cell, "number_format", "") or "")
                ):
                    found[r][c] = Percent(value)
    finally:
        book.close()
    return found


def as_text(rows: Sequence[TableRow], fields: Sequence[Field]) -> list[list]:
    """Rows as plain JSON-able values, to carry from the preview to the confirmation."""
    return [[row.row, [_plain(row.values.get(spec.key)) for spec in fields]] for row in rows]


def from_text(carried: Sequence[Sequence], fields: Sequence[Field]) -> TableRead:
    """`as_text`'s rows parsed again with the same fields (problems if they no longer fit)."""
    found = TableRead()
    for number, cells in carried:
        values = {}
        for spec, cell in zip(fields, cells, strict=True):
            try:
                values[spec.key] = parse_cell(spec, cell)
            except CellError as error:
                found.add(str(error), number, spec.header)
        found.rows.append(TableRow(int(number), values))
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
