"""Read an indicator sheet (.xlsx) into leaves and a grade table, validating everything first.

Format: DESIGN.md "Indicator sheet". Every error names the Excel row and the column header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from workbench.core.problems import FieldError
from workbench.core.spreadsheet import Sheet, Workbook, column_letter
from workbench.indicators.sheet_file import (
    GRADE_SHEET,
    SheetError,
    cell_text,
    issue,
    open_workbook,
)
from workbench.scoring.calculator import FIELD_LABELS, Leaf
from workbench.scoring.grades import DEFAULT_GRADES, GradeTable, check_grades
from workbench.scoring.params import DEFAULT_LEVELS, QualitativeLevel, normalise_rule
from workbench.scoring.validation import check_system
from workbench.scoring.values import ParamError, clean, parse_decimal_cell

# Header text → field. The first sheet holds the leaves; unknown columns are ignored.
HEADERS: dict[str, str] = {
    "一级指标": "level1",
    "二级指标": "level2",
    "三级指标": "name",
    "分值": "weight",
    "指标解释": "definition",
    "评分标准": "standard",
    "规则": "rule",
    "参数": "params",
    "目标值": "target",
    "实际值": "actual",
    "得分": "score",
    "不适用": "not_applicable",
    "备注": "note",
}
_ALIASES = {
    "一级": "level1",
    "二级": "level2",
    "三级": "name",
    "权重": "weight",
    "指标分值": "weight",
}
COLUMN_OF = {value: key for key, value in HEADERS.items()}
REQUIRED = ("level1", "level2", "name", "weight")
GRADE_HEADERS = ("等级", "下限")
HEADER_SCAN_ROWS = 10
_SUMMARY_WORDS = {"合计", "总计", "小计", "总分"}
# Formula cells listed one by one in the import's notes; the rest are counted.
_FORMULAS_LISTED = 10
_YES = {"是", "y", "yes", "1", "true", "√", "✓", "不适用", "na", "n/a"}
_NO = {"否", "n", "no", "0", "false", "×", "适用"}

# Columns the app adds to the sheet format (the sheet reader ignores them; transfer.py reads them).
EXTRA_COLUMNS = {"评价要点": "points", "标准类型": "standard_type", "数据来源": "evidence_sources"}


@dataclass(frozen=True)
class LeafExtras:
    """The descriptive columns of a leaf row that scoring does not use."""

    definition: str = ""
    standard: str = ""
    note: str = ""


@dataclass
class ParsedSheet:
    """A validated sheet: leaves with their Excel rows and extras, and the grade table."""

    leaves: list[Leaf]
    extras: list[LeafExtras]
    rows: list[int]
    grades: GradeTable = DEFAULT_GRADES
    grades_from_sheet: bool = False
    warnings: list[str] = field(default_factory=list)
    # The first sheet's cells (Excel row 1 first) and its header row, for the app's own columns.
    table: list[list] = field(default_factory=list, repr=False)
    header_row: int = 1


def _header_key(value: object) -> str | None:
    text = clean(value) if value is not None else ""
    for opener, closer in (("(", ")"), ("（", "）")):
        if text.endswith(closer) and opener in text:
            text = text[: text.rindex(opener)]
    return HEADERS.get(text) or _ALIASES.get(text)


def _find_header(rows: list[tuple], sheet: str) -> tuple[int, dict[str, int]]:
    """(Excel row of the header, field → column index); SheetError when absent."""
    best: tuple[int, dict[str, int]] | None = None
    for number, values in enumerate(rows[:HEADER_SCAN_ROWS], start=1):
        found: dict[str, int] = {}
        problems = []
        for index, value in enumerate(values):
            key = _header_key(value)
            if key is None:
                continue
            if key in found:
                problems.append(issue(sheet, number, COLUMN_OF[key], "该列出现了不止一次"))
            found.setdefault(key, index)
        if "name" in found or "weight" in found:
            if problems:
                raise SheetError(problems)
            best = (number, found)
            break
    if best is None:
        columns = "、".join(COLUMN_OF[key] for key in REQUIRED)
        message = f"没有找到表头行：前{HEADER_SCAN_ROWS}行中没有列名（须包含 {columns}）"
        raise SheetError([issue(sheet, 1, None, message)])
    number, found = best
    missing = [
        issue(sheet, number, COLUMN_OF[key], f"缺少必需的列“{COLUMN_OF[key]}”")
        for key in REQUIRED
        if key not in found
    ]
    if missing:
        raise SheetError(missing)
    return best


def _not_applicable(text: str | None) -> tuple[bool, str]:
    """(not applicable?, reason written in the cell). Any other text counts as the reason."""
    if text is None:
        return False, ""
    token = clean(text).lower()
    if token in _YES:
        return True, ""
    if token in _NO:
        return False, ""
    return True, text


class _RowReader:
    """Turns data rows into leaves, collecting every problem instead of stopping at the first."""

    def __init__(self, sheet: str, columns: dict[str, int]):
        self.sheet = sheet
        self.columns = columns
        self.issues: list[FieldError] = []
        self.leaves: list[Leaf] = []
        self.extras: list[LeafExtras] = []
        self.rows: list[int] = []
        self.bad: list[set[str]] = []
        self.level1: str | None = None
        self.level2: str | None = None
        self.orphans_reported = False
        self.level2_reported_for: str | None = None

    def cell(self, values: tuple, key: str) -> object:
        index = self.columns.get(key)
        return values[index] if index is not None and index < len(values) else None

    def error(self, row: int, key: str, message: str) -> None:
        self.issues.append(issue(self.sheet, row, COLUMN_OF[key], message))

    def text(self, values: tuple, key: str, row: int, bad: set[str]) -> str | None:
        value = self.cell(values, key)
        if isinstance(value, datetime | date | time):
            self.error(row, key, f"不能填写日期或时间（{value}），请改为文本或数字")
            bad.add(key)
            return None
        return cell_text(value)

    def read(self, row: int, values: tuple) -> None:
        texts = {key: cell_text(self.cell(values, key)) for key in self.columns}
        if all(text is None for text in texts.values()):
            return
        if any(texts.get(key) in _SUMMARY_WORDS for key in ("level1", "level2", "name")):
            return  # a 合计/小计 line, not an indicator
        bad: set[str] = set()
        get = {
            key: self.text(values, key, row, bad)
            for key in self.columns
            if key not in ("weight", "score")
        }
        self._carry_down(row, get.get("level1"), get.get("level2"), bad)
        name = get.get("name")
        if name is None:
            self.error(row, "name", "三级指标名称为空")
            bad.add("name")
        leaf = Leaf(
            path=(self.level1 or "", self.level2 or "", name or ""),
            weight=self._number(row, "weight", values, bad, required=True) or Decimal(0),
            rule=self._rule(row, get.get("rule"), bad),
            params=get.get("params") or "",
            target=get.get("target"),
            actual=get.get("actual"),
            score=self._number(row, "score", values, bad, required=False),
        )
        leaf.not_applicable, reason = _not_applicable(get.get("not_applicable"))
        note = get.get("note") or ""
        if leaf.not_applicable:
            leaf.na_reason = reason or note
        self.leaves.append(leaf)
        self.extras.append(LeafExtras(get.get("definition") or "", get.get("standard") or "", note))
        self.rows.append(row)
        self.bad.append(bad)

    def _carry_down(self, row: int, level1: str | None, level2: str | None, bad: set[str]) -> None:
        """Blank 一级/二级 cells (merged or left empty) take the value from the rows above."""
        if level1 is not None and level1 != self.level1:
            self.level1, self.level2 = level1, None
        elif self.level1 is None:
            bad.update(("level1", "level2"))
            if not self.orphans_reported:  # one message, not one per following row
                self.error(row, "level1", "第一个指标须填写一级指标（下方同组的行可以合并或留空）")
                self.orphans_reported = True
            return
        if level2 is not None:
            self.level2 = level2
        elif self.level2 is None:
            bad.add("level2")
            if self.level2_reported_for != self.level1:
                self.error(row, "level2", f"一级指标“{self.level1}”下的第一个指标须填写二级指标")
                self.level2_reported_for = self.level1

    def _number(self, row: int, key: str, values: tuple, bad: set[str], *, required: bool):
        value = self.cell(values, key)
        if cell_text(value) is None:
            if required:
                self.error(row, key, f"{COLUMN_OF[key]}为空")
                bad.add(key)
            return None
        try:
            return parse_decimal_cell(value, what=COLUMN_OF[key], field=key, suffix="分")
        except ParamError as exc:
            self.error(row, key, exc.message)
            bad.add(key)
            return None

    def _rule(self, row: int, text: str | None, bad: set[str]) -> str | None:
        if text is None:
            return None
        try:
            return normalise_rule(text)
        except ParamError as exc:
            self.error(row, "rule", exc.message)
            bad.add("rule")
            return None


def _read_grades(ws: Sheet | None) -> tuple[GradeTable | None, list[dict]]:
    """The optional 等级 sheet as a grade table, or (None, []) when the sheet is absent."""
    if ws is None:
        return None, []
    rows = ws.rows
    header = [clean(v) if v is not None else "" for v in (rows[0] if rows else ())]
    missing = [h for h in GRADE_HEADERS if h not in header]
    if missing:
        return None, [issue(GRADE_SHEET, 1, h, f"缺少列“{h}”") for h in missing]
    name_col, bound_col = (header.index(h) for h in GRADE_HEADERS)
    grades: list[tuple[str, Decimal]] = []
    issues: list[FieldError] = []
    names: dict[str, int] = {}
    bounds: dict[Decimal, int] = {}
    for number, values in enumerate(rows[1:], start=2):
        name = cell_text(values[name_col] if name_col < len(values) else None)
        raw = values[bound_col] if bound_col < len(values) else None
        if name is None and cell_text(raw) is None:
            continue
        if name is None:
            issues.append(issue(GRADE_SHEET, number, "等级", "等级名称为空"))
            continue
        try:
            bound = (
                Decimal(0)
                if cell_text(raw) is None
                else parse_decimal_cell(raw, what="下限", field="下限", suffix="分")
            )
        except ParamError as exc:
            issues.append(issue(GRADE_SHEET, number, "下限", exc.message))
            continue
        if not 0 <= bound <= 100:
            issues.append(issue(GRADE_SHEET, number, "下限", f"下限{bound}应在0到100之间"))
            continue
        if name in names:
            issues.append(
                issue(GRADE_SHEET, number, "等级", f"等级“{name}”与第{names[name]}行重复")
            )
        if bound in bounds:
            issues.append(issue(GRADE_SHEET, number, "下限", f"下限与第{bounds[bound]}行重复"))
        names.setdefault(name, number)
        bounds.setdefault(bound, number)
        grades.append((name, bound))
    if not issues:
        issues = [issue(GRADE_SHEET, None, "下限", p) for p in check_grades(grades)]
    return tuple(sorted(grades, key=lambda g: -g[1])), issues


def read_sheet(
    source: str | Path | bytes | BinaryIO,
    *,
    filename: str | None = None,
    for_scoring: bool = False,
    levels: tuple[QualitativeLevel, ...] = DEFAULT_LEVELS,
) -> ParsedSheet:
    """Parse and validate an indicator sheet; SheetError lists every problem with row and column.

    With `for_scoring`, every applicable leaf must also carry what it needs to be scored.
    """
    workbook = open_workbook(source, filename)
    ws = workbook.sheets[0]
    rows = ws.rows
    if not any(value is not None and str(value).strip() for row in rows for value in row):
        raise SheetError([issue(ws.name, None, None, f"工作表“{ws.name}”是空的，没有表头和指标")])
    header_row, columns = _find_header(rows, ws.name)
    reader = _RowReader(ws.name, columns)
    for number, values in enumerate(rows[header_row:], start=header_row + 1):
        reader.read(number, values)
    issues = reader.issues
    if not reader.leaves and not issues:
        issues.append(issue(ws.name, header_row + 1, "三级指标", "表头下方没有任何指标行"))
    check = check_system(reader.leaves, levels=levels, complete=for_scoring)
    weights_ok = not any("weight" in bad for bad in reader.bad)
    for item in check.issues:
        if item.index is None:
            if item.field == "weight" and weights_ok and reader.rows:
                span = f"第{reader.rows[0]}–{reader.rows[-1]}行"
                issues.append(issue(ws.name, None, "分值", f"{span}{item.message}"))
            continue
        if item.field in reader.bad[item.index]:
            continue  # already reported when the cell was read
        path_field = item.field in ("level1", "level2", "name") and item.other is None
        if path_field and reader.bad[item.index]:
            continue  # an empty name caused by a problem reported already
        message = item.message
        if item.other is not None:
            message += f"（与第{reader.rows[item.other]}行重复）"
        issues.append(issue(ws.name, reader.rows[item.index], FIELD_LABELS[item.field], message))
    grades, grade_issues = _read_grades(workbook.sheet(GRADE_SHEET))
    issues.extend(grade_issues)
    if issues:
        raise SheetError(sorted(issues, key=lambda i: (i.sheet == GRADE_SHEET, i.row or 0)))
    return ParsedSheet(
        leaves=reader.leaves,
        extras=reader.extras,
        rows=reader.rows,
        grades=grades or DEFAULT_GRADES,
        grades_from_sheet=grades is not None,
        warnings=check.warnings + _formula_notes(workbook, columns),
        table=rows,
        header_row=header_row,
    )


def _formula_notes(workbook: Workbook, columns: dict[str, int]) -> list[str]:
    """One note per formula cell whose saved value was imported (a count past the first few)."""
    first = workbook.sheets[0].name
    names = {index + 1: COLUMN_OF[key] for key, index in columns.items()}
    notes = []
    for cell in workbook.formulas[:_FORMULAS_LISTED]:
        sheet = workbook.sheet(cell.sheet.strip())
        rows = sheet.rows if sheet else []
        row = rows[cell.row - 1] if cell.row <= len(rows) else []
        value = row[cell.column - 1] if cell.column <= len(row) else None
        column = names.get(cell.column) if cell.sheet == first else None
        where = (
            f"第{cell.row}行“{column}”列"
            if column
            else f"第{cell.row}行{column_letter(cell.column)}列"
        )
        if cell.sheet != first:
            where = f"“{cell.sheet}”工作表{where}"
        saved = (
            "已按 Excel 保存的计算结果导入"
            if value is not None
            else "Excel 没有保存计算结果，按空白导入"
        )
        notes.append(f"{where}是公式：{saved}")
    if len(workbook.formulas) > _FORMULAS_LISTED:
        rest = len(workbook.formulas) - _FORMULAS_LISTED
        notes.append(f"另有 {rest} 个公式单元格，同样按 Excel 保存的计算结果导入")
    return notes
