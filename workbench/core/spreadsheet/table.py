"""A list page as an Excel sheet: the page's columns, one row per record, ready to sort and filter.

Every table export (working papers index, findings, document requests, experts, engagements,
rectification items, …) is a list of `Column`s and the rows' values, written by `table_workbook`
through the guarded writer (stored text that looks like a formula stays text). The header is bold
and frozen with an auto-filter on it; dates and money get their number formats; long text wraps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from workbench.core.spreadsheet.table_read import MAX_ROWS, Field
from workbench.core.spreadsheet.writing import CellStyle, append_row, new_workbook, xlsx_bytes

Kind = Literal["text", "wrap", "date", "datetime", "number", "money"]

_TOP = Alignment(vertical="top")
_STYLES: dict[str, CellStyle] = {
    "text": CellStyle(alignment=_TOP),
    "wrap": CellStyle(alignment=Alignment(wrap_text=True, vertical="top")),
    "date": CellStyle(number_format="yyyy-mm-dd", alignment=_TOP),
    "datetime": CellStyle(number_format="yyyy-mm-dd hh:mm", alignment=_TOP),
    "number": CellStyle(alignment=_TOP),
    "money": CellStyle(number_format="#,##0.00", alignment=_TOP),
}
_HEADER = CellStyle(font=Font(bold=True), alignment=Alignment(vertical="center"))


@dataclass(frozen=True)
class Column:
    """One column: its header (the page's own name for it), width in characters, kind of value."""

    header: str
    width: int = 12
    kind: Kind = "text"


def table_workbook(sheet: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet named `sheet`: the headers, then each row's values in the columns' order."""
    book = new_workbook()
    target = book.create_sheet(sheet)
    target.freeze_panes = "A2"
    for number, column in enumerate(columns, start=1):
        target.column_dimensions[get_column_letter(number)].width = column.width
    append_row(target, [c.header for c in columns], style=_HEADER)
    styles = {n: _STYLES[c.kind] for n, c in enumerate(columns, start=1)}
    count = 0
    for values in rows:
        if len(values) != len(columns):
            raise ValueError(f"row of {len(values)} values for {len(columns)} columns")
        append_row(target, values, styles=styles)
        count += 1
    target.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return xlsx_bytes(book)


def headers(columns: Sequence[Column]) -> list[str]:
    return [c.header for c in columns]


def template_workbook(
    sheet: str, fields: Sequence[Field], rows: Iterable[Sequence[Any]] = ()
) -> bytes:
    """A table to fill in for `read_table`: the headers on `sheet` (a dropdown in each choice
    column) above `rows` (e.g. the facts to fill, with their current values), and a 填写说明
    sheet saying for each column whether it is required and what it takes."""
    book = new_workbook()
    target = book.create_sheet(sheet)
    target.freeze_panes = "A2"
    for number, spec in enumerate(fields, start=1):
        letter = get_column_letter(number)
        target.column_dimensions[letter].width = max(12, min(40, len(spec.header) * 3))
        if spec.choices:
            allowed = ",".join(spec.choices)
            if len(allowed) <= 250:  # Excel's limit for a list typed into the validation
                rule = DataValidation(type="list", formula1=f'"{allowed}"', allow_blank=True)
                rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
                target.add_data_validation(rule)
    append_row(target, [spec.header for spec in fields], style=_HEADER)
    for values in rows:
        append_row(target, values, style=_STYLES["text"])
    notes = book.create_sheet("填写说明")
    for letter, width in zip("ABCD", (20, 10, 50, 40), strict=True):
        notes.column_dimensions[letter].width = width
    append_row(notes, ["列名", "是否必填", "填写要求", "可填的值"], style=_HEADER)
    for spec in fields:
        append_row(
            notes,
            [spec.header, "必填" if spec.required else "", spec.note or _KIND_NOTES[spec.kind],
             "、".join(spec.choices)],
            styles={3: _STYLES["wrap"], 4: _STYLES["wrap"]},
        )  # fmt: skip
    append_row(notes, [])
    append_row(
        notes,
        [f"第一行为列名（列的顺序不限，多余的列不导入）；每行一条记录，一次最多 {MAX_ROWS} 行。"],
    )
    return xlsx_bytes(book)


_KIND_NOTES = {
    "text": "文字",
    "integer": "整数",
    "decimal": "数字",
    "date": "日期，如 2026-03-31",
    "choice": "从下拉列表中选择",
    "bool": "“是”或“否”",
}
