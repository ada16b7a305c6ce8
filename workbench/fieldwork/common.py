"""Helpers shared by the fieldwork services: guards, stale-save handling, who acts."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from workbench.core.errors import Conflict, ValidationFailed
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared

STALE_PAPER = "该底稿已被他人修改，请刷新后重试（您的修改未保存）"
STALE_REQUEST = "该资料清单已被他人修改，请刷新后重试"


def flush(db: Session, message: str = STALE_PAPER) -> None:
    """Flush, turning a concurrent update (version mismatch) into a clear conflict."""
    try:
        db.flush()
    except StaleDataError:
        raise Conflict(message) from None


def guard(db: Session, engagement: Engagement, actor: Any) -> None:
    """Every mutating service: archived engagements are read-only; members must have declared."""
    ensure_writable(engagement)
    if getattr(actor, "id", None) is not None and getattr(actor, "is_authenticated", True):
        require_cleared(db, engagement, actor)


def invalid(field: str, message: str, **extra: Any) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": field, "message": message, **extra}])


def link_actor(contact_name: str) -> SimpleNamespace:
    """The audit actor of an upload through a request link (no user is logged in)."""
    return SimpleNamespace(id=None, display_name=f"资料上传链接（{contact_name}）")
