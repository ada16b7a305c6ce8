"""Guards shared by the survey services: writable engagement, cleared actor, fresh version."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlmodel import Session

from workbench.core.locking import require_version
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared

STALE = "问卷已被他人修改，请刷新后重试"


def guard(db: Session, engagement: Engagement, actor: Any) -> None:
    """Every mutating service: archived engagements are read-only; members must have declared."""
    ensure_writable(engagement)
    if getattr(actor, "id", None) is not None and getattr(actor, "is_authenticated", True):
        require_cleared(db, engagement, actor)


def check_version(obj: Any, version: int | None) -> None:
    """A stale form (version seen ≠ stored) is refused instead of overwriting a colleague's edit."""
    require_version(version, obj.version, stale=STALE)


def respondent(channel: str) -> SimpleNamespace:
    """The audit actor of an anonymous answer (no user is logged in)."""
    return SimpleNamespace(id=None, display_name=f"匿名受访者（{channel}）")
