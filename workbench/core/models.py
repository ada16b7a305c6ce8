"""Column helpers shared by every domain's models."""

from __future__ import annotations

from sqlalchemy import Column, Integer


def version_column() -> Column:
    """A fresh optimistic-locking column; pass it as both the field and `version_id_col`.

    SQLAlchemy then adds `WHERE version = :seen` to every UPDATE, so a stale save fails
    (StaleDataError → 409 with a clear message) instead of silently overwriting.
    """
    return Column("version", Integer, nullable=False, default=1)
