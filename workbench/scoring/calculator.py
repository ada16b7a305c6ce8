"""Indicator tree → leaf scores, 二级/一级 subtotals, total and grade (pure).

The application builds `Leaf` objects from its tree (injecting working-paper deductions, expert
scores and survey metrics as overrides); the offline sheet reader builds them from an .xlsx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from workbench.scoring import rules
from workbench.scoring.grades import DEFAULT_GRADES, grade_for
from workbench.scoring.params import (
    DEFAULT_LEVELS,
    BandsParams,
    ParamError,
    QualitativeLevel,
    QualitativeParams,
    SatisfactionParams,
    normalise_rule,
    parse_params,
)
from workbench.scoring.values import HUNDRED, ParsedValue, format_number, parse_value, q2

ZERO = Decimal(0)

# The sheet's column for each Leaf field, used in messages everywhere.
FIELD_LABELS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "weight": "分值",
    "rule": "规则",
    "params": "参数",
    "target": "目标值",
    "actual": "实际值",
    "score": "得分",
    "not_applicable": "不适用",
}


@dataclass
class Leaf:
    """One scored (三级) indicator with its rule, parameters and data, plus app overrides."""

    path: tuple[str, str, str]
    weight: Decimal
    rule: str | None = None
    params: str = ""
    target: str | None = None
    actual: str | None = None
    score: Decimal | None = None
    not_applicable: bool = False
    na_reason: str = ""
    # Overrides the application injects instead of sheet text:
    deductions: list[Decimal] | None = None
    elements: list[tuple[Decimal, Decimal]] | None = None
    expert_scores: list[Decimal] | None = None
    actual_value: Decimal | None = None
    qualitative: tuple[str, Decimal | None] | None = None


@dataclass(slots=True)
class LeafResult:
    """The outcome for one leaf: a score and its explanation, or the reason it has none."""

    path: tuple[str, str, str]
    weight: Decimal
    rule: str | None
    score: Decimal | None
    explanation: str
    not_applicable: bool = False
    na_reason: str = ""
    error: str | None = None
    error_field: str | None = None
    dispersion: Decimal | None = None
    dispersion_flag: bool = False


@dataclass(frozen=True)
class GroupTotal:
    """A 一级 or 二级 subtotal: its weight (all leaves), applicable weight and score."""

    path: tuple[str, ...]
    weight: Decimal
    applicable_weight: Decimal
    score: Decimal


@dataclass
class ScoreResult:
    """Every leaf result, subtotals, Σ of leaf scores, the (rescaled) total and its grade."""

    leaves: list[LeafResult]
    level1: list[GroupTotal]
    level2: list[GroupTotal]
    sum_scores: Decimal
    total_weight: Decimal
    applicable_weight: Decimal
    total: Decimal | None
    grade: str | None
    errors: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every applicable leaf has a score."""
        return not self.errors

    def to_json(self) -> dict:
        """The DESIGN.md shape: total, grade, indicators (Decimals as 2-place strings)."""
        return {
            "total": _s(self.total),
            "grade": self.grade,
            "sum": _s(self.sum_scores),
            "applicable_weight": _s(self.applicable_weight),
            "indicators": [
                {
                    "path": list(leaf.path),
                    "weight": _s(leaf.weight),
                    "score": _s(leaf.score),
                    "rule": leaf.rule,
                    "not_applicable": leaf.not_applicable,
                    "explanation": leaf.explanation,
                }
                for leaf in self.leaves
            ],
        }


def _s(value: Decimal | None) -> str | None:
    return None if value is None else f"{q2(value):.2f}"


def resolve_rule(leaf: Leaf) -> str:
    """The leaf's rule key; a blank rule means manual with a score, else ≥/≤ in 目标值 decides."""
    if leaf.rule is not None and str(leaf.rule).strip():
        return normalise_rule(leaf.rule)
    if leaf.score is not None:
        return "manual"
    if leaf.target is not None and str(leaf.target).strip():
        op = parse_value(leaf.target, field="target").op
        if op in (">=", ">", "="):
            return "ratio"
        if op in ("<=", "<"):
            return "inverse_ratio"
    raise ParamError(
        "规则为空：请填写规则，或填写得分（按手工计分），或在目标值中写明≥/≤以按比率计分",
        field="rule",
    )


def _present(text: object) -> bool:
    return text is not None and str(text).strip() != ""


def _target(leaf: Leaf, *, required: bool) -> ParsedValue | None:
    if not _present(leaf.target):
        if required:
            raise ParamError("须填写目标值", field="target")
        return None
    return parse_value(leaf.target, field="target")


def _actual(leaf: Leaf) -> ParsedValue:
    if leaf.actual_value is not None:
        return ParsedValue(leaf.actual_value, None, False, "")
    if not _present(leaf.actual):
        raise ParamError("须填写实际值", field="actual")
    return parse_value(leaf.actual, field="actual")


def _check_units(target: ParsedValue, actual: ParsedValue) -> None:
    """Refuse a target and an actual written in different units (万元 vs 元, 95% vs 96)."""
    if target.unit and actual.unit and target.unit != actual.unit:
        raise ParamError(
            f"实际值的单位“{actual.unit}”与目标值的单位“{target.unit}”不一致", field="actual"
        )
    if target.percent != actual.percent:
        plain = actual if target.percent else target
        if abs(plain.value) > 1:
            raise ParamError(
                "目标值与实际值一个是百分比、一个不是，请统一写法（如都写成95%）", field="actual"
            )


def _as_rate(value: Decimal) -> Decimal:
    """A satisfaction figure written in points (87.4) as a rate (0.874)."""
    return value / HUNDRED if 1 < value <= 100 else value


def _score_satisfaction(
    leaf: Leaf, params: SatisfactionParams, target: ParsedValue | None
) -> rules.RuleScore:
    actual = _actual(leaf).value
    inner = params.inner
    goal = target.value if target else None
    # Surveys report 87.4 or 87.4%; targets say ≥85% or ≥85. Align both on rates unless the
    # bands are written in points.
    points = isinstance(inner, BandsParams) and any(band.bound > 1 for band in inner.bands)
    if not points:
        actual = _as_rate(actual)
        goal = _as_rate(goal) if goal is not None else None
    elif actual <= 1:
        actual = actual * HUNDRED
    return rules.score_satisfaction(
        weight=leaf.weight, actual=actual, params=params, target=goal, percent=not points
    )


def _score_qualitative(leaf: Leaf, params: QualitativeParams, levels) -> rules.RuleScore:
    if leaf.qualitative is not None:
        level, fraction = leaf.qualitative
    elif params.level is not None:
        level, fraction = params.level, params.fraction
    elif _present(leaf.actual):
        try:
            chosen = parse_params("qualitative", str(leaf.actual), levels)
        except ParamError as exc:
            raise ParamError(exc.message, field="actual") from exc
        level, fraction = chosen.level, chosen.fraction
    else:
        raise ParamError(
            "定性分档须选择等级：在参数或实际值中填写“达成”“部分达成:0.7”等", field="level"
        )
    return rules.score_qualitative(
        weight=leaf.weight, level=level, fraction=fraction, levels=levels
    )


def _compute(leaf: Leaf, rule: str, levels, cv_limit: Decimal) -> rules.RuleScore:
    params = parse_params(rule, leaf.params or "", levels)
    w = leaf.weight
    if rule in ("ratio", "inverse_ratio", "linear"):
        target = _target(leaf, required=True)
        actual = _actual(leaf)
        if leaf.actual_value is None:
            _check_units(target, actual)
        kw = {
            "weight": w,
            "target": target.value,
            "actual": actual.value,
            "params": params,
            "percent": target.percent or actual.percent,
        }
        if rule == "ratio":
            return rules.score_ratio(**kw)
        if rule == "inverse_ratio":
            return rules.score_inverse_ratio(**kw)
        return rules.score_linear(**kw, lower_is_better=target.op in ("<=", "<"))
    if rule == "bands":
        actual = _actual(leaf)
        return rules.score_bands(
            weight=w, actual=actual.value, params=params, percent=actual.percent
        )
    if rule == "elements":
        items = leaf.elements if leaf.elements is not None else params.items
        return rules.score_elements(weight=w, items=items)
    if rule == "qualitative":
        return _score_qualitative(leaf, params, levels)
    if rule == "deduction":
        points = leaf.deductions if leaf.deductions is not None else params.points
        return rules.score_deduction(weight=w, points=points)
    if rule == "boolean":
        if leaf.actual_value is not None:
            return rules.score_boolean(weight=w, value=leaf.actual_value != 0)
        if not _present(leaf.actual):
            raise ParamError("是否规则须在实际值中填写 是 或 否", field="actual")
        return rules.score_boolean(weight=w, value=rules.parse_boolean(leaf.actual))
    if rule == "satisfaction":
        return _score_satisfaction(leaf, params, _target(leaf, required=False))
    if rule == "expert":
        scores = leaf.expert_scores if leaf.expert_scores is not None else params.scores
        return rules.score_expert(weight=w, scores=scores, agg=params.agg, cv_limit=cv_limit)
    if leaf.score is None:
        raise ParamError("手工计分须填写得分", field="score")
    return rules.score_manual(weight=w, score=leaf.score)


def score_leaf(
    leaf: Leaf,
    *,
    levels: tuple[QualitativeLevel, ...] = DEFAULT_LEVELS,
    cv_limit: Decimal = rules.DEFAULT_CV_LIMIT,
) -> LeafResult:
    """Score one leaf; an unscorable leaf gets error and error_field instead of a score."""
    base = {"path": leaf.path, "weight": leaf.weight}
    if leaf.not_applicable:
        reason = leaf.na_reason.strip()
        text = f"不适用：{reason}" if reason else "不适用"
        return LeafResult(
            **base,
            rule=_rule_or_none(leaf),
            score=None,
            explanation=text,
            not_applicable=True,
            na_reason=reason,
        )
    rule = None
    try:
        rule = resolve_rule(leaf)
        outcome = _compute(leaf, rule, levels, cv_limit)
    except ParamError as exc:
        return LeafResult(
            **base,
            rule=rule,
            score=None,
            explanation=exc.message,
            error=exc.message,
            error_field=exc.field,
        )
    return LeafResult(
        **base,
        rule=rule,
        score=outcome.score,
        explanation=outcome.explanation,
        dispersion=outcome.dispersion,
        dispersion_flag=outcome.dispersion_flag,
    )


def _rule_or_none(leaf: Leaf) -> str | None:
    try:
        return resolve_rule(leaf)
    except ParamError:
        return None


def _groups(results: list[LeafResult], depth: int) -> list[GroupTotal]:
    sums: dict[tuple[str, ...], list[Decimal]] = {}
    for result in results:
        entry = sums.setdefault(result.path[:depth], [ZERO, ZERO, ZERO])
        entry[0] += result.weight
        if not result.not_applicable:
            entry[1] += result.weight
            entry[2] += result.score or ZERO
    return [GroupTotal(path, w, a, s) for path, (w, a, s) in sums.items()]


def calculate(
    leaves: list[Leaf],
    *,
    grades=DEFAULT_GRADES,
    levels: tuple[QualitativeLevel, ...] = DEFAULT_LEVELS,
    cv_limit: Decimal = rules.DEFAULT_CV_LIMIT,
) -> ScoreResult:
    """Score every leaf; total = Σ rounded scores, rescaled to 100 when a leaf is not applicable."""
    results = [score_leaf(leaf, levels=levels, cv_limit=cv_limit) for leaf in leaves]
    total_weight = sum((r.weight for r in results), ZERO)
    applicable = [r for r in results if not r.not_applicable]
    applicable_weight = sum((r.weight for r in applicable), ZERO)
    sum_scores = sum((r.score for r in applicable if r.score is not None), ZERO)
    errors = [f"{'/'.join(r.path)}：{r.error}" for r in applicable if r.error]
    total = grade = None
    if not errors and applicable_weight > 0:
        if len(applicable) < len(results):
            total = q2(sum_scores * HUNDRED / applicable_weight)
        else:
            total = q2(sum_scores)
        grade = grade_for(total, grades)
    return ScoreResult(
        leaves=results,
        level1=_groups(results, 1),
        level2=_groups(results, 2),
        sum_scores=sum_scores,
        total_weight=total_weight,
        applicable_weight=applicable_weight,
        total=total,
        grade=grade,
        errors=errors,
    )


def rescale_note(result: ScoreResult) -> str:
    """'81.61 × 100 ÷ 96 = 85.01' when leaves were dropped, else 'Σ = 85.01'."""
    if result.total is None:
        return "尚有指标未能计分，无法得出总分"
    if result.applicable_weight != result.total_weight:
        return (
            f"{result.sum_scores:.2f} × 100 ÷ {format_number(result.applicable_weight)}"
            f" = {result.total:.2f}"
        )
    return f"合计 {result.total:.2f}"
