"""Result shapes of survey statistics: plain dataclasses convertible to the API JSON (pure)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

HUNDRED = Decimal(100)


@dataclass
class OptionCount:
    option: str
    count: int
    percent: Decimal | None  # of the n respondents who answered


@dataclass
class ItemStats:
    """One item: `rate` and its Wilson interval (`ci_low`/`ci_high`) in %, score index with t interval."""

    key: str
    question_key: str
    row: str | None
    question: str
    satisfaction_item: bool
    weight: Decimal
    n: int
    rate: Decimal | None
    ci_low: Decimal | None
    ci_high: Decimal | None
    score_index: Decimal | None
    score_ci_low: Decimal | None
    score_ci_high: Decimal | None
    distribution: list[OptionCount]


@dataclass
class OverallStats:
    """Weighted means of the satisfaction items, and the pooled score index over all answers."""

    items: int
    n: int  # respondents who answered at least one satisfaction item
    answers: int  # answers to satisfaction items (the pooled denominator)
    rate: Decimal | None
    score_index: Decimal | None
    pooled_rate: Decimal | None
    pooled_score_index: Decimal | None


@dataclass
class Frequency:
    """Counts per option of one choice question (multi-select: respondents choosing each option)."""

    key: str
    question: str
    type: str
    n: int
    skipped: int
    blank: int
    options: list[OptionCount]
    rows: list[dict[str, Any]] = field(default_factory=list)  # matrix: one entry per row
    other_texts: list[str] = field(default_factory=list)


@dataclass
class TextAnswers:
    key: str
    question: str
    n: int
    skipped: int
    blank: int
    answers: list[str]


@dataclass
class CrossTab:
    """One satisfaction item broken down by a group question, with a chi-square test."""

    group_key: str
    group_question: str
    item: str
    n: int
    groups: list[dict[str, Any]]  # {group, n, rate, score_index}
    counts: list[list[int]]  # groups × options
    chi2: Decimal | None
    dof: int
    p_value: Decimal | None
    low_expected: bool


@dataclass
class SurveyStats:
    collected: int
    valid: int
    validity_rate: Decimal | None
    items: list[ItemStats]
    overall: OverallStats
    cronbach_alpha: Decimal | None
    alpha_n: int
    alpha_items: int
    frequencies: list[Frequency] = field(default_factory=list)
    crosstabs: list[CrossTab] = field(default_factory=list)
    text_answers: list[TextAnswers] = field(default_factory=list)

    def to_dict(self, *, decimals_as_strings: bool = False) -> dict[str, Any]:
        """The API shape `{valid, collected, items, overall, cronbach_alpha, …}`."""
        data = asdict(self)
        return _strings(data) if decimals_as_strings else data


def _strings(value: Any) -> Any:
    """Decimals as strings throughout a nested dict/list (the JSON API's convention)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v) for v in value]
    return value
