"""Times are timezone-aware UTC in the database (SQLModel's UTCDateTime); pages show Beijing time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local(value: datetime | None) -> datetime | None:
    """A stored time as Beijing time (naive values are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CST)


def today_local() -> date:
    return datetime.now(CST).date()
