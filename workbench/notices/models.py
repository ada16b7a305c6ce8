"""A user's muted notice kinds, and the stamps that keep reminders to one per item per day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.timeutil import utcnow


class NoticeMute(SQLModel, table=True):
    """A kind of notice the user chose not to receive (every kind is on until muted)."""

    __tablename__ = "notice_mute"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notice_mute"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow)


class NoticeStamp(SQLModel, table=True):
    """A reminder sent to one user about one item on one day (a rerun finds it and skips)."""

    __tablename__ = "notice_stamp"
    __table_args__ = (UniqueConstraint("user_id", "kind", "ref", "day", name="uq_notice_stamp"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=40)
    ref: str = Field(max_length=80)  # e.g. "contract:12:2027-03-01", "rectification:5"
    day: date
