"""Flowchart gates of the stages this domain owns: `report` and `consultation`."""

from __future__ import annotations

from sqlmodel import Session

from workbench.engagements.models import Engagement
from workbench.engagements.stages import Blocker, Stage, registry
from workbench.reports import consultation
from workbench.reports.services import signoffs


@registry.gate(Stage.report)
def report_gate(db: Session, engagement: Engagement) -> list[Blocker]:
    """Every outline section has text and the three sign-offs (编制/复核/批准) are present."""
    return signoffs.blockers(db, engagement)


@registry.gate(Stage.consultation)
def consultation_gate(db: Session, engagement: Engagement) -> list[Blocker]:
    """A draft was sent, the unit finished (or had no opinions) and every opinion is answered."""
    return consultation.blockers(db, engagement)
