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


def local_naive(value: datetime | None) -> datetime | None:
    """Beijing wall time without its zone: for spreadsheet cells and datetime-local form fields,
    which hold no time zone."""
    shown = local(value)
    return shown.replace(tzinfo=None) if shown else None


def today_local() -> date:
    return datetime.now(CST).date()
