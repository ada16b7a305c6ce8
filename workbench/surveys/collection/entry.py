"""Answers from a form: the public questionnaire (option indexes) and the paper-entry screen
(option numbers typed on the keyboard) → the stored answer shape of `ParsedResponse` (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from workbench.core.hygiene import ILLEGAL_MESSAGE, has_illegal
from workbench.surveys.design.questions import Question

MAX_TEXT_ANSWER = 2000
_SEPARATORS = re.compile(r"[\s,，、;；/]+")
FormData = Mapping[str, Sequence[str]]


def field_name(question: Question) -> str:
    """The form field of a question."""
    return f"a.{question.key}"


def row_field_name(question: Question, index: int) -> str:
    """The form field of one matrix row (by position, so any row label is safe in HTML)."""
    return f"r.{index}.{question.key}"


@dataclass
class Entry:
    """Answers keyed by question key (stored shape), unanswered kinds, and field errors."""

    answers: dict[str, Any] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def answered(self) -> int:
        return sum(1 for v in self.answers.values() if v not in (None, [], {}))


def read_entry(
    questions: Sequence[Question], form: FormData, *, codes: bool, enforce_required: bool
) -> Entry:
    """Read every question from the form.

    `codes`: choices are typed option numbers from 1 (paper entry); otherwise they are the 0-based
    option indexes the public form's radio buttons and check boxes send.
    """
    entry = Entry()
    for number, q in enumerate(questions, start=1):
        name = f"第{number}题“{_short(q.text)}”"
        if q.type == "matrix":
            value = _matrix(q, form, codes, name, entry, enforce_required)
        else:
            raw = [v for v in form.get(field_name(q), []) if str(v).strip()]
            value = _READERS[q.type](q, raw, codes, name, entry)
        entry.answers[q.key] = value
        if value is None:
            entry.missing[q.key] = "blank"
            if q.required and enforce_required:
                _error(entry, field_name(q), f"{name}为必答题，请作答")
    return entry


def _short(text: str) -> str:
    return text if len(text) <= 20 else text[:20] + "…"


def _error(entry: Entry, name: str, message: str) -> None:
    entry.errors.append({"field": name, "message": message})


def _choice_index(value: str, size: int, codes: bool) -> int | None:
    try:
        number = int(value.strip())
    except ValueError:
        return None
    index = number - 1 if codes else number
    return index if 0 <= index < size else None


def _range(q: Question, codes: bool) -> str:
    return f"1–{len(q.options)}" if codes else "问卷中的选项"


def _single(q: Question, raw: list[str], codes: bool, name: str, entry: Entry) -> int | None:
    if not raw:
        return None
    if len(raw) > 1:
        _error(entry, field_name(q), f"{name}是单选题，只能选择一项")
        return None
    index = _choice_index(raw[0], len(q.options), codes)
    if index is None:
        _error(entry, field_name(q), f"{name}：“{raw[0]}”不是有效选项（应为 {_range(q, codes)}）")
    return index


def _multiple(q: Question, raw: list[str], codes: bool, name: str, entry: Entry) -> list | None:
    parts: list[str] = []
    for value in raw:
        pieces = [p for p in _SEPARATORS.split(value.strip()) if p]
        # Typed on paper entry as "135" when every option number is a single digit.
        if codes and len(q.options) <= 9 and len(pieces) == 1 and pieces[0].isdigit():
            pieces = list(pieces[0])
        parts.extend(pieces)
    if not parts:
        return None
    chosen: list[int] = []
    for part in parts:
        index = _choice_index(part, len(q.options), codes)
        if index is None:
            _error(entry, field_name(q), f"{name}：“{part}”不是有效选项（应为 {_range(q, codes)}）")
            return None
        if index not in chosen:
            chosen.append(index)
    return sorted(chosen)


def _text(q: Question, raw: list[str], codes: bool, name: str, entry: Entry) -> str | None:
    text = "\n".join(v.strip() for v in raw).strip()
    if not text:
        return None
    if len(text) > MAX_TEXT_ANSWER:
        _error(entry, field_name(q), f"{name}：回答不能超过 {MAX_TEXT_ANSWER} 个字符")
        return None
    if has_illegal(text):
        _error(entry, field_name(q), f"{name}：回答{ILLEGAL_MESSAGE}")
        return None
    return text


def _number(q: Question, raw: list[str], codes: bool, name: str, entry: Entry) -> str | None:
    if not raw:
        return None
    text = raw[0].strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        _error(entry, field_name(q), f"{name}：“{raw[0]}”不是有效的数字")
        return None
    return format(value, "f")  # stored as text: JSON has no exact decimal


def _matrix(
    q: Question, form: FormData, codes: bool, name: str, entry: Entry, enforce_required: bool
) -> dict | None:
    rows: dict[str, int | None] = {}
    blank_rows = []
    for index, row in enumerate(q.rows):
        key = row_field_name(q, index)
        raw = [v for v in form.get(key, []) if str(v).strip()]
        value = None
        if raw:
            value = _choice_index(raw[0], len(q.options), codes)
            if value is None:
                _error(
                    entry, key, f"{name}“{row}”：“{raw[0]}”不是有效选项（应为 {_range(q, codes)}）"
                )
        if value is None:
            blank_rows.append((key, row))
        rows[row] = value
    if len(blank_rows) == len(q.rows):
        return None
    if blank_rows and q.required and enforce_required:
        for key, row in blank_rows:
            _error(entry, key, f"{name}“{row}”为必答，请作答")
    return rows


_READERS: dict[str, Callable[..., Any]] = {
    "single": _single,
    "likert": _single,
    "multiple": _multiple,
    "text": _text,
    "number": _number,
}
