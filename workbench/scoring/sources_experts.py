"""Score-input provider: the experts' submitted scores of `expert`-rule leaves."""

from __future__ import annotations

from sqlmodel import col, select

from workbench.scoring.models import ExpertScore
from workbench.scoring.sources import NO_INPUTS, LeafInputs, leaf_provider, provider


@provider
def expert_scores(db, engagement) -> dict[int, LeafInputs]:
    """Submitted scores per leaf; they replace any scores recorded in the leaf's 参数."""
    # Two columns, not whole rows: the calculator needs only the numbers.
    rows = db.exec(
        select(ExpertScore.indicator_id, ExpertScore.score)
        .where(ExpertScore.engagement_id == engagement.id)
        .order_by(col(ExpertScore.indicator_id), col(ExpertScore.id))
    ).all()
    found: dict[int, list] = {}
    for indicator_id, score in rows:
        found.setdefault(indicator_id, []).append(score)
    return {i: LeafInputs(expert_scores=tuple(scores)) for i, scores in found.items()}


@leaf_provider(expert_scores)
def expert_scores_of(db, engagement, indicator) -> LeafInputs:
    """One leaf's submitted scores, in the same order as `expert_scores` gives them."""
    scores = db.exec(
        select(ExpertScore.score)
        .where(ExpertScore.engagement_id == engagement.id, ExpertScore.indicator_id == indicator.id)
        .order_by(col(ExpertScore.id))
    ).all()
    return LeafInputs(expert_scores=tuple(scores)) if scores else NO_INPUTS
