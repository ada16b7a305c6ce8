"""Vectorised cell converters: each column is factorised once and only its distinct values are read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from workbench.surveys.imports.distinct import Distinct
from workbench.surveys.imports.normalize import (
    BLANK,
    MULTI_SEPARATOR,
    SKIPPED,
    as_code,
    cell_text,
    missing_kind,
    nfkc,
    option_key,
    option_list_text,
    split_other,
)

# Kind of a choice cell: which export variant it looks like.
K_MISSING, K_CODE, K_TEXT, K_BOTH, K_INVALID = 0, 1, 2, 3, 4


@dataclass
class ChoiceCells:
    """One single-choice column resolved both as option text and as option number."""

    distinct: Distinct
    kind: list[int]  # per unique: K_*
    by_text: list[int | None]  # per unique: option index when read as text
    by_code: list[
        int | None
    ]  # per unique: option index when read as a number (may be out of range)
    missing: list[str | None]  # per unique: SKIPPED / BLANK / None
    other: list[str | None]  # per unique: text in 〖〗

    def kind_counts(self) -> dict[int, int]:
        """Rows per cell kind."""
        return kind_counts(self.distinct, self.kind)


def kind_counts(distinct: Distinct, kinds: Sequence[int]) -> dict[int, int]:
    """Rows per cell kind, given one kind per distinct value."""
    result: dict[int, int] = {}
    for k, n in zip(kinds, distinct.counts(), strict=True):
        result[k] = result.get(k, 0) + int(n)
    return result


def option_lookup(options: Sequence[str]) -> dict[str, int]:
    """option key → 0-based index."""
    return {option_key(o): i for i, o in enumerate(options)}


def read_choice(distinct: Distinct, options: Sequence[str]) -> ChoiceCells:
    """Resolve a single-choice column (single, likert, one matrix row)."""
    lookup = option_lookup(options)
    kind: list[int] = []
    by_text: list[int | None] = []
    by_code: list[int | None] = []
    missing: list[str | None] = []
    other: list[str | None] = []
    for value in distinct.uniques:
        gone = missing_kind(value)
        base, extra = split_other(nfkc(cell_text(value))) if gone is None else ("", None)
        text_index = lookup.get(option_key(base)) if gone is None else None
        code = as_code(value) if gone is None else None
        if code is None and extra is not None:
            code = as_code(base)  # `4〖社区工作者〗`: an option number with its other text
        code_index = None if code is None else code - 1
        if gone is not None:
            k = K_MISSING
        elif text_index is not None and code is not None:
            k = K_BOTH
        elif text_index is not None:
            k = K_TEXT
        elif code is not None:
            k = K_CODE
        else:
            k = K_INVALID
        kind.append(k)
        by_text.append(text_index)
        by_code.append(code_index)
        missing.append(gone)
        other.append(extra)
    return ChoiceCells(distinct, kind, by_text, by_code, missing, other)


@dataclass
class MultiCells:
    """A `┋`-joined multi-select column: per distinct value the chosen indexes or a problem."""

    distinct: Distinct
    chosen: list[list[int] | None]
    other: list[str | None]
    missing: list[str | None]
    problem: list[str | None]
    variant: list[int]  # K_TEXT / K_CODE / K_BOTH / K_MISSING per unique


def read_joined_multiple(distinct: Distinct, options: Sequence[str], variant: int) -> MultiCells:
    """Resolve a `┋`-joined multi-select column; `variant` decides digit parts (text or number)."""
    lookup = option_lookup(options)
    chosen: list[list[int] | None] = []
    others: list[str | None] = []
    missing: list[str | None] = []
    problems: list[str | None] = []
    kinds: list[int] = []
    for value in distinct.uniques:
        gone = missing_kind(value)
        if gone is not None:
            chosen.append(None)
            others.append(None)
            missing.append(gone)
            problems.append(None)
            kinds.append(K_MISSING)
            continue
        picked, other, problem, seen = _parse_joined(cell_text(value), lookup, options, variant)
        chosen.append(picked)
        others.append(other)
        missing.append(None)
        problems.append(problem)
        kinds.append(seen)
    return MultiCells(distinct, chosen, others, missing, problems, kinds)


def _parse_joined(
    text: str, lookup: dict[str, int], options: Sequence[str], variant: int
) -> tuple[list[int], str | None, str | None, int]:
    size = len(options)
    picked: list[int] = []
    other: str | None = None
    seen = 0
    for part in nfkc(text).split(MULTI_SEPARATOR) if MULTI_SEPARATOR in text else [text]:
        base, extra = split_other(part.strip())
        other = extra or other
        index = lookup.get(option_key(base))
        code = as_code(base)
        if index is not None and (code is None or variant != K_CODE):
            seen |= K_TEXT
        elif code is not None:
            seen |= K_CODE
            if not 1 <= code <= size:
                return picked, other, f"选项序号 {code} 超出范围（应为 1–{size}）", seen
            index = code - 1
        else:
            return (
                picked,
                other,
                f"选项“{_short(base)}”不在问卷的选项中（{option_list_text(list(options))}）",
                seen,
            )
        if index not in picked:
            picked.append(index)
    return sorted(picked), other, None, seen


_SELECTED = frozenset({"1", "√", "✓", "是", "y", "yes", "true", "选中"})
_NOT_SELECTED = frozenset({"0", "否", "n", "no", "false", "未选中"})


def read_split_option(
    distinct: Distinct, option: str
) -> tuple[Distinct, list[int], list[str | None]]:
    """A split multi-select column: per distinct value 1 (chosen), 0, -1 (skipped) or -2 (invalid)."""
    state: list[int] = []
    problems: list[str | None] = []
    key = option_key(option)
    for value in distinct.uniques:
        gone = missing_kind(value)
        text = nfkc(cell_text(value)).lower()
        if gone == SKIPPED:
            state.append(-1)
            problems.append(None)
        elif gone == BLANK or text in _NOT_SELECTED:
            state.append(0)
            problems.append(None)
        elif text in _SELECTED or option_key(text) == key:
            state.append(1)
            problems.append(None)
        else:
            state.append(-2)
            problems.append(
                f"多选题分列的值应为 1（选中）或 0（未选），此处为“{_short(cell_text(value))}”"
            )
    return distinct, state, problems


def read_text(distinct: Distinct) -> tuple[np.ndarray, np.ndarray]:
    """A free-text column: (text or None, missing kind or None) per row."""
    kinds = [missing_kind(v) for v in distinct.uniques]
    texts = [None if k else cell_text(v) for v, k in zip(distinct.uniques, kinds, strict=True)]
    return distinct.take(texts), distinct.take(kinds, missing=BLANK)


def read_number(distinct: Distinct) -> tuple[np.ndarray, np.ndarray, Distinct, list[str | None]]:
    """A number column: (Decimal or None, missing kind) per row and per-unique problems."""
    kinds: list[str | None] = []
    values: list[Decimal | None] = []
    problems: list[str | None] = []
    for value in distinct.uniques:
        gone = missing_kind(value)
        kinds.append(gone)
        number = None if gone else _decimal(value)
        values.append(number)
        problems.append(
            None if gone or number is not None else f"“{_short(cell_text(value))}”不是有效的数字"
        )
    return distinct.take(values), distinct.take(kinds, missing=BLANK), distinct, problems


def map_unique(
    distinct: Distinct, convert: Callable[[Any], Any], missing: Any = None
) -> np.ndarray:
    """Apply `convert` to each distinct value and spread the results over the rows."""
    return distinct.take([convert(v) for v in distinct.uniques], missing=missing)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return Decimal(repr(value)) if np.isfinite(value) else None
    text = nfkc(cell_text(value)).replace(",", "")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
