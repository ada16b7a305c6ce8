"""Any CSV/Excel table with a manual column mapping (column header → question key)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from workbench.surveys.design.questions import ROW_SEPARATOR, Question
from workbench.surveys.imports.errors import ImportRefused
from workbench.surveys.imports.headers import META_COLUMNS, meta_field
from workbench.surveys.imports.mapping import (
    ROLE_ANSWER,
    ROLE_IGNORE,
    ROLE_META,
    ROLE_UNMATCHED,
    ColumnAssignment,
    ImportMapping,
)
from workbench.surveys.imports.normalize import as_code, option_key, text_key
from workbench.surveys.imports.parse import ParsedImport, check_mapping, parse_responses
from workbench.surveys.imports.readers import DEFAULT_LIMITS, Limits, Table, read_table

_OPTION_TARGET = re.compile(r"^(.+?)\s*[(（\[](.+)[)）\]]\s*$")


def map_columns(
    table: Table, questions: Sequence[Question], assignments: Mapping[str, str | None]
) -> ImportMapping:
    """Build a mapping from `{column header: target}`.

    A target is a question key; `key—row` for a matrix row; `key(option)` for a 0/1 column of a
    multi-select option; a metadata name such as 序号 or 提交答卷时间; or None/"" to ignore.
    Headers not listed are ignored, except metadata headers, which are recognised by name.
    """
    by_key = {q.key: q for q in questions}
    mapping = ImportMapping(kind="generic")
    for position, header in enumerate(table.headers):
        if header in assignments:
            target = assignments[header]
            mapping.columns.append(_assignment(position, header, target, by_key))
        elif meta_field(header):
            mapping.columns.append(
                ColumnAssignment(position, header, ROLE_META, meta=meta_field(header))
            )
        else:
            mapping.columns.append(ColumnAssignment(position, header, ROLE_IGNORE))
    for header in assignments:
        if header not in table.headers:
            mapping.warnings.append(f"列对应中的表头“{header}”在文件中不存在，已忽略")
    ignored = [c.header or f"第{c.column + 1}列" for c in mapping.columns if c.role == ROLE_IGNORE]
    if ignored:
        mapping.warnings.append("以下列未指定对应题目，导入时将忽略：" + "、".join(ignored[:10]))
    mapped = {c.question_key for c in mapping.columns if c.role == ROLE_ANSWER}
    for q in questions:
        if q.key not in mapped:
            mapping.warnings.append(f"题目“{q.text}”没有对应的列，导入后该题均视为未作答")
    mapping.errors = check_mapping(table, questions, mapping)
    return mapping


def parse_generic_file(
    data: bytes | Path | str,
    *,
    questions: Sequence[Question],
    assignments: Mapping[str, str | None],
    filename: str = "",
    limits: Limits = DEFAULT_LIMITS,
) -> ParsedImport:
    """Read a generic CSV/Excel file and parse it with a manual column mapping."""
    try:
        table = read_table(data, filename=filename, limits=limits)
    except ImportRefused as refused:
        return ParsedImport(errors=list(refused.errors))
    return parse_responses(table, questions, map_columns(table, questions, assignments))


def _assignment(
    position: int, header: str, target: str | None, by_key: Mapping[str, Question]
) -> ColumnAssignment:
    target = (target or "").strip()
    if not target:
        return ColumnAssignment(position, header, ROLE_IGNORE)
    meta = META_COLUMNS.get(target.lower()) or meta_field(target)
    if meta or target in META_COLUMNS.values():
        return ColumnAssignment(position, header, ROLE_META, meta=meta or target)
    key, row, option = target, None, None
    if key not in by_key and ROW_SEPARATOR in target:
        key, row = target.split(ROW_SEPARATOR, 1)
    elif key not in by_key and (match := _OPTION_TARGET.match(target)):
        key, option = match.group(1), match.group(2)
    question = by_key.get(key)
    if question is None:
        return ColumnAssignment(
            position, header, ROLE_UNMATCHED, note=f"目标“{target}”不是问卷中的题目编号"
        )
    if question.type == "matrix":
        return _matrix_row(position, header, question, row or header)
    if option is not None:
        return _option(position, header, question, option)
    return ColumnAssignment(position, header, ROLE_ANSWER, question_key=key)


def _matrix_row(position: int, header: str, question: Question, label: str) -> ColumnAssignment:
    wanted = text_key(label)
    for row in question.rows:
        if text_key(row) == wanted or wanted.endswith(text_key(ROW_SEPARATOR + row)):
            return ColumnAssignment(
                position, header, ROLE_ANSWER, question_key=question.key, row=row
            )
    return ColumnAssignment(
        position,
        header,
        ROLE_UNMATCHED,
        note=f"矩阵题“{question.text}”中找不到“{label}”这一行；请写作“{question.key}{ROW_SEPARATOR}行名”",
    )


def _option(position: int, header: str, question: Question, option: str) -> ColumnAssignment:
    if question.type == "multiple":
        keys = [option_key(o) for o in question.options]
        number = as_code(option)
        if option_key(option) in keys:
            index = keys.index(option_key(option))
            return ColumnAssignment(
                position, header, ROLE_ANSWER, question_key=question.key, option=index
            )
        if number is not None and 1 <= number <= len(keys):
            return ColumnAssignment(
                position, header, ROLE_ANSWER, question_key=question.key, option=number - 1
            )
    return ColumnAssignment(
        position, header, ROLE_UNMATCHED, note=f"多选题“{question.text}”中没有“{option}”这一选项"
    )
