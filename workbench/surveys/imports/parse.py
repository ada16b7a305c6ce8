"""Turn a mapped table into one record per row, validating every row before anything is returned."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from workbench.surveys.design.questions import Question, validate_questions
from workbench.surveys.imports.answers import AnswerColumns, read_answers
from workbench.surveys.imports.errors import ImportIssue, IssueCollector, column_label, issue
from workbench.surveys.imports.mapping import (
    ROLE_ANSWER,
    ROLE_META,
    ROLE_UNMATCHED,
    ColumnAssignment,
    ImportMapping,
)
from workbench.surveys.imports.meta import (
    read_durations,
    read_ips,
    read_plain,
    read_serials,
    read_times,
)
from workbench.surveys.imports.normalize import cell_text
from workbench.surveys.imports.readers import Table


@dataclass(slots=True)
class ParsedResponse:
    """One row of the file: metadata and answers keyed by question key.

    answers: single/likert → option index; multiple → sorted list of indexes; matrix → {row label:
    index or None}; text → str; number → Decimal; unanswered → None, with `missing[key]` set to
    "skipped" (logic jump) or "blank".
    """

    row: int
    source_key: str
    serial: int | None
    submitted_at: datetime | None
    duration_seconds: int | None
    ip: str | None
    ip_location: str | None
    source: str | None
    source_detail: str | None
    answers: dict[str, Any]
    missing: dict[str, str] = field(default_factory=dict)
    other_text: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        """The plain-dict form used by `frames.build_frame` and by storage."""
        return {
            "row": self.row,
            "source_key": self.source_key,
            "serial": self.serial,
            "submitted_at": self.submitted_at,
            "duration_seconds": self.duration_seconds,
            "ip": self.ip,
            "ip_location": self.ip_location,
            "source": self.source,
            "source_detail": self.source_detail,
            "answers": self.answers,
            "missing": self.missing,
            "other_text": self.other_text,
            "extra": self.extra,
        }


@dataclass
class ParsedImport:
    """The outcome of parsing: every row, or the list of problems (then no rows)."""

    responses: list[ParsedResponse] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    variant: str | None = None  # "text" (按选项文本) or "code" (按选项序号)
    row_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def check_mapping(
    table: Table, questions: Sequence[Question], mapping: ImportMapping
) -> list[ImportIssue]:
    """Problems of a (possibly user-edited) mapping that make parsing impossible."""
    problems: list[ImportIssue] = []
    by_key = {q.key: q for q in questions}
    seen: dict[tuple, int] = {}
    for c in mapping.columns:
        where = column_label(c.column, c.header)
        if not 0 <= c.column < len(table.headers):
            problems.append(issue(f"列对应中的第{c.column + 1}列在文件中不存在", column=where))
            continue
        target = _target(c, by_key.get(c.question_key or ""), where, problems)
        if target is None:
            continue
        if target in seen:
            first = seen[target]
            problems.append(
                issue(
                    f"{column_label(first, table.headers[first])} 与 {where} 对应同一目标"
                    f"（表头“{c.header}”重复出现），无法确定使用哪一列",
                    row=1,
                    column=where,
                )
            )
        else:
            seen[target] = c.column
    if mapping.kind == "wjx" and mapping.meta_column("serial") is None:
        problems.append(
            issue(
                "文件缺少“序号”列，无法识别每份答卷。请上传问卷星导出的原始文件（第一列为“序号”）",
                row=1,
            )
        )
    problems.extend(_unmatched_problems(mapping))
    return problems


def _target(
    c: ColumnAssignment, question: Question | None, where: str, problems: list[ImportIssue]
) -> tuple | None:
    """The (kind, …) target of one assignment; None when it has none or is invalid."""
    if c.role == ROLE_META:
        return ("meta", c.meta)
    if c.role != ROLE_ANSWER:
        return None
    if question is None:
        problems.append(
            issue(f"{where}对应的题目“{c.question_key}”不在问卷中", row=1, column=where)
        )
        return None
    if question.type == "matrix" and c.row not in question.rows:
        problems.append(
            issue(f"{where}：矩阵题“{question.text}”中没有“{c.row}”这一行", row=1, column=where)
        )
        return None
    if c.option is not None and (
        question.type != "multiple" or not 0 <= c.option < len(question.options)
    ):
        problems.append(
            issue(f"{where}：题目“{question.text}”没有第{c.option + 1}个选项", row=1, column=where)
        )
        return None
    return ("answer", c.question_key, c.row, c.option)


def _unmatched_problems(mapping: ImportMapping) -> list[ImportIssue]:
    """Columns nobody assigned: one summary when the file belongs to another survey, else each."""
    unmatched = [c for c in mapping.columns if c.role == ROLE_UNMATCHED]
    matched = [c for c in mapping.columns if c.role == ROLE_ANSWER]
    questions_matched = len({c.question_key for c in matched})
    if not unmatched:
        if not matched:
            return [issue("文件中没有任何一列对应到问卷的题目", row=1)]
        return []
    if not matched or len(unmatched) > len(matched):
        names = "、".join(column_label(c.column, c.header) for c in unmatched[:5])
        more = " 等" if len(unmatched) > 5 else ""
        return [
            issue(
                f"文件的题目与本问卷不一致：有 {len(unmatched)} 列（{names}{more}）对应不到问卷题目，"
                f"只有 {questions_matched} 道题能对应。该文件可能是另一份问卷的导出结果，请确认后再导入",
                row=1,
            )
        ]
    return [
        issue(
            f"{column_label(c.column, c.header)}：{c.note or '没有对应到问卷中的题目'}。"
            "请在列对应中为其选择题目，或确认忽略该列",
            row=1,
            column=column_label(c.column, c.header),
        )
        for c in unmatched
    ]


def parse_responses(
    table: Table, questions: Sequence[Question], mapping: ImportMapping
) -> ParsedImport:
    """Validate every row and return one ParsedResponse per row, or every problem found."""
    parser = ChunkParser(questions, mapping, table)
    responses = parser.feed(table)
    result = parser.finish()
    result.responses = responses if result.ok else []
    return result


class ChunkParser:
    """Parse a file chunk by chunk (tables of consecutive rows) as if it were one table.

    One problem list (capped) for the whole file; 序号 repeated across chunks reported; the
    export variant decided by the first chunk that shows one. `feed` returns the chunk's
    responses, or nothing once any problem was found (the caller then writes nothing).
    """

    def __init__(self, questions: Sequence[Question], mapping: ImportMapping, head: Table):
        self.questions, self.mapping = questions, mapping
        self.result = ParsedImport(warnings=list(mapping.warnings))
        self.issues = IssueCollector()
        self._variant: int | None = None
        self._reported: set[str] = set()
        self._serials: list[tuple[np.ndarray, np.ndarray]] = []
        self._empty_rows = 0
        invalid = validate_questions(questions)
        if invalid:
            self.result.errors = [issue(f"问卷设置有误：{message}") for message in invalid]
        else:
            self.result.errors = check_mapping(head, questions, mapping)

    @property
    def ready(self) -> bool:
        """Whether rows can be parsed (the questionnaire and the mapping are usable)."""
        return not self.result.errors

    def feed(self, table: Table) -> list[ParsedResponse]:
        """Parse one chunk; its responses while the file has shown no problem so far."""
        self.result.row_count += table.row_count
        self._empty_rows += table.empty_rows
        if not self.ready or table.row_count == 0:
            return []
        issues = self.issues
        meta = _read_meta(table, self.mapping, issues)
        self._check_serials_across(table, meta["serial"])
        answers = read_answers(
            table,
            self.questions,
            self.mapping,
            issues,
            variant_of_file=self._variant,
            reported=self._reported,
        )
        if self._variant is None and answers.variant_code is not None:
            self._variant = answers.variant_code
            self.result.variant = answers.variant
        if issues:
            return []
        return _records(table, self.mapping, meta, answers)

    def finish(self) -> ParsedImport:
        """The outcome: warnings, variant, row count and every problem found (no responses)."""
        result = self.result
        if self._empty_rows:
            result.warnings.append(f"已跳过 {self._empty_rows} 个完全空白的行")
        if not self.ready:
            return result
        if result.row_count == 0:
            result.errors = [issue("文件中没有答卷数据（只有表头）", row=2)]
        elif self.issues:
            result.errors = self.issues.result()
        return result

    def _check_serials_across(self, table: Table, serials: np.ndarray) -> None:
        """序号 already used in an earlier chunk (repeats inside a chunk are read_serials')."""
        position = self.mapping.meta_column("serial")
        if position is None:
            return
        label = column_label(position, table.headers[position])
        values = np.fromiter((s if s is not None else 0 for s in serials), np.int64, len(serials))
        rows = table.frame.index.to_numpy(dtype=np.int64)
        keep = values > 0
        values, rows = values[keep], rows[keep]
        for seen, first_rows in self._serials:
            at = np.minimum(np.searchsorted(seen, values), len(seen) - 1)
            for i in np.flatnonzero(seen[at] == values).tolist():
                self.issues.add(
                    f"第{rows[i]}行 {label}：序号 {values[i]} 与第{first_rows[at[i]]}行重复，"
                    "同一文件中每份答卷的序号应唯一",
                    row=int(rows[i]),
                    column=label,
                )
        if len(values):
            unique, first = np.unique(values, return_index=True)
            self._serials.append((unique, rows[first]))


def _read_meta(
    table: Table, mapping: ImportMapping, issues: IssueCollector
) -> dict[str, np.ndarray]:
    size = table.row_count
    meta: dict[str, np.ndarray] = {}
    for c in mapping.columns:
        if c.role != ROLE_META:
            continue
        column = table.distinct(c.column)
        label = column_label(c.column, c.header)
        if c.meta == "serial":
            meta["serial"] = read_serials(column, label, issues)
        elif c.meta == "submitted_at":
            meta["submitted_at"], meta["submitted_text"] = read_times(column, label, issues)
        elif c.meta == "duration":
            meta["duration"] = read_durations(column, label, issues)
        elif c.meta == "ip":
            meta["ip"], meta["ip_location"] = read_ips(column)
        elif c.meta:
            meta[c.meta] = read_plain(column)
    empty = np.full(size, None, dtype=object)
    for name in (
        "serial",
        "submitted_at",
        "duration",
        "ip",
        "ip_location",
        "source",
        "source_detail",
    ):
        meta.setdefault(name, empty)
    meta.setdefault("submitted_text", np.full(size, "", dtype=object))
    return meta


def _source_keys(table: Table, mapping: ImportMapping, meta: dict[str, np.ndarray]) -> list[str]:
    """序号 + 提交答卷时间 identify a row across re-imports; without 序号, the row's content does."""
    if mapping.meta_column("serial") is not None:
        return [
            f"{serial}|{when}"
            for serial, when in zip(
                meta["serial"].tolist(), meta["submitted_text"].tolist(), strict=True
            )
        ]
    keys = []
    for values in table.frame.itertuples(index=False, name=None):
        digest = hashlib.sha256("\x1f".join(cell_text(v) for v in values).encode("utf-8"))
        keys.append("row:" + digest.hexdigest()[:32])
    return keys


def _records(
    table: Table, mapping: ImportMapping, meta: dict[str, np.ndarray], answers: AnswerColumns
) -> list[ParsedResponse]:
    keys = _source_keys(table, mapping, meta)
    rows = table.frame.index.tolist()
    answer_dicts = answers.answer_dicts()
    missing_dicts = answers.sparse_dicts(answers.missing, len(rows))
    other_dicts = answers.sparse_dicts(answers.other, len(rows))
    extra_dicts = _extra_dicts(mapping, meta, len(rows))
    return [
        ParsedResponse(
            row=int(row),
            source_key=key,
            serial=serial,
            submitted_at=when,
            duration_seconds=duration,
            ip=ip,
            ip_location=place,
            source=source,
            source_detail=detail,
            answers=answer,
            missing=missing,
            other_text=other,
            extra=extra,
        )
        for row, key, serial, when, duration, ip, place, source, detail, answer, missing, other, extra in zip(
            rows,
            keys,
            meta["serial"],
            meta["submitted_at"],
            meta["duration"],
            meta["ip"],
            meta["ip_location"],
            meta["source"],
            meta["source_detail"],
            answer_dicts,
            missing_dicts,
            other_dicts,
            extra_dicts,
            strict=True,
        )
    ]


def _extra_dicts(
    mapping: ImportMapping, meta: dict[str, np.ndarray], size: int
) -> list[dict[str, str]]:
    names = [("total_score", "总分"), ("user_id", "用户ID")]
    present = [(label, meta[name]) for name, label in names if name in meta]
    if not present:
        return [{} for _ in range(size)]
    return [
        {
            label: value
            for (label, _), value in zip(present, values, strict=True)
            if value is not None
        }
        for values in zip(*(column for _, column in present), strict=True)
    ]
