"""The plain facts one leaf's report sentence is written from, and the helpers every writer uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from workbench.reports import prose_numbers as nums
from workbench.scoring.params import ParamError, parse_params

ZERO, ONE = Decimal(0), Decimal(1)
TRIM_MIN_EXPERTS = 5  # as scoring.rules: one highest and one lowest dropped from 5 experts up


@dataclass(frozen=True)
class FindingFact:
    """A working-paper finding behind the score: its text, points lost and index number."""

    text: str
    points: Decimal | None = None
    paper_index: str = ""
    kind: str = ""  # deduction | element | observation
    element: int | None = None


@dataclass(frozen=True)
class SurveyFact:
    """The survey figure a satisfaction leaf was scored on."""

    title: str
    metric: str  # 满意率 | 满意度得分 …
    n: int
    value: Decimal | None  # as the survey reports it: 80.44 for 80.44 %


@dataclass
class ScoreFacts:
    """Everything one leaf's sentence is written from (plain values, no database rows)."""

    rule: str | None
    weight: Decimal
    score: Decimal | None
    target: str = ""
    actual: str = ""
    params: str = ""
    actual_value: Decimal | None = None  # linked data (a survey) instead of the typed actual
    elements: Sequence[tuple[Decimal, Decimal | None]] = ()  # judged in papers (else 参数)
    element_names: Sequence[str] = ()  # the 评价要点, one per element
    deductions: Sequence[Decimal] | None = None  # from papers (else 参数)
    findings: Sequence[FindingFact] = ()
    expert_scores: Sequence[Decimal] = ()
    qualitative: tuple[str, Decimal | None] | None = None
    survey: SurveyFact | None = None
    justification: str = ""
    error: str = ""
    error_field: str = ""
    dispersion: Decimal | None = None
    dispersion_flag: bool = False
    not_applicable: bool = False
    na_reason: str = ""


def params_of(facts: ScoreFacts, rule: str):
    try:
        return parse_params(rule, facts.params or "")
    except ParamError:
        return None


def got(facts: ScoreFacts) -> str:
    score = facts.score if facts.score is not None else ZERO
    if score >= facts.weight:
        return f"得满分{nums.number(facts.weight)}分"
    if score <= 0:
        return "不得分"
    return f"计得{score:.2f}分"


def indexes(findings: Sequence[FindingFact]) -> str:
    found = list(dict.fromkeys(f.paper_index for f in findings if f.paper_index))
    return f"（底稿{'、'.join(found)}）" if found else ""


def missing_actual(facts: ScoreFacts) -> str:
    target = nums.quantity(facts.target)
    goal = f"（目标值{target}）" if target else ""
    return f"尚未取得该指标的实际值{goal}，暂未计分。"
