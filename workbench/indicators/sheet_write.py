"""Write leaves and a grade table as an indicator sheet (.xlsx) that `read_sheet` reads back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from workbench.core.spreadsheet import (
    CellStyle,
    append_row,
    new_workbook,
    write_cell,
    xlsx_bytes,
)
from workbench.indicators.sheet import GRADE_HEADERS, HEADERS, LeafExtras
from workbench.indicators.sheet_file import GRADE_SHEET
from workbench.scoring.calculator import Leaf, ScoreResult, rescale_note
from workbench.scoring.grades import DEFAULT_GRADES, sort_grades
from workbench.scoring.params import RULES

SUMMARY_SHEET = "评分结果"
_WIDTHS = {
    "一级指标": 10,
    "二级指标": 12,
    "三级指标": 22,
    "分值": 8,
    "指标解释": 36,
    "评分标准": 36,
    "规则": 10,
    "参数": 30,
    "目标值": 14,
    "实际值": 14,
    "得分": 8,
    "不适用": 8,
    "备注": 30,
}
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(vertical="center", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_HEADER = CellStyle(font=Font(bold=True), fill=_HEADER_FILL, alignment=_CENTER, border=_BORDER)
_EXTRA_WIDTH = 30


def _number(value: Decimal | None) -> int | Decimal | None:
    """Whole numbers as int so the cell shows 4, not 4.0."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


def _merge_runs(ws: Worksheet, column: int, keys: list[tuple[str, ...]], first_row: int) -> None:
    """Write each run of equal keys once and merge its cells down the column."""
    start = 0
    for index in range(1, len(keys) + 1):
        if index < len(keys) and keys[index] == keys[start]:
            continue
        top, bottom = first_row + start, first_row + index - 1
        write_cell(ws, row=top, column=column, value=keys[start][-1])
        if bottom > top:
            ws.merge_cells(start_row=top, start_column=column, end_row=bottom, end_column=column)
        start = index


def _row_values(leaf: Leaf, extra: LeafExtras, score: Decimal | None) -> dict[str, object]:
    reason = leaf.na_reason.strip()
    note = extra.note
    na_cell = None
    if leaf.not_applicable:
        na_cell = "是"
        if reason and not note:
            note = reason
        elif reason and reason != note:
            na_cell = reason  # the reader takes any other text in 不适用 as the reason
    rule = RULES.get(leaf.rule or "", leaf.rule) if leaf.rule else None
    return {
        "三级指标": leaf.path[2],
        "分值": _number(leaf.weight),
        "指标解释": extra.definition or None,
        "评分标准": extra.standard or None,
        "规则": rule,
        "参数": leaf.params or None,
        "目标值": leaf.target,
        "实际值": leaf.actual,
        "得分": _number(score),
        "不适用": na_cell,
        "备注": note or None,
    }


def _write_grades(workbook: Workbook, grades) -> None:
    ws = workbook.create_sheet(GRADE_SHEET)
    append_row(ws, GRADE_HEADERS, style=_HEADER)
    for name, bound in sort_grades(grades):
        append_row(ws, [name, _number(Decimal(bound))])


def _write_summary(workbook: Workbook, result: ScoreResult) -> None:
    ws = workbook.create_sheet(SUMMARY_SHEET)
    append_row(ws, ["项目", "分值", "得分"], style=_HEADER)
    for group in result.level1:
        append_row(ws, [group.path[0], _number(group.weight), _number(group.score)])
    append_row(
        ws, ["三级指标得分合计", _number(result.applicable_weight), _number(result.sum_scores)]
    )
    append_row(ws, ["总分", 100, _number(result.total)])
    append_row(ws, ["等级", None, result.grade])
    append_row(ws, ["计算", None, rescale_note(result)])
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["C"].width = 30


def write_sheet(
    leaves: Sequence[Leaf],
    grades=DEFAULT_GRADES,
    *,
    scores: Sequence[Decimal | None] | None = None,
    extras: Sequence[LeafExtras] | None = None,
    result: ScoreResult | None = None,
    more_columns: Mapping[str, Sequence[Any]] | None = None,
) -> bytes:
    """The .xlsx bytes of an indicator sheet; `scores` fill 得分, `result` adds a summary sheet,
    `more_columns` (header → one value per leaf) follow the sheet's own columns."""
    workbook = new_workbook()
    ws = workbook.create_sheet("指标体系")
    headers = [*HEADERS, *(more_columns or {})]
    append_row(ws, headers, style=_HEADER)
    column = {header: index for index, header in enumerate(headers, start=1)}
    for offset, leaf in enumerate(leaves):
        extra = extras[offset] if extras is not None else LeafExtras()
        score = scores[offset] if scores is not None else leaf.score
        values = _row_values(leaf, extra, score)
        for header, cells in (more_columns or {}).items():
            values[header] = cells[offset]
        for header, value in values.items():
            write_cell(ws, row=offset + 2, column=column[header], value=value)
    _merge_runs(ws, column["一级指标"], [leaf.path[:1] for leaf in leaves], 2)
    _merge_runs(ws, column["二级指标"], [leaf.path[:2] for leaf in leaves], 2)
    for row in ws.iter_rows(min_row=2, max_row=len(leaves) + 1, max_col=len(HEADERS)):
        for cell in row:
            cell.border = _BORDER
            cell.alignment = _CENTER if cell.column <= 2 else _WRAP
            if cell.column == column["得分"]:
                cell.number_format = "0.00"
    for header, index in column.items():
        width = _WIDTHS.get(header, _EXTRA_WIDTH if header in (more_columns or {}) else 12)
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "D2"
    _write_grades(workbook, grades)
    if result is not None:
        _write_summary(workbook, result)
    return xlsx_bytes(workbook)
