"""Values of a paper's structured fields: validation per field type, storage form, display (pure).

Stored as JSON: text and choice as strings, number and money as Decimal strings (money with two
places, half-up), dates as ISO strings, tables as lists of {column key: stored value}. Required
fields may stay empty while a paper is a draft; they are enforced when the preparer signs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from workbench.fieldwork.spec import FieldSpec

CENT = Decimal("0.01")
MAX_TEXT = 4000
MAX_LINE = 500
MAX_ROWS = 500
_LIMIT = Decimal("1e15")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_FORM_CELL = re.compile(r"^f-([a-z][a-z0-9_]*)-(\d{1,3})-([a-z][a-z0-9_]*)$")


def parse_number(text: Any) -> Decimal | None:
    """'1,200.50', '１２００元', '¥3,000' → Decimal; None when blank; ValueError otherwise."""
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError(f"“{text}”不是有效的数字")
    if isinstance(text, Decimal | int):
        value = Decimal(text)
    else:
        cleaned = unicodedata.normalize("NFKC", str(text)).strip()
        for junk in (",", "，", "¥", "￥", "元", " "):
            cleaned = cleaned.replace(junk, "")
        if not cleaned:
            return None
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise ValueError(f"“{text}”不是有效的数字") from None
    if not value.is_finite() or abs(value) >= _LIMIT:
        raise ValueError(f"“{text}”不是有效的数字")
    return value


def parse_date(text: Any) -> date | None:
    """'2025-03-08', '2025/3/8', '2025年3月8日' → date; None when blank; ValueError otherwise."""
    if text is None:
        return None
    if isinstance(text, date):
        return text
    cleaned = unicodedata.normalize("NFKC", str(text)).strip()
    if not cleaned:
        return None
    match = _DATE.match(cleaned)
    try:
        if not match:
            raise ValueError
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"“{text}”不是有效的日期（格式如 2025-03-08）") from None


def _scalar(spec: FieldSpec, raw: Any) -> str:
    """The stored string of one scalar value; ValueError with a message naming the problem."""
    if spec.type in ("number", "money"):
        value = parse_number(raw)
        if value is None:
            return ""
        if spec.type == "money":
            return str(value.quantize(CENT, rounding=ROUND_HALF_UP))
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if spec.type == "date":
        value = parse_date(raw)
        return value.isoformat() if value else ""
    text = "" if raw is None else unicodedata.normalize("NFC", str(raw)).strip()
    text = text.replace("\r\n", "\n")
    if spec.type == "choice":
        if text and text not in spec.choices:
            raise ValueError(f"“{text}”不是可选项（{'、'.join(spec.choices)}）")
        return text
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise ValueError("包含不可见的控制字符")
    limit = MAX_TEXT if spec.multiline else MAX_LINE
    if len(text) > limit:
        raise ValueError(f"不能超过 {limit} 个字符（当前 {len(text)} 个）")
    return text


def clean_values(
    fields: tuple[FieldSpec, ...], raw: Mapping[str, Any]
) -> tuple[dict[str, Any], list[dict]]:
    """Validate raw input against the fields; returns (stored values, errors naming field/row/column)."""
    values: dict[str, Any] = {}
    errors: list[dict] = []
    known = {f.key for f in fields}
    for key in raw:
        if key not in known:
            errors.append({"field": f"f-{key}", "message": f"模板中没有字段“{key}”"})
    for spec in fields:
        value = raw.get(spec.key)
        if spec.type != "table":
            try:
                values[spec.key] = _scalar(spec, value)
            except ValueError as error:
                errors.append({"field": f"f-{spec.key}", "message": f"“{spec.label}”：{error}"})
            continue
        rows, row_errors = _table_rows(spec, value)
        values[spec.key] = rows
        errors.extend(row_errors)
    return values, errors


def _table_rows(spec: FieldSpec, value: Any) -> tuple[list[dict[str, str]], list[dict]]:
    if value in (None, ""):
        return [], []
    if not isinstance(value, list) or not all(isinstance(r, Mapping) for r in value):
        return [], [{"field": f"f-{spec.key}", "message": f"表格“{spec.label}”应为行的列表"}]
    if len(value) > MAX_ROWS:
        return [], [{"field": f"f-{spec.key}", "message": f"表格“{spec.label}”超过 {MAX_ROWS} 行"}]
    stored_columns = [c for c in spec.columns if c.type != "ratio"]
    names = {c.key for c in stored_columns}
    rows: list[dict[str, str]] = []
    errors: list[dict] = []
    for number, row in enumerate(value, start=1):
        unknown = sorted(set(map(str, row)) - names - {c.key for c in spec.columns})
        for key in unknown:
            errors.append(
                {
                    "field": f"f-{spec.key}",
                    "row": number,
                    "column": key,
                    "message": f"表格“{spec.label}”第{number}行：没有列“{key}”",
                }
            )
        cells: dict[str, str] = {}
        for column in stored_columns:
            try:
                cells[column.key] = _scalar(column, row.get(column.key))
            except ValueError as error:
                errors.append(
                    {
                        "field": f"f-{spec.key}",
                        "row": number,
                        "column": column.label,
                        "message": f"表格“{spec.label}”第{number}行“{column.label}”：{error}",
                    }
                )
        if any(cells.values()):
            rows.append(cells)
    return rows, errors


def missing_required(fields: tuple[FieldSpec, ...], values: Mapping[str, Any]) -> list[str]:
    """Labels of required fields that are still empty."""
    return [spec.label for spec in fields if spec.required and not values.get(spec.key)]


def initial_values(fields: tuple[FieldSpec, ...]) -> dict[str, Any]:
    """A new paper's values: each field's default, tables with their prefilled rows."""
    values: dict[str, Any] = {}
    for spec in fields:
        if spec.type == "table":
            values[spec.key] = [dict(row) for row in spec.default_rows]
        else:
            values[spec.key] = spec.default
    return values


def form_to_raw(fields: tuple[FieldSpec, ...], form: Mapping[str, str]) -> dict[str, Any]:
    """Form input (f-<key>, f-<table>-<row>-<column>) as raw values for clean_values."""
    raw: dict[str, Any] = {}
    tables = {f.key for f in fields if f.type == "table"}
    cells: dict[str, dict[int, dict[str, str]]] = {key: {} for key in tables}
    for name in form:
        match = _FORM_CELL.match(name)
        if match and match[1] in tables:
            cells[match[1]].setdefault(int(match[2]), {})[match[3]] = form[name]
    for spec in fields:
        if spec.type == "table":
            raw[spec.key] = [cells[spec.key][i] for i in sorted(cells[spec.key])]
        else:
            raw[spec.key] = form.get(f"f-{spec.key}", "")
    return raw


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def show(spec: FieldSpec, stored: Any) -> str:
    """One stored scalar as text for pages and documents (money with separators)."""
    if stored in (None, ""):
        return ""
    if spec.type == "money":
        return _money(Decimal(str(stored)))
    if spec.type == "number" and spec.unit:
        return f"{stored}{spec.unit}"
    return str(stored)


def _ratio(column: FieldSpec, row: Mapping[str, Any]) -> str:
    try:
        top = parse_number(row.get(column.numerator))
        bottom = parse_number(row.get(column.denominator))
    except ValueError:
        return ""
    if top is None or not bottom:
        return ""
    return f"{(top * 100 / bottom).quantize(CENT, rounding=ROUND_HALF_UP)}%"


def table_view(spec: FieldSpec, rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Headers, display rows (ratio columns computed) and the totals row of a table field."""
    shown = []
    for row in rows or []:
        shown.append(
            [
                _ratio(c, row) if c.type == "ratio" else show(c, row.get(c.key, ""))
                for c in spec.columns
            ]
        )
    totals: list[str] | None = None
    if spec.totals and rows:
        sums = {}
        for column in spec.columns:
            if column.type in ("number", "money"):
                sums[column.key] = sum(
                    (Decimal(str(r[column.key])) for r in rows if r.get(column.key)), Decimal(0)
                )
        totals = []
        for i, column in enumerate(spec.columns):
            if column.key in sums:
                totals.append(show(column, str(sums[column.key])))
            elif column.type == "ratio":
                totals.append(_ratio(column, {k: str(v) for k, v in sums.items()}))
            else:
                totals.append("合计" if i == 0 else "")
    return {"headers": [c.label for c in spec.columns], "rows": shown, "totals": totals}


def as_text(spec: FieldSpec, stored: Any) -> str:
    """A field's value as plain text (tables one row a line) for the .docx export."""
    if spec.type != "table":
        return show(spec, stored)
    view = table_view(spec, stored or [])
    lines = []
    for row in view["rows"] + ([view["totals"]] if view["totals"] else []):
        cells = [f"{h}：{v}" for h, v in zip(view["headers"], row, strict=True) if v]
        lines.append("；".join(cells))
    return "\n".join(lines)
