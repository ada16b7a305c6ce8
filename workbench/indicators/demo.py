"""Demo: the sample indicator sheet imported into the demo engagement and confirmed by the lead."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

import workbench
from workbench.engagements.models import Engagement
from workbench.indicators import services, transfer

SAMPLE_SHEET = Path(workbench.__file__).parent / "demo" / "samples" / "indicator_sheet_example.xlsx"


def fill(session: Session, engagement: Engagement, users: dict) -> None:
    """Import the sample sheet (with its actual values and scores) and confirm it as demo-lead."""
    lead = users["demo-lead"]
    transfer.import_sheet(
        session,
        actor=lead,
        engagement=engagement,
        filename=SAMPLE_SHEET.name,
        data=SAMPLE_SHEET.read_bytes(),
    )
    services.confirm(session, actor=lead, engagement=engagement)
