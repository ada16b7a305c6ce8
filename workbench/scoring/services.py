"""Scoring an engagement: leaves from the tree plus other domains' inputs → calculator → result.

`compute` is what pages, the API, the report and the gate read; evaluators record inputs
(actual values, levels, met fractions, deductions, manual scores) and the lead signs the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement, MemberRole
from workbench.engagements.services import ensure_writable, require_cleared, users_by_id
from workbench.engagements.stages import Blocker
from workbench.indicators import services as indicators
from workbench.indicators.models import Indicator, IndicatorSystem
from workbench.indicators.services import (
    ensure_system,
    get_system,
    grade_table,
    invalidate_signoff,
    require_clear_confirmed,
)
from workbench.scoring import (
    experts as expert_scores,  # a module: experts imports back through indicators
)
from workbench.scoring import (  # noqa: F401 - registers the provider
    self_scores,  # public: the unit's own scores, for the report outline
    sources,
    sources_experts,
)
from workbench.scoring.calculator import Leaf, LeafResult, ScoreResult, calculate, score_leaf
from workbench.scoring.params import DEFAULT_LEVELS, ElementsParams, ParamError, parse_params
from workbench.scoring.params import format_params as _format_params
from workbench.scoring.signoffs import (  # noqa: F401 - SignedScore, signed_scores: public
    SignedScore,
    Signoff,
    scores_digest,
    signed_scores,
    signoff,
    stale_message,
)
from workbench.scoring.sources import NO_INPUTS, LeafInputs
from workbench.scoring.values import CENT, format_number

# Which input the scoring form asks for, per rule (expert scores come from the experts' page).
INPUT_KIND = {
    "ratio": "actual",
    "inverse_ratio": "actual",
    "linear": "actual",
    "bands": "actual",
    "boolean": "actual",
    "satisfaction": "actual",
    "qualitative": "level",
    "elements": "mets",
    "deduction": "deductions",
    "manual": "score",
    "expert": "expert",
}
INPUT_FIELDS = ["actual", "params", "score", "justification"]
OVERRIDE_NAMES = {
    "deductions": "扣分来自工作底稿",
    "elements": "要点达成度来自工作底稿",
    "expert_scores": "专家在系统内提交的打分",
    "actual_value": "实际值来自关联数据（如满意度调查）",
    "qualitative": "定性等级来自工作底稿",
}


@dataclass
class ScoreRow:
    """One leaf as the scoring page shows it: the stored indicator, its Leaf and its result."""

    indicator: Indicator
    leaf: Leaf
    result: LeafResult
    inputs: LeafInputs = NO_INPUTS

    @property
    def notes(self) -> dict:
        """What other domains show beside the score (findings, the survey's figure)."""
        return self.inputs.notes()

    @property
    def overridden(self) -> list[str]:
        """Sentences naming the Leaf fields that came from other domains."""
        return [OVERRIDE_NAMES[name] for name in self.inputs.overridden()]


# The calculator's words fit the indicator sheet (参数/实际值 cells); on the page the level is a
# dropdown, so the missing-level message names it instead.
LEVEL_MISSING = "定性分档尚未评定等级：请在该指标的评分页从“定性等级”下拉框中选择（如“达成”“部分达成”），或由已批准的工作底稿判定"


def for_page(outcome: LeafResult) -> LeafResult:
    """The leaf's result with messages worded for the page rather than the sheet."""
    if outcome.error_field != "level":
        return outcome
    return replace(outcome, error=LEVEL_MISSING, explanation=LEVEL_MISSING)


def compute(
    db: Session,
    engagement: Engagement,
    *,
    system: IndicatorSystem | None = None,
    inputs: dict[int, LeafInputs] | None = None,
) -> tuple[ScoreResult, list[ScoreRow]]:
    """Score the engagement's tree with every provider's inputs and its grade table.

    A caller that already read the system row (`system`) or collected the providers' inputs
    (`inputs`, as `sources.collect` gives them) passes them to save the queries.
    """
    items = indicators.list_indicators(db, engagement)
    if inputs is None:
        inputs = sources.collect(db, engagement)
    leaves = [indicators.to_leaf(item, inputs.get(item.id)) for item in items]
    if system is None:
        system = get_system(db, engagement)
    result = calculate(leaves, grades=grade_table(system))
    rows = [
        ScoreRow(item, leaf, for_page(outcome), inputs.get(item.id, NO_INPUTS))
        for item, leaf, outcome in zip(items, leaves, result.leaves, strict=True)
    ]
    return result, rows


def compute_one(db: Session, engagement: Engagement, indicator: Indicator) -> ScoreRow:
    """One leaf's row with every provider's inputs, without scoring the whole tree.

    A leaf's score depends only on its own inputs; the tree only adds totals and the grade.
    Providers with a one-leaf variant read this leaf's rows only (see sources.py).
    """
    inputs = sources.collect_one(db, engagement, indicator)
    leaf = indicators.to_leaf(indicator, inputs)
    return ScoreRow(indicator, leaf, for_page(score_leaf(leaf)), inputs)


def leaf_scores(db: Session, engagement: Engagement) -> dict[int, Decimal | None]:
    """Indicator id → its score (None when not applicable or not yet scorable)."""
    _result, rows = compute(db, engagement)
    return {row.indicator.id: row.result.score for row in rows}


# --- the scoring gate ------------------------------------------------------------------------


def _link(engagement: Engagement, indicator: Indicator | None = None) -> str:
    base = f"/engagements/{engagement.id}/scoring"
    return base if indicator is None else f"{base}/{indicator.id}"


def expert_members(engagement: Engagement) -> list:
    """The engagement's members in the expert role (each scores every expert-rule leaf)."""
    return [m for m in engagement.members if m.role == MemberRole.expert]


def missing_expert_scores(
    db: Session,
    engagement: Engagement,
    rows: list[ScoreRow],
    *,
    submitted: dict[int, dict] | None = None,
) -> list[tuple[Indicator, int]]:
    """(leaf, expert user id) pairs still to be scored on the experts' page.

    A leaf whose 参数 records an offline panel's scores needs none until an expert starts
    scoring it in the workbench; from then on every assigned expert must. `submitted` is
    `scores_by_indicator`'s answer when the caller already has it.
    """
    experts = [m.user_id for m in expert_members(engagement)]
    if submitted is None:
        submitted = expert_scores.scores_by_indicator(db, engagement)
    missing = []
    for row in rows:
        item = row.indicator
        if row.result.rule != "expert" or item.not_applicable:
            continue
        given = submitted.get(item.id, {})
        if not given and expert_scores.offline_scores(item):
            continue
        missing.extend((item, user_id) for user_id in experts if user_id not in given)
    return missing


def blockers(
    db: Session,
    engagement: Engagement,
    *,
    computed: tuple[ScoreResult, list[ScoreRow]] | None = None,
    include_signoff: bool = True,
    system: IndicatorSystem | None = None,
    submitted: dict[int, dict] | None = None,
) -> list[Blocker]:
    """Why the scores are not final: unscored leaves, missing expert scores, no sign-off.

    `computed`, `system` and `submitted` (expert scores) spare the queries of a caller that
    already read them.
    """
    system = system if system is not None else get_system(db, engagement)
    result, rows = computed or compute(db, engagement, system=system)
    found: list[Blocker] = []
    if not rows:
        return [Blocker("尚未建立指标体系", f"/engagements/{engagement.id}/indicators")]
    if system is None or system.confirmed_at is None:
        found.append(
            Blocker(
                "指标体系尚未经项目负责人确认（确认后修改过的须重新确认）",
                f"/engagements/{engagement.id}/indicators",
            )
        )
    for row in rows:
        if row.result.not_applicable:
            continue
        where = "/".join(row.indicator.path)
        if row.result.error:
            found.append(Blocker(f"{where}：{row.result.error}", _link(engagement, row.indicator)))
        elif row.result.rule == "manual" and not row.indicator.justification.strip():
            found.append(
                Blocker(f"{where}：手工评分须写明评分理由", _link(engagement, row.indicator))
            )
    missing = missing_expert_scores(db, engagement, rows, submitted=submitted)
    if missing:
        names = users_by_id(db, {user_id for _, user_id in missing})
        for item, user_id in missing:
            who = names[user_id].display_name if user_id in names else f"#{user_id}"
            found.append(Blocker(f"专家{who}尚未对“{item.name}”打分", _link(engagement)))
    if include_signoff:
        state = signoff(system, scores_digest(result, rows))
        if not state.signed:
            found.append(Blocker("项目负责人尚未签字确认评分结果", _link(engagement)))
        elif not state.holds:
            found.append(Blocker(stale_message(state, result), _link(engagement)))
    return found


def signoff_state(
    db: Session,
    engagement: Engagement,
    *,
    system: IndicatorSystem | None = None,
    computed: tuple[ScoreResult, list[ScoreRow]] | None = None,
) -> Signoff:
    """The lead's sign-off against the scores computed now (signoffs.py): whether it holds."""
    system = system if system is not None else get_system(db, engagement)
    if system is None or system.scores_signed_at is None:
        return signoff(system, "")
    result, rows = computed or compute(db, engagement, system=system)
    return signoff(system, scores_digest(result, rows))


def sign(db: Session, *, actor: User, engagement: Engagement) -> IndicatorSystem:
    """The lead signs the scores; refused while any leaf is unscored or an expert is missing."""
    ensure_writable(engagement)
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以签字确认评分结果")
    require_cleared(db, engagement, actor)
    system = ensure_system(db, engagement)
    computed = compute(db, engagement, system=system)
    result, rows = computed
    digest = scores_digest(result, rows)
    if signoff(system, digest).holds:
        raise Conflict("评分结果已签字确认")
    problems = blockers(db, engagement, computed=computed, include_signoff=False, system=system)
    if problems:
        raise Conflict("评分尚未完成，不能签字确认", details=[b.text for b in problems])
    # A sign-off the scores have moved away from is replaced by this one.
    system.scores_signed_by_id = actor.id
    system.scores_signed_at = utcnow()
    system.scores_signed_total, system.scores_signed_grade = result.total, result.grade
    system.scores_signed_digest = digest
    db.add(system)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="scoring.sign",
        obj=system,
        engagement_id=engagement.id,
        after={"total": result.total, "grade": result.grade, "sum": result.sum_scores},
        summary=f"项目负责人签字确认评分结果：{result.total} 分，{result.grade}",
    )
    return system


def unsign(db: Session, *, actor: User, engagement: Engagement) -> None:
    """The lead withdraws the sign-off."""
    ensure_writable(engagement)
    authorize(actor, "engagement.manage", engagement, message="只有项目负责人可以撤销签字")
    if not invalidate_signoff(db, actor=actor, engagement=engagement, reason="项目负责人撤销签字"):
        raise Conflict("评分结果尚未签字确认")


# --- evaluators' inputs ----------------------------------------------------------------------


@dataclass
class ScoreInput:
    """What the scoring form gives for one leaf (only the fields of its rule are used)."""

    actual: str = ""
    level: str = ""
    fraction: Decimal | None = None
    mets: list[Decimal | None] | None = None
    deductions: list[Decimal] = field(default_factory=list)
    score: Decimal | None = None
    justification: str = ""


def element_shares(indicator: Indicator) -> list[tuple[Decimal, Decimal | None]]:
    """The (share, met) pairs of an elements leaf's 参数 ([] when they cannot be read)."""
    try:
        params = parse_params("elements", indicator.params or "")
    except ParamError:
        return []
    return list(params.items)


def _new_values(indicator: Indicator, kind: str, data: ScoreInput) -> tuple[dict, str | None]:
    """(column → new value, the form field to blame for a scoring error) for the leaf's rule."""
    if kind == "actual":
        return {"actual": data.actual.strip()}, ("actual" if data.actual.strip() else None)
    if kind == "level":
        if not data.level:
            return {"params": ""}, None
        text = (
            data.level if data.fraction is None else f"{data.level}:{format_number(data.fraction)}"
        )
        return {"params": text}, "level"
    if kind == "mets":
        shares = element_shares(indicator)
        mets = list(data.mets or [])
        if not shares or len(mets) != len(shares):
            raise ValidationFailed.of_field(
                "mets", "评价要点的数量与参数中的占比不一致，请先在指标体系中修正参数"
            )
        for number, met in enumerate(mets, start=1):
            if met is not None and not 0 <= met <= 1:
                raise ValidationFailed.of_field("mets", f"第{number}个要点的达成度应在0到1之间")
        items = tuple((share, met) for (share, _old), met in zip(shares, mets, strict=True))
        return {"params": _format_params(ElementsParams(items=items))}, "mets"
    if kind == "deductions":
        for point in data.deductions:
            if point < 0:
                raise ValidationFailed.of_field("deductions", "扣分不能为负数")
        text = "; ".join(format_number(point) for point in data.deductions)
        return {"params": text}, "deductions"
    if data.score is None:
        return {"score": None}, None
    if data.score != data.score.quantize(CENT):
        raise ValidationFailed.of_field("score", "得分最多保留两位小数")
    return {"score": data.score.quantize(CENT)}, "score"


def record_inputs(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    indicator: Indicator,
    data: ScoreInput,
    version: int | None,
    confirm_clear: bool = False,
) -> Indicator:
    """Save one leaf's scoring inputs; a change after the sign-off clears it (once confirmed)."""
    ensure_writable(engagement)
    authorize(actor, "indicators.edit", engagement, message="只有项目组成员可以录入评分")
    require_cleared(db, engagement, actor)
    require_version(
        version, indicator.version, stale=f"指标“{indicator.name}”已被他人修改，请刷新后重试"
    )
    if indicator.not_applicable:
        raise Conflict("该指标已标为不适用，无需评分")
    rule = score_leaf(indicators.to_leaf(indicator)).rule or indicator.rule
    kind = INPUT_KIND.get(rule or "", "score")
    if kind == "expert":
        raise Conflict("专家打分指标由专家在“专家评分”页提交，或由项目负责人在指标参数中记录")
    justification = data.justification.strip()
    if len(justification) > 4000:
        raise ValidationFailed.of_field("justification", "评分理由不能超过4000个字符")
    if len(data.actual.strip()) > 100:
        raise ValidationFailed.of_field("actual", "实际值不能超过100个字符")
    values, blame = _new_values(indicator, kind, data)
    if kind == "score" and values["score"] is not None and not justification:
        raise ValidationFailed.of_field("justification", "手工评分须写明评分理由")
    candidate = indicators.to_leaf(indicator)
    for name, value in values.items():
        setattr(candidate, name, value if value not in ("",) else None)
    if blame is not None:
        outcome = for_page(score_leaf(candidate, levels=DEFAULT_LEVELS))
        if outcome.error:
            raise ValidationFailed.of_field(blame, outcome.error)
    system = None
    if justification != indicator.justification or any(
        getattr(indicator, name) != value for name, value in values.items()
    ):  # asked before anything is touched, so a refusal leaves the leaf as it was
        system = get_system(db, engagement)
        require_clear_confirmed(
            db,
            engagement,
            confirmed=confirm_clear,
            action=f"修改“{indicator.name}”的评分数据",
            system=system or IndicatorSystem(),
        )
    before = audit.snapshot(indicator, INPUT_FIELDS)
    for name, value in values.items():
        setattr(indicator, name, value)
    indicator.justification = justification
    after = audit.snapshot(indicator, INPUT_FIELDS)
    if after == before:
        return indicator
    indicator.updated_at = utcnow()
    indicator.updated_by_id = actor.id
    db.add(indicator)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="scoring.input",
        obj=indicator,
        engagement_id=engagement.id,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
        summary="/".join(indicator.path),
    )
    invalidate_signoff(
        db,
        actor=actor,
        engagement=engagement,
        reason=f"修改“{indicator.name}”的评分数据",
        system=system,
    )
    return indicator


def export_sheet(db: Session, engagement: Engagement) -> bytes:
    """The tree as an indicator sheet with scores, the 等级 sheet and the app's extra columns."""
    result, rows = compute(db, engagement)
    items = [row.indicator for row in rows]
    return indicators.write_sheet(
        [row.leaf for row in rows],
        indicators.grade_table(indicators.get_system(db, engagement)),
        scores=[row.result.score for row in rows],
        extras=[indicators.LeafExtras(i.definition, i.standard, i.note) for i in items],
        result=result if result.total is not None else None,
        more_columns={
            header: [getattr(item, name) or None for item in items]
            for header, name in indicators.EXTRA_COLUMNS.items()
        },
    )
