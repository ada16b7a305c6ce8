"""Plain inputs → the docxtpl contexts of report_templates/README.md (pure: no Flask, no session).

Numbers leave here as strings (two places, half-up; "81.80%"; money in 万元), so the documents
show exactly the scoring engine's Decimals. User text (sections) arrives as sanitized HTML and is
turned into paragraphs by `sections.to_paragraphs`; render.py prints it literally.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from workbench.reports import ex_ante
from workbench.reports import sections as text
from workbench.reports.prose import ScoreFacts
from workbench.reports.survey_appendix import AppendixSurvey, PlannedSample
from workbench.scoring.standards import plan_standard

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
PENDING = "待定"
UNSCORED = "未评分"
NA = "不适用"
EX_ANTE_CONCLUSIONS = ex_ante.CONCLUSIONS
_SUFFIXES = ("事前绩效评估", "绩效评价", "绩效评估")


@dataclass
class Project:
    title: str
    type: str
    code: str
    bureau: str
    unit: str
    agency: str
    budget_year: int
    today: date
    budget_amount: Decimal | None = None
    funds_available: Decimal | None = None
    funds_spent: Decimal | None = None
    description: str = ""
    planned_start: date | None = None
    planned_end: date | None = None

    @property
    def ex_ante(self) -> bool:
        return self.type == "ex_ante"

    @property
    def term(self) -> str:
        """评估 for an ex-ante engagement, 评价 for the others (被评估单位, 评估等级 …)."""
        return "评估" if self.ex_ante else "评价"

    @property
    def name(self) -> str:
        """The project's name without the trailing 绩效评价 (templates append it)."""
        for suffix in _SUFFIXES:
            if self.title.endswith(suffix) and len(self.title) > len(suffix):
                return self.title[: -len(suffix)]
        return self.title


@dataclass
class Finding:
    text: str
    paper_index: str = ""
    amount: Decimal | None = None


@dataclass
class LeafRow:
    level1: str
    level2: str
    name: str
    weight: Decimal
    score: Decimal | None
    not_applicable: bool = False
    na_reason: str = ""
    explanation: str = ""
    justification: str = ""
    standard: str = ""
    target: str = ""
    actual: str = ""
    findings: list[Finding] = field(default_factory=list)
    rule: str = ""  # with params and points: what the plan's 评分标准 says without a written one
    params: str = ""
    points: str = ""
    facts: ScoreFacts | None = None  # the report's sentence (prose.score_sentence)


@dataclass
class Totals:
    sum_scores: Decimal
    total_weight: Decimal
    applicable_weight: Decimal
    total: Decimal | None
    grade: str | None


@dataclass
class Visit:
    stage: str
    name: str
    work: str
    entered: date
    left: date | None


@dataclass
class Paper:
    index: str
    title: str
    stage: str
    status: str = ""  # fieldwork's review status: prepared | reviewed | approved | returned


@dataclass
class Person:
    name: str
    role_name: str = ""
    duty: str = ""
    title: str = ""
    qualifications: str = ""  # 资格证书, joined with 、
    organisation: str = ""
    field: str = ""


@dataclass
class SurveyRow:
    name: str
    n: int
    rate: Decimal | None
    score_index: Decimal | None
    ci_low: Decimal | None = None
    ci_high: Decimal | None = None


@dataclass
class SurveySummary:
    collected: int
    valid: int
    rows: list[SurveyRow]
    overall: SurveyRow
    validity_rate: Decimal | None = None
    alpha: Decimal | None = None
    population: str = "服务对象"
    method: str = "问卷调查"
    sample_target: int | None = None
    notes: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)  # for the distribution chart
    counts: list[list[int]] = field(default_factory=list)  # per row, per level


@dataclass
class SampleSettings:
    confidence: Decimal = Decimal("0.95")
    margin: Decimal = Decimal("0.05")
    proportion: Decimal = Decimal("0.5")
    population: int | None = None
    target: int | None = None
    strata: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Inputs:
    """Everything the documents of one engagement are built from."""

    project: Project
    leaves: list[LeafRow]
    totals: Totals
    sections: dict[str, str] = field(default_factory=dict)  # key → sanitized HTML
    visits: list[Visit] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)
    team: list[Person] = field(default_factory=list)
    experts: list[Person] = field(default_factory=list)
    survey: SurveySummary | None = None
    sample: SampleSettings = field(default_factory=SampleSettings)
    has_survey: bool = False
    label: str = ""
    plan_date: date | None = None  # the plan's 编制日期 (None: today)
    plan_schedule: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)
    ex_ante_bands: ex_ante.Bands = ex_ante.DEFAULT_BANDS
    scores_signed: bool = False  # the lead signed the scores in the app
    report_signers: dict[str, str] = field(default_factory=dict)  # prepare/review/approve → name
    survey_appendix: list[AppendixSurvey] = field(default_factory=list)  # every survey (附件2)
    planned_sample: PlannedSample | None = None  # the approved plan's sample


# --- formatting ------------------------------------------------------------------------------


def fmt2(value: Decimal | None, empty: str = "") -> str:
    return empty if value is None else f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def pct(value: Decimal | None) -> str:
    return "" if value is None else f"{fmt2(value)}%"


def wan(value: Decimal | None) -> str:
    """Yuan as 万元 with thousands separators: 12500000 → 1,250.00万元."""
    if value is None:
        return "—"
    return f"{(value / 10000).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}万元"


def cn_date(value: date | None, *, day: bool = True) -> str:
    if value is None:
        return ""
    return (
        f"{value.year}年{value.month}月{value.day}日" if day else f"{value.year}年{value.month}月"
    )


def rate(score: Decimal, weight: Decimal) -> Decimal | None:
    return None if not weight else (score * HUNDRED / weight).quantize(CENT, ROUND_HALF_UP)


def paragraphs(inputs: Inputs, key: str) -> list[str]:
    return text.to_paragraphs(inputs.sections.get(key, ""))


# --- shared pieces ---------------------------------------------------------------------------


def project_dict(project: Project) -> dict:
    return {
        "name": project.name,
        "bureau": project.bureau,
        "unit": project.unit,
        "agency": project.agency,
        "report_no": project.code,
        "date": cn_date(project.today, day=False),
        "budget_year": str(project.budget_year),
        "budget_amount": wan(project.budget_amount),
        "term": project.term,
        "kind_name": "事前绩效评估" if project.ex_ante else "绩效评价",
    }


def closing_dict(inputs: Inputs) -> dict:
    """The closing block: names only of those who signed the report in the app, the full date."""
    signers = inputs.report_signers
    return {
        "lead": signers.get("approve", ""),
        "evaluator": signers.get("prepare", ""),
        "date": cn_date(inputs.project.today),
    }


def _score_text(leaf: LeafRow) -> str:
    if leaf.not_applicable:
        return NA
    return fmt2(leaf.score, UNSCORED)


def score_rows(leaves: list[LeafRow], *, notes: bool = False, standard: bool = False) -> list:
    rows = []
    for leaf in leaves:
        row = {
            "level1": leaf.level1,
            "level2": leaf.level2,
            "name": leaf.name,
            "weight": fmt2(leaf.weight),
            "score": _score_text(leaf),
        }
        if notes:
            indexes = dict.fromkeys(f.paper_index for f in leaf.findings if f.paper_index)
            row["note"] = leaf.na_reason if leaf.not_applicable else _note(leaf)
            row["paper_index"] = "、".join(indexes)
        if standard:  # the plan: the written standard or the rule in words, never the working
            row["standard"] = plan_standard(
                written=leaf.standard,
                rule=leaf.rule,
                params=leaf.params,
                target=leaf.target,
                points=leaf.points,
            )
        rows.append(row)
    return rows


def _note(leaf: LeafRow) -> str:
    return "；".join(part for part in (leaf.justification.strip(), leaf.explanation) if part)


def totals_dict(totals: Totals, leaves: list[LeafRow]) -> dict:
    """weight_sum, score_sum, total, grade and the rescaling sentence."""
    dropped = [leaf for leaf in leaves if leaf.not_applicable]
    note = ""
    if dropped and totals.total is not None and totals.applicable_weight:
        names = "、".join(f"“{leaf.name}”" for leaf in dropped)
        weight = sum((leaf.weight for leaf in dropped), Decimal(0))
        note = (
            f"{names}指标不适用（分值{weight.normalize():f}分），按适用指标分值"
            f"{fmt2(totals.applicable_weight)}分将得分折算为百分制：{fmt2(totals.sum_scores)}"
            f" × 100 ÷ {fmt2(totals.applicable_weight)} = {fmt2(totals.total)}。"
        )
    return {
        "weight_sum": fmt2(totals.applicable_weight),
        "score_sum": fmt2(totals.sum_scores),
        "total": fmt2(totals.total, PENDING),
        "grade": totals.grade or PENDING,
        "score_note": note,
    }


def level1_groups(leaves: list[LeafRow]) -> dict[str, list[LeafRow]]:
    groups: dict[str, list[LeafRow]] = {}
    for leaf in leaves:
        groups.setdefault(leaf.level1, []).append(leaf)
    return groups


def group_score(leaves: list[LeafRow]) -> tuple[Decimal, Decimal]:
    """(applicable weight, Σ scores) of a group of leaves."""
    applicable = [leaf for leaf in leaves if not leaf.not_applicable]
    weight = sum((leaf.weight for leaf in applicable), Decimal(0))
    score = sum((leaf.score or Decimal(0) for leaf in applicable), Decimal(0))
    return weight, score


def figures(inputs: Inputs) -> dict:
    """The numbers a version was generated with (kept with the version)."""
    return {
        "total": fmt2(inputs.totals.total) or None,
        "grade": inputs.totals.grade,
        "sum": fmt2(inputs.totals.sum_scores),
        "applicable_weight": fmt2(inputs.totals.applicable_weight),
        "leaves": {
            "/".join((leaf.level1, leaf.level2, leaf.name)): _score_text(leaf)
            for leaf in inputs.leaves
        },
    }


# --- forms -----------------------------------------------------------------------------------


def score_sheet_context(inputs: Inputs, *, signoffs: dict[str, str]) -> dict:
    return {
        "project": project_dict(inputs.project) | {"date": cn_date(inputs.project.today)},
        "score_rows": score_rows(inputs.leaves, notes=True),
        **totals_dict(inputs.totals, inputs.leaves),
        "signoffs": {k: signoffs.get(k, "") for k in ("scored_by", "reviewed_by", "approved_by")},
    }


def opinion_table_context(
    project: Project, *, feedback_date: date | None, opinions: list[dict]
) -> dict:
    """opinions: [{reference, content, adoption, reason}] in the unit's order."""
    return {
        "project": project_dict(project) | {"date": cn_date(project.today)},
        "feedback": {"unit": project.unit, "date": cn_date(feedback_date) or "—"},
        "opinions": [
            {
                "content": (f"（{o['reference']}）" if o.get("reference") else "") + o["content"],
                "adoption": o.get("adoption") or "未答复",
                "reason": o.get("reason", ""),
            }
            for o in opinions
        ],
    }
