"""Archiving an engagement: lock it and set the retention date."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core.timeutil import today_local, utcnow
from workbench.engagements.models import Engagement


def archive(db: Session, *, actor: User, engagement: Engagement) -> None:
    """Mark archived (read-only from now on) and keep it for the retention period."""
    years = int(current_app.config.get("RETENTION_YEARS", 10))
    today = today_local()
    engagement.archived_at = utcnow()
    try:
        engagement.retention_until = today.replace(year=today.year + years)
    except ValueError:  # 29 February
        engagement.retention_until = date(today.year + years, 2, 28)
    db.add(engagement)
    db.flush()
