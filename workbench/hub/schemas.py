"""The hub protocol's JSON bodies (members ↔ hub, /hub/v1), validated with pydantic."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

MAX_PUBLISH = 500  # items per publish request (bodies are capped by MAX_JSON_KB)
MAX_STAT_ROWS = 20000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BenchmarkIn(Strict):
    value: str = Field(max_length=100)
    year: int = Field(ge=1949, le=2100)
    source: str = Field(max_length=300)


class ItemContent(Strict):
    """A library indicator version's content (the fields of a pack leaf and its path)."""

    level1: str = Field(max_length=60)
    level2: str = Field(max_length=60)
    name: str = Field(max_length=120)
    definition: str = Field(default="", max_length=4000)
    points: list[str] = Field(default_factory=list, max_length=50)
    evidence: list[str] = Field(default_factory=list, max_length=50)
    standard_type: str = Field(default="计划标准", max_length=20)
    rule: str = Field(default="manual", max_length=30)
    params: str = Field(default="", max_length=2000)
    weight: Decimal = Field(ge=0, le=100, decimal_places=2)
    target: str = Field(default="", max_length=100)
    scoring: str = Field(default="", max_length=4000)
    notes: str = Field(default="", max_length=4000)
    tags: list[str] = Field(default_factory=list, max_length=20)
    benchmarks: list[BenchmarkIn] = Field(default_factory=list, max_length=50)


class PublishItem(Strict):
    origin_key: str = Field(min_length=1, max_length=120)
    anonymous: bool = False
    sector: str | None = Field(default=None, max_length=60)
    engagement_types: list[str] = Field(default_factory=list, max_length=5)
    content: ItemContent


class PublishBody(Strict):
    """Indicators a member publishes (new ones, or new content of ones it published before)."""

    items: list[PublishItem] = Field(min_length=1, max_length=MAX_PUBLISH)


class Published(BaseModel):
    origin_key: str
    id: int
    version: int
    changed: bool


class PublishOut(BaseModel):
    items: list[Published]


class ChangeItem(BaseModel):
    """One hub item as the feed and the offline pack carry it."""

    id: int
    version: int
    digest: str
    publisher: str | None
    sector: str | None
    engagement_types: list[str]
    content: ItemContent
    seq: int


class ChangesOut(BaseModel):
    items: list[ChangeItem]
    cursor: int
    more: bool


class StatRow(Strict):
    """A member's sums for one indicator, year, sector and region: no engagement is named."""

    key: str = Field(min_length=1, max_length=120)
    year: int = Field(ge=1949, le=2100)
    sector: str = Field(default="", max_length=60)
    region: str = Field(default="", max_length=60)
    engagements: int = Field(ge=1, le=1_000_000)
    rate_sum: Decimal = Field(ge=0, le=10**10, decimal_places=2)
    rate_count: int = Field(ge=0, le=1_000_000)
    weight_sum: Decimal = Field(ge=0, le=10**10, decimal_places=2)


class StatsBody(Strict):
    """A member's whole contribution: it replaces the one sent before."""

    rows: list[StatRow] = Field(default_factory=list, max_length=MAX_STAT_ROWS)


class GroupOut(BaseModel):
    key: str
    year: int
    sector: str
    region: str
    engagements: int
    mean_rate: Decimal | None
    mean_weight: Decimal | None


class StatsOut(BaseModel):
    min_group: int
    groups: list[GroupOut]


class MemberOut(BaseModel):
    name: str
    min_group: int
