"""Expert scoring: each expert member scores every `expert`-rule leaf; others' scores stay hidden
from an expert until they have submitted their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement, MemberRole
from workbench.engagements.services import ensure_writable, require_cleared, users_by_id
from workbench.indicators.models import Indicator
from workbench.indicators.services import (
    invalidate_signoff,
    list_indicators,
    require_clear_confirmed,
)
from workbench.scoring import rules
from workbench.scoring.models import ExpertScore
from workbench.scoring.params import ParamError, parse_params
from workbench.scoring.values import CENT

SCORE_FIELDS = ["score", "comment"]


def offline_scores(indicator: Indicator) -> tuple[Decimal, ...]:
    """Scores of an offline panel recorded in the leaf's 参数 (e.g. from an imported sheet)."""
    try:
        return parse_params("expert", indicator.params or "").scores
    except ParamError:
        return ()


def aggregation(indicator: Indicator) -> str:
    """The leaf's method: mean, trimmed or median (参数 agg=…)."""
    try:
        return parse_params("expert", indicator.params or "").agg
    except ParamError:
        return "mean"


def scores_by_indicator(db: Session, engagement: Engagement) -> dict[int, dict[int, ExpertScore]]:
    """Indicator id → expert user id → submitted score (one query)."""
    rows = db.exec(select(ExpertScore).where(ExpertScore.engagement_id == engagement.id)).all()
    found: dict[int, dict[int, ExpertScore]] = {}
    for row in rows:
        found.setdefault(row.indicator_id, {})[row.expert_id] = row
    return found


def scores_of(db: Session, indicator: Indicator) -> dict[int, ExpertScore]:
    """Expert user id → submitted score of one leaf (one query)."""
    rows = db.exec(
        select(ExpertScore)
        .where(
            ExpertScore.engagement_id == indicator.engagement_id,
            ExpertScore.indicator_id == indicator.id,
        )
        .order_by(col(ExpertScore.id))
    ).all()
    return {row.expert_id: row for row in rows}


def is_expert(engagement: Engagement, user: User) -> bool:
    return MemberRole.expert in engagement.roles_of(user)


def expert_leaves(db: Session, engagement: Engagement) -> list[Indicator]:
    """The applicable expert-rule leaves in tree order."""
    return [
        item
        for item in list_indicators(db, engagement)
        if item.rule == "expert" and not item.not_applicable
    ]


@dataclass
class PanelView:
    """What one expert sees of one leaf: their score, and the panel once they have submitted."""

    indicator: Indicator
    mine: ExpertScore | None
    others: list[tuple[str, ExpertScore]] = field(default_factory=list)
    aggregate: rules.RuleScore | None = None
    error: str | None = None
    offline: tuple[Decimal, ...] = ()


def panel_for(db: Session, engagement: Engagement, expert: User) -> list[PanelView]:
    """The expert's page: every expert-rule leaf, with others' scores only after their own."""
    leaves = expert_leaves(db, engagement)
    submitted = scores_by_indicator(db, engagement)
    names = users_by_id(db, {uid for scores in submitted.values() for uid in scores})
    views = []
    for item in leaves:
        given = submitted.get(item.id, {})
        view = PanelView(item, given.get(expert.id), offline=offline_scores(item))
        if view.mine is not None:
            view.others = [
                (names[uid].display_name if uid in names else f"#{uid}", row)
                for uid, row in given.items()
                if uid != expert.id
            ]
            try:
                view.aggregate = rules.score_expert(
                    weight=item.weight,
                    scores=[row.score for row in given.values()],
                    agg=aggregation(item),
                )
            except ParamError as exc:
                view.error = exc.message
        views.append(view)
    return views


def submit(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    indicator: Indicator,
    score: Decimal | None,
    comment: str = "",
    version: int | None = None,
    confirm_clear: bool = False,
) -> ExpertScore:
    """Submit (or revise) the actor's score of an expert-rule leaf; clears the lead's sign-off.

    A change that would clear the sign-off is refused unless the expert confirmed it first.
    """
    ensure_writable(engagement)
    authorize(actor, "scoring.expert", engagement, message="只有本项目的专家可以提交专家打分")
    require_cleared(db, engagement, actor)
    if indicator.rule != "expert" or indicator.not_applicable:
        raise Conflict("该指标不是专家打分指标")
    errors = []
    if score is None:
        errors.append({"field": "score", "message": "请填写得分"})
    elif not 0 <= score <= indicator.weight:
        message = f"得分应在0到{indicator.weight:.2f}之间"
        errors.append({"field": "score", "message": message})
    elif score != score.quantize(CENT):
        errors.append({"field": "score", "message": "得分最多保留两位小数"})
    comment = (comment or "").strip()
    if len(comment) > 2000:
        errors.append({"field": "comment", "message": "评分意见不能超过2000个字符"})
    if errors:
        raise ValidationFailed("专家打分有误", details=errors)
    score = score.quantize(CENT)
    row = db.exec(
        select(ExpertScore).where(
            ExpertScore.indicator_id == indicator.id, ExpertScore.expert_id == actor.id
        )
    ).first()
    if row is None or (row.score, row.comment) != (score, comment):
        require_clear_confirmed(
            db, engagement, confirmed=confirm_clear, action=f"提交“{indicator.name}”的打分"
        )
    before = None
    if row is None:
        row = ExpertScore(
            engagement_id=engagement.id,
            indicator_id=indicator.id,
            expert_id=actor.id,
            score=score,
            comment=comment,
        )
    else:
        require_version(version, row.version, stale="您的打分已在其他窗口修改，请刷新后重试")
        before = audit.snapshot(row, SCORE_FIELDS)
        row.score, row.comment = score, comment
        row.updated_at = row.submitted_at = utcnow()
    db.add(row)
    db.flush()
    after = audit.snapshot(row, SCORE_FIELDS)
    if before == after:
        return row
    audit.record(
        db,
        actor=actor,
        action="scoring.expert_score",
        obj=row,
        engagement_id=engagement.id,
        before=before,
        after=after,
        summary=f"专家打分：{indicator.name}",
    )
    invalidate_signoff(
        db, actor=actor, engagement=engagement, reason=f"专家修改了“{indicator.name}”的打分"
    )
    return row
