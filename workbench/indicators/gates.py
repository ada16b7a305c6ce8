"""The `indicators` stage gate: a valid system (weights 100, valid rules) confirmed by the lead."""

from __future__ import annotations

from sqlmodel import Session

from workbench.engagements.models import Engagement
from workbench.engagements.stages import Blocker, Stage, registry
from workbench.indicators import services
from workbench.indicators.system import get_system


@registry.gate(Stage.indicators)
def indicators_gate(db: Session, engagement: Engagement) -> list[Blocker]:
    """The system's blockers, then the lead's confirmation."""
    link = f"/engagements/{engagement.id}/indicators"
    found = [Blocker(text, link) for text in services.check(db, engagement).blockers]
    system = get_system(db, engagement)
    if system is None or system.confirmed_at is None:
        found.append(Blocker("项目负责人尚未确认指标体系", link))
    return found
