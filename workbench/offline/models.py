"""Offline fieldwork: who carried which engagement to which laptop, what it held, what came back.

`OfflineCheckout` is one package issued for one laptop. `OfflineBase` is, per record the package
carried (and per record a check-in added), the record as the laptop last knew it — the base a
check-in compares both sides with; its `key` is the record's key on the laptop, `server_key` the
same record's key here (they differ only for records created offline). `OfflineCheckin` is one
return package imported (its id makes a second import of the same file harmless) and
`OfflineConflict` one record edited on both sides, waiting for the lead's choice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.timeutil import utcnow


class CheckoutStatus(StrEnum):
    active = "active"
    returned = "returned"
    revoked = "revoked"


CHECKOUT_STATUS_NAMES = {
    CheckoutStatus.active: "离线工作中",
    CheckoutStatus.returned: "已回传",
    CheckoutStatus.revoked: "已作废",
}


class ConflictChoice(StrEnum):
    offline = "offline"
    server = "server"
    both = "both"


CHOICE_NAMES = {
    ConflictChoice.offline: "采用离线版本",
    ConflictChoice.server: "保留服务器版本",
    ConflictChoice.both: "两者都保留",
}


class OfflineCheckout(SQLModel, table=True):
    """One package issued for one laptop; the engagement shows it while it is active."""

    __tablename__ = "offline_checkout"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)  # the package's id (uuid4 hex)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    device: str = Field(max_length=60)  # 设备名称, e.g. 笔记本 X
    status: str = Field(default=CheckoutStatus.active.value, max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
    records: int = 0
    files: int = 0
    size: int = 0  # bytes of the package file
    ended_at: datetime | None = None
    ended_by_id: int | None = Field(default=None, foreign_key="user.id")

    @property
    def status_name(self) -> str:
        return CHECKOUT_STATUS_NAMES[CheckoutStatus(self.status)]

    @property
    def active(self) -> bool:
        return self.status == CheckoutStatus.active


class OfflineBase(SQLModel, table=True):
    """A record as the laptop last knew it (in the laptop's keys), and its key on the server."""

    __tablename__ = "offline_base"
    __table_args__ = (
        UniqueConstraint("checkout_id", "table_name", "key", name="uq_offline_base_key"),
        Index("ix_offline_base_server", "checkout_id", "table_name", "server_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    checkout_id: int = Field(foreign_key="offline_checkout.id", index=True)
    table_name: str = Field(max_length=60)
    key: str = Field(max_length=120)
    server_key: str = Field(max_length=120)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON))
    created_offline: bool = False


class OfflineCheckin(SQLModel, table=True):
    """One return package imported: when, by whom, from which device, and what it did."""

    __tablename__ = "offline_checkin"

    id: int | None = Field(default=None, primary_key=True)
    checkout_id: int = Field(foreign_key="offline_checkout.id", index=True)
    export_id: str = Field(max_length=32, unique=True)  # the return package's id
    exported_at: datetime | None = None
    at: datetime = Field(default_factory=utcnow)
    by_id: int = Field(foreign_key="user.id")
    summary: dict = Field(default_factory=dict, sa_column=Column(JSON))


class OfflineConflict(SQLModel, table=True):
    """A record edited both offline and here since the package left: nothing was overwritten."""

    __tablename__ = "offline_conflict"

    id: int | None = Field(default=None, primary_key=True)
    checkin_id: int = Field(foreign_key="offline_checkin.id", index=True)
    checkout_id: int = Field(foreign_key="offline_checkout.id", index=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    table_name: str = Field(max_length=60)
    key: str = Field(max_length=120)  # the record's key on the laptop
    server_key: str = Field(max_length=120)
    label: str = Field(max_length=300)  # what the lead reads, e.g. 底稿 D-03-02 项目立项
    # [{field, label, base, server, offline}] for every field that differs between the sides
    fields: list = Field(default_factory=list, sa_column=Column(JSON))
    offline_row: dict = Field(default_factory=dict, sa_column=Column(JSON))  # in server keys
    deleted: str = Field(default="", max_length=10)  # "" | offline | server: which side deleted
    choice: str | None = Field(default=None, max_length=10)
    resolved_by_id: int | None = Field(default=None, foreign_key="user.id")
    resolved_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.choice is None

    @property
    def choice_name(self) -> str:
        return CHOICE_NAMES[ConflictChoice(self.choice)] if self.choice else "待处理"
