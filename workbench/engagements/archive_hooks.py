"""Archiving an engagement: lock it, set the retention date, then run the domains' archive hooks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import current_app
from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core.timeutil import today_local, utcnow
from workbench.engagements.models import Engagement

Hook = Callable[..., None]
HOOKS: list[Hook] = []


def after_archive(fn: Hook) -> Hook:
    """Register fn(db, actor=, engagement=), run in the archiving transaction once locked.

    The review domain seals the archive package here, so later exports add to it, never redo it.
    """
    if fn not in HOOKS:
        HOOKS.append(fn)
    return fn


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
    for hook in HOOKS:
        hook(db, actor=actor, engagement=engagement)
