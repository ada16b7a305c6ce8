"""Column mappings an evaluator sees and edits: the automatic proposal for any file, the choices
offered per column, and the edited form back into an ImportMapping (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from workbench.surveys.design.questions import ROW_SEPARATOR, Question
from workbench.surveys.imports import ImportMapping, Table, check_mapping, propose_mapping
from workbench.surveys.imports.headers import META_NAMES, meta_field, scan_headers
from workbench.surveys.imports.mapping import (
    ROLE_ANSWER,
    ROLE_IGNORE,
    ROLE_META,
    ROLE_UNMATCHED,
    ColumnAssignment,
)
from workbench.surveys.imports.normalize import text_key

_WJX_QUESTION = re.compile(r"^\s*\d+\s*[、.．]")
UNDECIDED = "?"  # an unmatched column stays unmatched until the user picks a target or "ignore"
META_CHOICES = ["serial", "submitted_at", "duration", "source", "source_detail", "ip"]


def is_wjx(table: Table) -> bool:
    """A 问卷星 export: a 序号 column or `N、题干` question headers."""
    layout = scan_headers(table.headers)
    return "serial" in layout.meta or any(_WJX_QUESTION.match(h) for h in table.headers)


def propose(table: Table, questions: Sequence[Question], kind: str) -> ImportMapping:
    """The automatic mapping: 问卷星 by number and text, other tables by key or question text."""
    if kind == "wjx":
        return propose_mapping(table, questions)
    return propose_generic(table, questions)


def propose_generic(table: Table, questions: Sequence[Question]) -> ImportMapping:
    """Headers equal to a question key or text (`—row` for matrix rows, `(option)` for 0/1
    columns of a multi-select); metadata by name; anything else is left for the user."""
    mapping = ImportMapping(kind="generic")
    targets = _targets(questions)
    for position, header in enumerate(table.headers):
        meta = meta_field(header)
        if meta:
            mapping.columns.append(ColumnAssignment(position, header, ROLE_META, meta=meta))
            continue
        target = targets.get(text_key(header))
        if target is None:
            note = "表头既不是问卷题目的编号也不是题干，请选择对应的题目或忽略该列"
            mapping.columns.append(ColumnAssignment(position, header, ROLE_UNMATCHED, note=note))
        else:
            key, row, option = target
            mapping.columns.append(
                ColumnAssignment(
                    position, header, ROLE_ANSWER, question_key=key, row=row, option=option
                )
            )
    mapping.errors = check_mapping(table, questions, mapping)
    return mapping


def _targets(questions: Sequence[Question]) -> dict[str, tuple[str, str | None, int | None]]:
    found: dict[str, tuple[str, str | None, int | None]] = {}
    for q in questions:
        names = [q.key, q.text]
        if q.type == "matrix":
            for row in q.rows:
                for name in names:
                    found.setdefault(text_key(f"{name}{ROW_SEPARATOR}{row}"), (q.key, row, None))
        elif q.type == "multiple":
            for name in names:
                found.setdefault(text_key(name), (q.key, None, None))
            for index, option in enumerate(q.options):
                for name in names:
                    for shape in (f"{name}({option})", f"{name}（{option}）"):
                        found.setdefault(text_key(shape), (q.key, None, index))
        else:
            for name in names:
                found.setdefault(text_key(name), (q.key, None, None))
    return found


def choices(questions: Sequence[Question]) -> list[tuple[str, str]]:
    """Every target a column may be given, as (form value, label)."""
    found = [(UNDECIDED, "（未对应：请选择题目或忽略）"), ("", "（忽略此列）")]
    found += [(f"meta:{m}", f"答卷信息：{META_NAMES[m]}") for m in META_CHOICES]
    for number, q in enumerate(questions, start=1):
        head = f"第{number}题 {q.text}"
        if q.type == "matrix":
            found += [(f"r:{q.key}:{i}", f"{head}—{row}") for i, row in enumerate(q.rows)]
        elif q.type == "multiple":
            found.append((f"q:{q.key}", f"{head}（整题，选项以┋分隔）"))
            found += [(f"o:{q.key}:{i}", f"{head}（{o}：1/0）") for i, o in enumerate(q.options)]
        else:
            found.append((f"q:{q.key}", head))
    return found


def value_of(column: ColumnAssignment, questions: Sequence[Question]) -> str:
    """The form value of a column's current assignment."""
    if column.role == ROLE_UNMATCHED:
        return UNDECIDED
    if column.role == ROLE_META and column.meta:
        return f"meta:{column.meta}"
    if column.role != ROLE_ANSWER or not column.question_key:
        return ""
    if column.row is not None:
        question = next((q for q in questions if q.key == column.question_key), None)
        if question is not None and column.row in question.rows:
            return f"r:{column.question_key}:{question.rows.index(column.row)}"
        return ""
    if column.option is not None:
        return f"o:{column.question_key}:{column.option}"
    return f"q:{column.question_key}"


def apply_choices(
    mapping: ImportMapping,
    questions: Sequence[Question],
    values: Mapping[int, str],
    table: Table,
) -> ImportMapping:
    """The stored proposal with the user's choice for every column; errors recomputed."""
    by_key = {q.key: q for q in questions}
    edited = ImportMapping(kind=mapping.kind, warnings=list(mapping.warnings))
    for column in mapping.columns:
        value = values.get(column.column)
        if value is None:
            edited.columns.append(column)
            continue
        edited.columns.append(_assignment(column, value.strip(), by_key))
    edited.errors = check_mapping(table, questions, edited)
    return edited


def _assignment(
    column: ColumnAssignment, value: str, by_key: Mapping[str, Question]
) -> ColumnAssignment:
    if value == UNDECIDED:
        note = column.note or "尚未选择对应的题目"
        return ColumnAssignment(column.column, column.header, ROLE_UNMATCHED, note=note)
    base = ColumnAssignment(column.column, column.header, ROLE_IGNORE)
    kind, _, rest = value.partition(":")
    if kind == "meta" and rest in META_CHOICES:
        base.role, base.meta = ROLE_META, rest
        return base
    key, _, index = rest.partition(":")
    question = by_key.get(key)
    if kind not in ("q", "r", "o") or question is None:
        return base
    base.role, base.question_key = ROLE_ANSWER, key
    if (
        kind == "r"
        and question.type == "matrix"
        and index.isdigit()
        and int(index) < len(question.rows)
    ):
        base.row = question.rows[int(index)]
    elif (
        kind == "o"
        and question.type == "multiple"
        and index.isdigit()
        and int(index) < len(question.options)
    ):
        base.option = int(index)
    elif kind != "q" or question.type == "matrix":
        base.role, base.question_key = ROLE_UNMATCHED, None
        base.note = f"“{value}”不是有效的对应目标"
    return base


def unmatched(mapping: ImportMapping) -> list[ColumnAssignment]:
    return [c for c in mapping.columns if c.role == ROLE_UNMATCHED]
