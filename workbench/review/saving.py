"""Saving with optimistic locking: a concurrent change becomes a clear conflict, never a 500."""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from workbench.core.errors import Conflict


def flush(db: Session, message: str) -> None:
    """Flush, turning a version mismatch (someone saved first) into Conflict(message)."""
    try:
        db.flush()
    except StaleDataError:
        raise Conflict(message) from None
