"""Score-input provider: the experts' submitted scores of `expert`-rule leaves."""

from __future__ import annotations

from sqlmodel import select

from workbench.scoring.models import ExpertScore
from workbench.scoring.sources import provider


@provider
def expert_scores(db, engagement) -> dict[int, dict]:
    """Submitted scores per leaf; they replace any scores recorded in the leaf's 参数."""
    rows = db.exec(
        select(ExpertScore)
        .where(ExpertScore.engagement_id == engagement.id)
        .order_by(ExpertScore.indicator_id, ExpertScore.id)
    ).all()
    found: dict[int, dict] = {}
    for row in rows:
        found.setdefault(row.indicator_id, {"expert_scores": []})["expert_scores"].append(row.score)
    return found
