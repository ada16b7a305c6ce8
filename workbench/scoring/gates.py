"""The `scoring` stage gate: every leaf scored, expert panels complete, the lead's sign-off."""

from __future__ import annotations

from sqlmodel import Session

from workbench.engagements.models import Engagement
from workbench.engagements.stages import Blocker, Stage, registry
from workbench.scoring import services


@registry.gate(Stage.scoring)
def scoring_gate(db: Session, engagement: Engagement) -> list[Blocker]:
    """Unscored leaves, missing expert scores and the missing sign-off."""
    return services.blockers(db, engagement)
