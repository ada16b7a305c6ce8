"""Infer a questionnaire from a 问卷星 export, so a survey can be created from the file itself."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from workbench.surveys.design.questions import DEFAULT_LIKERT_SCORES, KNOWN_SCALES, Question
from workbench.surveys.imports.distinct import Distinct
from workbench.surveys.imports.headers import HeaderLayout, scan_headers
from workbench.surveys.imports.normalize import (
    BLANK,
    MULTI_SEPARATOR,
    SKIPPED,
    as_code,
    cell_text,
    display_option,
    missing_kind,
    option_key,
)
from workbench.surveys.imports.readers import Table

# Question texts that ask for free text rather than a choice.
_TEXT_HINT = re.compile(r"意见|建议|看法|填写|说明|输入|描述|留言|备注|原因|其他想法")
_OTHER_OPTION = re.compile(r"^其他|^其它")
# A column with at most this many distinct answers, each repeated, reads as a choice question.
MAX_INFERRED_OPTIONS = 15
# Option numbers above this are not option numbers (a questionnaire never has that many options).
MAX_OPTION_CODE = 50


def detect_questions(table: Table) -> list[Question]:
    """One Question per question found in the header, with types and options read from the values."""
    layout = scan_headers(table.headers)
    code_file = any(fq.kind == "split" for fq in layout.questions) or _has_skip_codes(table, layout)
    questions: list[Question] = []
    used_keys: set[str] = set()
    for order, fq in enumerate(layout.questions, start=1):
        key = _unique_key(f"q{fq.number or order}", used_keys)
        columns = [table.distinct(p) for p in fq.columns]
        if fq.kind == "split":
            text = f"第{fq.number}题"  # a split export carries only the option labels
            options = _distinct_labels([display_option(o) for o in fq.options])
            questions.append(Question(key, text, "multiple", options, required=False))
            continue
        values, answered = _answered_values(columns)
        required = not any(_has_blank(c) for c in columns)
        if fq.kind == "matrix":
            options, scores = _choice_options(values, code_file)
            questions.append(
                Question(
                    key,
                    fq.text or "",
                    "matrix",
                    options,
                    scores=scores,
                    satisfaction_item=scores is not None,
                    rows=list(fq.rows),
                    required=required,
                )
            )
            continue
        questions.append(
            _simple_question(key, fq.text or "", values, answered, code_file, required)
        )
    return questions


def _simple_question(
    key: str, text: str, values: list[object], answered: int, code_file: bool, required: bool
) -> Question:
    """Type and options of a one-column question from its distinct answered values."""
    texts = [cell_text(v) for v in values]
    if not values:
        return Question(key, text, "text", required=required)  # nothing answered: nothing to infer
    if any(MULTI_SEPARATOR in t for t in texts):
        options = _ordered_options(part for t in texts for part in t.split(MULTI_SEPARATOR))
        if options:
            return Question(key, text, "multiple", options, required=required)
        return Question(key, text, "text", required=required)
    if values and all(
        as_code(v) is not None or _is_number(t) for v, t in zip(values, texts, strict=True)
    ):
        if code_file and all(
            as_code(v) is not None and 1 <= as_code(v) <= MAX_OPTION_CODE for v in values
        ):
            options, scores = _choice_options(values, code_file)
            return Question(key, text, "single", options, required=required, group=True)
        return Question(key, text, "number", required=required)
    scale = _scale_of(texts)
    if scale is not None:
        scores = list(DEFAULT_LIKERT_SCORES) if len(scale) == len(DEFAULT_LIKERT_SCORES) else None
        return Question(
            key,
            text,
            "likert",
            list(scale),
            scores=scores,
            satisfaction_item=True,
            required=required,
        )
    distinct = {option_key(t) for t in texts}
    looks_like_choice = (
        not _TEXT_HINT.search(text)
        and len(distinct) <= MAX_INFERRED_OPTIONS
        and len(distinct) * 2 <= answered
    )
    options = _ordered_options(texts) if looks_like_choice else []
    if options:
        return Question(key, text, "single", options, required=required, group=True)
    return Question(key, text, "text", required=required)


def _choice_options(
    values: list[object], code_file: bool
) -> tuple[list[str], list[Decimal] | None]:
    """Options of a choice column: a known 5-level scale, option texts, or 选项1…N for codes.

    A matrix nobody answered gets the default satisfaction scale, for the user to confirm.
    """
    texts = [cell_text(v) for v in values]
    scale = _scale_of(texts) if texts else KNOWN_SCALES[0]
    if scale is not None:
        return list(scale), list(DEFAULT_LIKERT_SCORES)
    codes = [as_code(v) for v in values]
    if values and all(c is not None and 1 <= c <= MAX_OPTION_CODE for c in codes):
        return [f"选项{i}" for i in range(1, max(c for c in codes if c is not None) + 1)], None
    return _ordered_options(texts) or [f"选项{i}" for i in range(1, 6)], None


def _distinct_labels(labels: list[str]) -> list[str]:
    """Blank labels become 选项N and repeated ones get a number, so the options validate."""
    result: list[str] = []
    for number, label in enumerate(labels, start=1):
        label = label or f"选项{number}"
        while label in result:
            label = f"{label}（{number}）"
        result.append(label)
    return result


def _scale_of(texts: list[str]) -> tuple[str, ...] | None:
    seen = {option_key(t) for t in texts}
    if not seen:
        return None
    for scale in KNOWN_SCALES:
        if seen <= {option_key(label) for label in scale}:
            return scale
    return None


def _ordered_options(texts: Iterable[str]) -> list[str]:
    """Distinct options in order of first appearance, with 其他 last (as questionnaires put it)."""
    options: dict[str, str] = {}
    for text in texts:
        label = display_option(text)
        if label and option_key(label) not in options:
            options[option_key(label)] = label
    ordered = [o for o in options.values() if not _OTHER_OPTION.match(o)]
    return _distinct_labels(ordered + [o for o in options.values() if _OTHER_OPTION.match(o)])


def _answered_values(columns: list[Distinct]) -> tuple[list[object], int]:
    """Distinct answered values of the columns, and how many cells were answered."""
    values: list[object] = []
    answered = 0
    for distinct in columns:
        for value, count in zip(distinct.uniques, distinct.counts(), strict=True):
            if missing_kind(value) is None:
                values.append(value)
                answered += int(count)
    return values, answered


def _has_blank(distinct: Distinct) -> bool:
    return bool((distinct.positions == -1).any()) or any(
        missing_kind(v) == BLANK for v in distinct.uniques
    )


def _has_skip_codes(table: Table, layout: HeaderLayout) -> bool:
    for fq in layout.questions:
        for position in fq.columns:
            distinct = table.distinct(position)
            if any(missing_kind(v) == SKIPPED and as_code(v) is not None for v in distinct.uniques):
                return True
    return False


def _is_number(text: str) -> bool:
    try:
        Decimal(text.replace(",", ""))
    except ArithmeticError:
        return False
    return bool(text)


def _unique_key(key: str, used: set[str]) -> str:
    candidate, n = key, 2
    while candidate in used:
        candidate, n = f"{key}_{n}", n + 1
    used.add(candidate)
    return candidate
