"""Request and response models of the caller's notifications (api/notifications.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class NotificationOut(BaseModel):
    id: int
    kind: str
    kind_name: str
    engagement_id: int | None
    title: str
    body: str
    link: str = Field(description="相关页面（站内路径）")
    created_at: datetime
    read_at: datetime | None
    read: bool


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int = Field(description="未读通知总数")


class NotificationsReadOut(BaseModel):
    marked: int = Field(description="本次标为已读的条数")
    unread: int


class NoticeKindOut(BaseModel):
    key: str
    label: str
    audience: str = Field(description="谁会收到")
    enabled: bool


class NoticePreferencesOut(BaseModel):
    kinds: list[NoticeKindOut]


class NoticePreferencesIn(BaseModel):
    """The kinds to receive; every kind left out is muted (as the profile page's check boxes)."""

    model_config = ConfigDict(extra="forbid")

    enabled: list[Annotated[str, StringConstraints(max_length=40)]] = Field(max_length=100)
