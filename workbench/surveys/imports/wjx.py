"""问卷星 exports: propose a column mapping by question number and text, and parse a whole file."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from pathlib import Path

from workbench.surveys.design.questions import Question
from workbench.surveys.imports.errors import ImportRefused, column_label
from workbench.surveys.imports.headers import FileQuestion, scan_headers
from workbench.surveys.imports.mapping import (
    ROLE_ANSWER,
    ROLE_META,
    ROLE_UNMATCHED,
    ColumnAssignment,
    ImportMapping,
)
from workbench.surveys.imports.normalize import option_key, text_key
from workbench.surveys.imports.parse import ParsedImport, check_mapping, parse_responses
from workbench.surveys.imports.readers import DEFAULT_LIMITS, Limits, Table, read_table

# Texts this similar (difflib ratio) are taken as the same question when the numbers agree.
SIMILAR_TEXT = 0.6


def propose_mapping(table: Table, questions: Sequence[Question]) -> ImportMapping:
    """Match every column of a 问卷星 export to the questionnaire, for the user to confirm."""
    layout = scan_headers(table.headers)
    mapping = ImportMapping(kind="wjx")
    columns: dict[int, ColumnAssignment] = {}
    for name, position in layout.meta.items():
        columns[position] = ColumnAssignment(
            position, table.headers[position], ROLE_META, meta=name
        )
    taken: set[str] = set()
    first_seen: dict[tuple, int] = {}
    for fq in layout.questions:
        signature = (fq.number, fq.kind, fq.text, tuple(fq.rows), tuple(fq.options))
        earlier = first_seen.setdefault(signature, fq.columns[0])
        question = None if earlier != fq.columns[0] else _match_question(fq, questions, taken)
        if question is None:
            note = _no_question_note(fq)
            if earlier != fq.columns[0]:
                note = (
                    f"表头“{table.headers[fq.columns[0]]}”重复出现（"
                    f"{column_label(earlier, table.headers[earlier])} 与 "
                    f"{column_label(fq.columns[0], table.headers[fq.columns[0]])}），无法确定使用哪一列"
                )
            for position in fq.columns:
                columns[position] = ColumnAssignment(
                    position, table.headers[position], ROLE_UNMATCHED, note=note
                )
            continue
        taken.add(question.key)
        for assignment in _assign_columns(fq, question, table.headers):
            columns[assignment.column] = assignment
    for position in layout.unknown:
        columns[position] = ColumnAssignment(
            position, table.headers[position], ROLE_UNMATCHED, note=layout.notes.get(position)
        )
    mapping.columns = [columns[p] for p in sorted(columns)]
    for number, question in enumerate(questions, start=1):
        if question.key not in taken:
            mapping.warnings.append(
                f"问卷第{number}题“{question.text}”在文件中没有对应的列，导入后该题均视为未作答"
            )
    mapping.errors = check_mapping(table, questions, mapping)
    return mapping


def _no_question_note(fq: FileQuestion) -> str:
    name = f"第{fq.number}题" + (f"“{fq.text}”" if fq.text else "")
    return f"文件中的{name}在问卷中找不到题号和题干都对应的题目"


def parse_wjx_file(
    data: bytes | Path | str,
    *,
    questions: Sequence[Question],
    filename: str = "",
    limits: Limits = DEFAULT_LIMITS,
    mapping: ImportMapping | None = None,
) -> ParsedImport:
    """Read, map and parse a 问卷星 export in one call; problems come back as `errors`."""
    try:
        table = read_table(data, filename=filename, limits=limits)
    except ImportRefused as refused:
        return ParsedImport(errors=list(refused.errors))
    mapping = mapping or propose_mapping(table, questions)
    return parse_responses(table, questions, mapping)


def _match_question(
    fq: FileQuestion, questions: Sequence[Question], taken: set[str]
) -> Question | None:
    """The questionnaire question of a column group: same text first, else same number."""
    if fq.text is not None:
        wanted = text_key(fq.text)
        exact = [
            q
            for q in questions
            if q.key not in taken and text_key(q.text) == wanted and _compatible(fq, q)
        ]
        if exact:
            by_number = [q for q in exact if _number_of(q, questions) == fq.number]
            return (by_number or exact)[0]
    if fq.number is not None and 1 <= fq.number <= len(questions):
        candidate = questions[fq.number - 1]
        if candidate.key in taken or not _compatible(fq, candidate):
            return None
        if fq.text is None or _similar(fq.text, candidate.text):
            return candidate
    return None


def _number_of(question: Question, questions: Sequence[Question]) -> int:
    return next(i for i, q in enumerate(questions, start=1) if q is question)


def _compatible(fq: FileQuestion, question: Question) -> bool:
    if fq.kind == "split":
        return question.type == "multiple"
    if fq.kind == "matrix":
        return question.type == "matrix"
    return question.type != "matrix"


def _similar(a: str, b: str) -> bool:
    ka, kb = text_key(a), text_key(b)
    if not ka or not kb:
        return False
    return ka in kb or kb in ka or SequenceMatcher(None, ka, kb).ratio() >= SIMILAR_TEXT


def _assign_columns(
    fq: FileQuestion, question: Question, headers: list[str]
) -> list[ColumnAssignment]:
    result: list[ColumnAssignment] = []
    if fq.kind == "simple":
        position = fq.columns[0]
        return [
            ColumnAssignment(position, headers[position], ROLE_ANSWER, question_key=question.key)
        ]
    if fq.kind == "matrix":
        rows = {text_key(r): r for r in question.rows}
        for position, label in zip(fq.columns, fq.rows, strict=True):
            row = rows.get(text_key(label))
            if row is None:
                note = f"矩阵题“{question.text}”中没有“{label}”这一行"
                result.append(
                    ColumnAssignment(position, headers[position], ROLE_UNMATCHED, note=note)
                )
            else:
                result.append(
                    ColumnAssignment(
                        position, headers[position], ROLE_ANSWER, question_key=question.key, row=row
                    )
                )
        return result
    options = {option_key(o): i for i, o in enumerate(question.options)}
    for position, label in zip(fq.columns, fq.options, strict=True):
        index = options.get(option_key(label))
        if index is None:
            note = f"多选题“{question.text}”中没有“{label}”这一选项"
            result.append(ColumnAssignment(position, headers[position], ROLE_UNMATCHED, note=note))
        else:
            result.append(
                ColumnAssignment(
                    position,
                    headers[position],
                    ROLE_ANSWER,
                    question_key=question.key,
                    option=index,
                )
            )
    return result
