"""Answer columns: resolve every question of every row, vectorised over distinct cell values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.surveys.design.questions import Question
from workbench.surveys.imports.cells import (
    K_BOTH,
    K_CODE,
    K_INVALID,
    K_MISSING,
    K_TEXT,
    ChoiceCells,
    MultiCells,
    read_choice,
    read_joined_multiple,
    read_number,
    read_split_option,
    read_text,
)
from workbench.surveys.imports.errors import IssueCollector, column_label, shorten
from workbench.surveys.imports.mapping import ROLE_ANSWER, ColumnAssignment, ImportMapping
from workbench.surveys.imports.normalize import BLANK, SKIPPED, cell_text, option_list_text
from workbench.surveys.imports.readers import Table
from workbench.surveys.imports.variant import VARIANT_NAMES, KindTally, decide_variant


@dataclass
class AnswerColumns:
    """Per question key: the answer, missing kind and other text of every row."""

    keys: list[str]
    values: dict[str, np.ndarray] = field(default_factory=dict)
    missing: dict[str, np.ndarray] = field(default_factory=dict)
    other: dict[str, np.ndarray] = field(default_factory=dict)
    variant: str | None = None
    variant_code: int | None = None

    def answer_dicts(self) -> list[dict[str, Any]]:
        """One `{key: answer}` dict per row, every key present."""
        keys = self.keys
        columns = [self.values[k].tolist() for k in keys]
        return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]

    @staticmethod
    def sparse_dicts(arrays: dict[str, np.ndarray], size: int) -> list[dict[str, Any]]:
        """One dict per row holding only the keys whose value is not None."""
        result: list[dict[str, Any]] = [{} for _ in range(size)]
        for key, values in arrays.items():
            present = np.flatnonzero(~pd.isna(values))
            for i, value in zip(present.tolist(), values[present].tolist(), strict=True):
                result[i][key] = value
        return result


@dataclass
class _Choice:
    assignment: ColumnAssignment
    question: Question
    cells: ChoiceCells
    label: str


def read_answers(
    table: Table,
    questions: Sequence[Question],
    mapping: ImportMapping,
    issues: IssueCollector,
    *,
    variant_of_file: int | None = None,
    reported: set[str] | None = None,
) -> AnswerColumns:
    """Resolve every mapped answer column; problems go to `issues` with row and column.

    A streamed file's later chunks pass the variant decided on its first chunk."""
    size = table.row_count
    result = AnswerColumns(keys=[q.key for q in questions])
    columns: dict[str, list[ColumnAssignment]] = {}
    for c in mapping.columns:
        if c.role == ROLE_ANSWER and c.question_key:
            columns.setdefault(c.question_key, []).append(c)
    choices = [
        _Choice(
            c, q, read_choice(table.distinct(c.column), q.options), column_label(c.column, c.header)
        )
        for q in questions
        if q.type in ("single", "likert", "matrix")
        for c in columns.get(q.key, [])
    ]
    joined_columns = {
        q.key: c
        for q in questions
        if q.type == "multiple"
        for c in columns.get(q.key, [])
        if c.option is None
    }
    by_key = {q.key: q for q in questions}
    joined = {
        key: read_joined_multiple(table.distinct(c.column), by_key[key].options, K_TEXT)
        for key, c in joined_columns.items()
    }
    tallies = [KindTally.of(ch.label, ch.cells.distinct, ch.cells.kind) for ch in choices]
    tallies += [
        KindTally.of(column_label(c.column, c.header), joined[key].distinct, joined[key].variant)
        for key, c in joined_columns.items()
    ]
    variant, disagreeing = decide_variant(tallies, issues, fixed=variant_of_file, reported=reported)
    result.variant = VARIANT_NAMES.get(variant) if variant is not None else None
    result.variant_code = variant
    if variant == K_CODE:
        joined = {
            key: read_joined_multiple(table.distinct(c.column), by_key[key].options, K_CODE)
            for key, c in joined_columns.items()
        }
    resolved = {
        ch.assignment.column: _resolve_choice(ch, variant, ch.label in disagreeing, issues)
        for ch in choices
    }
    for q in questions:
        assigned = columns.get(q.key, [])
        if q.type in ("single", "likert") and assigned:
            values, missing, other = resolved[assigned[0].column]
            result.values[q.key], result.missing[q.key], result.other[q.key] = (
                values,
                missing,
                other,
            )
        elif q.type == "matrix" and assigned:
            _matrix(q, assigned, resolved, result, size)
        elif q.type == "multiple" and q.key in joined:
            _joined(q, joined_columns[q.key], joined[q.key], result, issues)
        elif q.type == "multiple" and assigned:
            _split(q, assigned, table, result, issues)
        elif q.type == "text" and assigned:
            result.values[q.key], result.missing[q.key] = read_text(
                table.distinct(assigned[0].column)
            )
        elif q.type == "number" and assigned:
            _number(q, assigned[0], table, result, issues)
        else:
            result.values[q.key] = np.full(size, None, dtype=object)
            result.missing[q.key] = np.full(size, BLANK, dtype=object)
    return result


def _resolve_choice(
    ch: _Choice, variant: int | None, disagreeing: bool, issues: IssueCollector
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Option index per row under the file's variant; out-of-range and unknown values reported."""
    cells, options = ch.cells, ch.question.options
    indexes: list[int | None] = []
    problems: list[str | None] = []
    for k, by_text, by_code, value in zip(
        cells.kind, cells.by_text, cells.by_code, cells.distinct.uniques, strict=True
    ):
        use_code = k == K_CODE or (k == K_BOTH and variant == K_CODE)
        chosen = by_code if use_code else by_text
        problem = None
        if k == K_MISSING:
            chosen = None
        elif use_code and chosen is not None and not 0 <= chosen < len(options):
            problem = f"选项序号 {chosen + 1} 超出范围（应为 1–{len(options)}）"
            chosen = None
        elif k == K_INVALID:
            shown = shorten(cell_text(value))
            problem = (
                f"“{shown}”不是有效的选项序号（应为 1–{len(options)} 的整数）"
                if variant == K_CODE
                else f"选项“{shown}”不在问卷的选项中（{option_list_text(list(options))}）"
            )
        indexes.append(chosen)
        # A column already reported as the wrong variant is not also reported cell by cell.
        problems.append(None if disagreeing else problem)
    for row, u in cells.distinct.flagged_rows([p is not None for p in problems]):
        issues.add(f"第{row}行 {ch.label}：{problems[u]}", row=row, column=ch.label)
    return (
        cells.distinct.take(indexes),
        cells.distinct.take(cells.missing, missing=BLANK),
        cells.distinct.take(cells.other),
    )


def _matrix(
    q: Question,
    assigned: list[ColumnAssignment],
    resolved: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]],
    result: AnswerColumns,
    size: int,
) -> None:
    """A dict row label → option index per row; the whole answer is None when every row is empty."""
    by_row = {c.row: resolved[c.column] for c in assigned}
    answered = np.zeros(size, dtype=bool)
    skipped = np.zeros(size, dtype=bool)
    columns = []
    for row in q.rows:
        if row in by_row:
            values, kinds, _ = by_row[row]
            answered |= ~pd.isna(values)
            skipped |= kinds == SKIPPED
            columns.append(values.tolist())
        else:
            columns.append([None] * size)
    rows = list(q.rows)
    answers = np.empty(size, dtype=object)
    answers[:] = [
        dict(zip(rows, cells, strict=True)) if filled else None
        for cells, filled in zip(zip(*columns, strict=True), answered.tolist(), strict=True)
    ]
    missing = np.full(size, BLANK, dtype=object)
    missing[skipped] = SKIPPED
    missing[answered] = None
    result.values[q.key] = answers
    result.missing[q.key] = missing


def _joined(
    q: Question,
    c: ColumnAssignment,
    cells: MultiCells,
    result: AnswerColumns,
    issues: IssueCollector,
) -> None:
    """`┋`-joined multi-select: sorted option indexes per row, plus the 〖〗 other text."""
    label = column_label(c.column, c.header)
    problems = [
        "同一单元格中混用了选项文本和选项序号" if kind == K_TEXT | K_CODE else problem
        for kind, problem in zip(cells.variant, cells.problem, strict=True)
    ]
    for row, u in cells.distinct.flagged_rows([p is not None for p in problems]):
        issues.add(f"第{row}行 {label}：{problems[u]}", row=row, column=label)
    chosen = cells.distinct.take(cells.chosen)
    values = np.empty(len(chosen), dtype=object)
    for i, picked in enumerate(chosen):
        # Rows sharing a distinct value would share one list object; give each row its own.
        values[i] = None if picked is None else list(picked)
    result.values[q.key] = values
    result.missing[q.key] = cells.distinct.take(cells.missing, missing=BLANK)
    result.other[q.key] = cells.distinct.take(cells.other)


def _split(
    q: Question,
    assigned: list[ColumnAssignment],
    table: Table,
    result: AnswerColumns,
    issues: IssueCollector,
) -> None:
    """Split 0/1 option columns (`第3题(学校通知)`): chosen option indexes per row."""
    size = table.row_count
    chosen = np.zeros((size, len(q.options)), dtype=bool)
    skipped = np.zeros(size, dtype=bool)
    for c in assigned:
        if c.option is None:
            continue
        label = column_label(c.column, c.header)
        distinct, state, problems = read_split_option(table.distinct(c.column), q.options[c.option])
        for row, u in distinct.flagged_rows([p is not None for p in problems]):
            issues.add(f"第{row}行 {label}：{problems[u]}", row=row, column=label)
        per_row = np.asarray([*state, 0], dtype=np.int64)[distinct.positions]
        chosen[:, c.option] |= per_row == 1
        skipped |= per_row == -1
    # Few distinct choice patterns exist, so each pattern's index list is built once.
    patterns, uniques = np.unique(chosen, axis=0, return_inverse=True)
    lists = [np.flatnonzero(p).tolist() for p in patterns]
    uniques = uniques.reshape(-1)
    values = np.empty(size, dtype=object)
    missing = np.empty(size, dtype=object)
    for i, (u, was_skipped) in enumerate(zip(uniques, skipped, strict=True)):
        picked = lists[u]
        values[i] = list(picked) if picked else None
        missing[i] = None if picked else (SKIPPED if was_skipped else BLANK)
    result.values[q.key] = values
    result.missing[q.key] = missing


def _number(
    q: Question, c: ColumnAssignment, table: Table, result: AnswerColumns, issues: IssueCollector
) -> None:
    label = column_label(c.column, c.header)
    values, missing, distinct, problems = read_number(table.distinct(c.column))
    for row, u in distinct.flagged_rows([p is not None for p in problems]):
        issues.add(f"第{row}行 {label}：{problems[u]}", row=row, column=label)
    result.values[q.key], result.missing[q.key] = values, missing
