"""The association hub: the hub's members, published items and statistics; a member's connection.

An instance plays either part or both. Hub side (HUB_MODE): `HubMember` (a firm and the hash of
its key), `HubItem` (a published indicator's latest content, a position in the change feed),
`HubStat` (a member's anonymised usage figures). Member side: `HubConnection` (one per agency:
the hub's address, the member key, the feed cursor), `HubLink` (a local library indicator ↔ a
hub item, published or subscribed, with the hub version last taken), `HubUpdate` (an incoming
item waiting to be accepted) and `HubStatCache` (the hub's combined figures as last fetched, so
pages show them while the hub is away).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from workbench.core.models import version_column
from workbench.core.money import DecimalType
from workbench.core.timeutil import utcnow

# ---------------------------------------------------------------------------------------------
# Hub side


class HubMember(SQLModel, table=True):
    """A member firm of the hub; only a hash of its key is kept (the key is shown once)."""

    __tablename__ = "hub_member"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    key_hash: str = Field(max_length=64, unique=True)
    key_hint: str = Field(
        default="", max_length=12
    )  # the key's first characters, to tell keys apart
    active: bool = True
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    last_seen_at: datetime | None = None


class HubFeed(SQLModel, table=True):
    """The feed's counter (one row): raised by an UPDATE, so concurrent publishers queue on it."""

    __tablename__ = "hub_feed"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = 0


class HubItem(SQLModel, table=True):
    """The latest published content of one member's indicator; `seq` is its place in the feed."""

    __tablename__ = "hub_item"
    __table_args__ = (UniqueConstraint("member_id", "origin_key", name="uq_hub_item_origin"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="hub_member.id", index=True)
    origin_key: str = Field(max_length=120)  # the publisher's library key
    anonymous: bool = False
    publisher: str | None = Field(default=None, max_length=200)  # None when anonymous
    version: int = 1
    digest: str = Field(max_length=64)
    sector: str | None = Field(default=None, max_length=60)
    engagement_types: list = Field(default_factory=list, sa_column=Column(JSON))
    content: dict = Field(default_factory=dict, sa_column=Column(JSON))
    seq: int = Field(unique=True)  # raised on every change; members pull "changes since seq"
    published_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class HubStat(SQLModel, table=True):
    """One member's figures for one indicator, year, sector and region (replaced on each upload)."""

    __tablename__ = "hub_stat"
    __table_args__ = (Index("ix_hub_stat_key", "indicator_key", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="hub_member.id", index=True)
    indicator_key: str = Field(max_length=120)
    year: int
    sector: str = Field(default="", max_length=60)
    region: str = Field(default="", max_length=60)
    engagements: int
    rate_sum: Decimal = Field(sa_type=DecimalType(2, 14))  # sum of score rates (%)
    rate_count: int
    weight_sum: Decimal = Field(sa_type=DecimalType(2, 14))
    uploaded_at: datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------------------------------------
# Member side


class HubConnection(SQLModel, table=True):
    """An agency's connection to the hub: address, key (encrypted), cursor and last outcome."""

    __tablename__ = "hub_connection"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", unique=True)
    url: str = Field(default="", max_length=300)
    key_secret: str = Field(default="", sa_type=Text)  # Fernet token of the member key
    public_key: str = Field(default="", max_length=200)  # the hub's Ed25519 key (offline packs)
    region: str = Field(default="", max_length=60)  # the firm's region, for the statistics
    share_stats: bool = False
    cursor: int = 0
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str = Field(default="", max_length=500)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def online(self) -> bool:
        """Whether the connection can reach a hub (an address and a key), not only offline packs."""
        return bool(self.url and self.key_secret)


class LinkKind(StrEnum):
    published = "published"
    subscribed = "subscribed"


class HubLink(SQLModel, table=True):
    """A local library indicator and the hub item it was published as or accepted from."""

    __tablename__ = "hub_link"
    __table_args__ = (
        UniqueConstraint("connection_id", "hub_item_id", name="uq_hub_link_item"),
        UniqueConstraint("connection_id", "indicator_id", name="uq_hub_link_indicator"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="hub_connection.id", index=True)
    hub_item_id: int
    indicator_id: int = Field(foreign_key="library_indicator.id", index=True)
    kind: str = Field(max_length=20)
    hub_version: int  # the hub version last published or accepted (or kept aside)
    base_digest: str = Field(max_length=64)  # that version's content digest
    anonymous: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


class UpdateStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    kept = "kept"  # the local version kept, the incoming one set aside


UPDATE_STATUS_NAMES = {
    UpdateStatus.pending: "待接受",
    UpdateStatus.accepted: "已接受",
    UpdateStatus.kept: "保留本机构版本",
}

_update_lock = version_column()


class HubUpdate(SQLModel, table=True):
    """The newest incoming version of one hub item for a connection; pending until decided."""

    __tablename__ = "hub_update"
    __table_args__ = (
        UniqueConstraint("connection_id", "hub_item_id", name="uq_hub_update_item"),
        Index("ix_hub_update_status", "connection_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="hub_connection.id")
    hub_item_id: int
    hub_version: int
    publisher: str | None = Field(default=None, max_length=200)
    digest: str = Field(max_length=64)
    sector: str | None = Field(default=None, max_length=60)
    engagement_types: list = Field(default_factory=list, sa_column=Column(JSON))
    content: dict = Field(default_factory=dict, sa_column=Column(JSON))
    name: str = Field(default="", max_length=120)
    status: str = Field(default=UpdateStatus.pending, max_length=20)
    received_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    version: int = Field(default=1, sa_column=_update_lock)

    __mapper_args__ = {"version_id_col": _update_lock}

    @property
    def status_name(self) -> str:
        return UPDATE_STATUS_NAMES[UpdateStatus(self.status)]


class HubStatCache(SQLModel, table=True):
    """A combined group the hub answered (at least the minimum group size), as last fetched."""

    __tablename__ = "hub_stat_cache"
    __table_args__ = (Index("ix_hub_stat_cache_key", "connection_id", "indicator_key"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="hub_connection.id")
    indicator_key: str = Field(max_length=120)
    year: int = 0  # 0: all years
    sector: str = Field(default="", max_length=60)  # "": all sectors
    region: str = Field(default="", max_length=60)  # "": all regions
    engagements: int
    mean_rate: Decimal | None = Field(default=None, sa_type=DecimalType(2))
    mean_weight: Decimal | None = Field(default=None, sa_type=DecimalType(2))
    fetched_at: datetime = Field(default_factory=utcnow)
