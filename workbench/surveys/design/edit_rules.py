"""Questionnaire editing rules: questions from the designer's text fields, and which edits would
corrupt stored answers (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from workbench.surveys.design.questions import (
    DEFAULT_LIKERT_SCORES,
    LIKERT_LABELS,
    ROW_SEPARATOR,
    Question,
    validate_questions,
)

_SCORE_SPLIT = re.compile(r"[\s/,，、;；]+")
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,29}$")
MAX_QUESTIONS = 200
MAX_OPTIONS = 30
MAX_ROWS = 60
MAX_TEXT = 500


def lines(text: str | None) -> list[str]:
    """Non-empty stripped lines of a textarea."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def parse_scores(text: str | None) -> list[Decimal] | None:
    """'100/75/50/25/0' or one score per line → Decimals; blank → None (the default map)."""
    parts = [p for p in _SCORE_SPLIT.split((text or "").strip()) if p]
    if not parts:
        return None
    try:
        values = [Decimal(p.replace("％", "").replace("%", "")) for p in parts]
    except InvalidOperation:
        raise ValueError(f"分值“{text}”中有不是数字的内容，请写作如 100/80/60/30/0") from None
    if any(not v.is_finite() for v in values):
        raise ValueError(f"分值“{text}”无效")
    return values


def scores_text(scores: Sequence[Decimal] | None) -> str:
    """The designer's text form of a score map: '100/80/60/30/0'."""
    if not scores:
        return ""
    return "/".join(format(s.normalize(), "f") if s == s.to_integral() else str(s) for s in scores)


def next_key(questions: Sequence[Question]) -> str:
    """The first free key q1, q2, …"""
    taken = {q.key for q in questions}
    n = len(questions) + 1
    while f"q{n}" in taken:
        n += 1
    return f"q{n}"


def question_from_fields(data: Mapping[str, Any], *, key: str) -> Question:
    """A Question from the designer form; Likert and matrix get the 5-level scale when blank."""
    kind = str(data.get("type") or "").strip()
    options = lines(data.get("options"))
    scores = parse_scores(data.get("scores"))
    if kind in ("likert", "matrix") and not options:
        options = list(LIKERT_LABELS)
        scores = scores or list(DEFAULT_LIKERT_SCORES)
    try:
        weight = Decimal(str(data.get("weight") or "1").strip())
    except InvalidOperation:
        raise ValueError(f"权重“{data.get('weight')}”不是有效的数字") from None
    return Question(
        key=key,
        text=str(data.get("text") or "").strip(),
        type=kind,
        options=options,
        scores=scores,
        satisfaction_item=bool(data.get("satisfaction_item")),
        weight=weight,
        rows=lines(data.get("rows")) if kind == "matrix" else [],
        group=bool(data.get("group")),
        required=bool(data.get("required")),
    )


def check_questionnaire(questions: Sequence[Question]) -> list[str]:
    """Every problem of a questionnaire, with the designer's size limits."""
    errors = list(validate_questions(questions))
    if len(questions) > MAX_QUESTIONS:
        errors.append(f"问卷最多 {MAX_QUESTIONS} 道题（当前 {len(questions)} 道）")
    for number, q in enumerate(questions, start=1):
        name = f"第{number}题"
        if q.key and not _KEY.match(q.key):
            errors.append(
                f"{name}：题目编号“{q.key}”只能由字母开头的字母、数字和下划线组成（不超过 30 个字符）"
            )
        if len(q.text) > MAX_TEXT:
            errors.append(f"{name}：题干不能超过 {MAX_TEXT} 个字符")
        if len(q.options) > MAX_OPTIONS:
            errors.append(f"{name}：选项不能超过 {MAX_OPTIONS} 个")
        if len(q.rows) > MAX_ROWS:
            errors.append(f"{name}：矩阵行不能超过 {MAX_ROWS} 行")
        if any(len(o) > 200 for o in [*q.options, *q.rows]):
            errors.append(f"{name}：选项或矩阵行不能超过 200 个字符")
        if any(ROW_SEPARATOR in r for r in q.rows):
            errors.append(f"{name}：矩阵行名称不能包含“{ROW_SEPARATOR}”")
    return errors


def structural_changes(
    before: Sequence[Question], after: Sequence[Question], *, responses: int
) -> list[str]:
    """Edits that would change what stored answers mean, once answers exist.

    Answers are stored by question key as option indexes and matrix row labels, so a question may
    be reworded, re-scored, re-weighted, flagged or moved, and new questions added; but a question
    may not be removed nor change its type, options or rows.
    """
    if not responses:
        return []
    found: list[str] = []
    by_key = {q.key: q for q in after}
    for q in before:
        name = f"题目“{q.text}”"
        new = by_key.get(q.key)
        if new is None:
            found.append(f"不能删除{name}")
            continue
        if new.type != q.type:
            found.append(f"不能修改{name}的题型")
        if new.options != q.options:
            found.append(f"不能修改{name}的选项（增删、改名或调整顺序都会使已存答卷错位）")
        if new.rows != q.rows:
            found.append(f"不能修改{name}的矩阵行")
    if found:
        hint = (
            f"已有 {responses} 份答卷，为保证已存答卷不被改变：" + "；".join(found) + "。"
            "题干措辞、分值、权重、必答及满意度/分组标记仍可修改，也可以新增题目；"
            "如需改动选项，请新建（或复制）一份问卷"
        )
        return [hint]
    return []
