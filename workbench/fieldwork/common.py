"""Shared by the fieldwork services: stale-save handling and who acts through a link."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from workbench.core.errors import Conflict

STALE_PAPER = "该底稿已被他人修改，请刷新后重试（您的修改未保存）"
STALE_REQUEST = "该资料清单已被他人修改，请刷新后重试"


def flush(db: Session, message: str = STALE_PAPER) -> None:
    """Flush, turning a concurrent update (version mismatch) into a clear conflict."""
    try:
        db.flush()
    except StaleDataError:
        raise Conflict(message) from None


def link_actor(contact_name: str) -> SimpleNamespace:
    """The audit actor of an upload through a request link (no user is logged in)."""
    return SimpleNamespace(id=None, display_name=f"资料上传链接（{contact_name}）")
