"""The shared indicator library: packs, library indicators, their immutable versions and tags."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from workbench.core.models import version_column
from workbench.core.money import DecimalType
from workbench.core.timeutil import utcnow


class Status(StrEnum):
    personal = "personal"
    proposed = "proposed"
    shared = "shared"
    deprecated = "deprecated"


STATUS_NAMES = {
    Status.personal: "个人",
    Status.proposed: "待审核",
    Status.shared: "共享",
    Status.deprecated: "已停用",
}
STATUS_BADGES = {
    Status.personal: "secondary",
    Status.proposed: "warning",
    Status.shared: "success",
    Status.deprecated: "dark",
}


class Kind(StrEnum):
    common = "common"
    sector = "sector"


KIND_NAMES = {Kind.common: "共性", Kind.sector: "个性"}


class LibraryPack(SQLModel, table=True):
    """A pack as last imported: its metadata, kept so the pack can be exported again."""

    __tablename__ = "library_pack"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    engagement_types: list = Field(default_factory=list, sa_column=Column(JSON))
    sector: str | None = Field(default=None, max_length=60)
    pack_version: str = Field(default="", max_length=40)
    source: str = Field(default="", sa_type=Text)
    notes: str = Field(default="", sa_type=Text)
    imported_at: datetime = Field(default_factory=utcnow)
    imported_by_id: int | None = Field(default=None, foreign_key="user.id")


_indicator_lock = version_column()


class LibraryIndicator(SQLModel, table=True):
    """One library indicator; its content lives in numbered, immutable versions.

    `current_version` is the number of the version shown and used by new engagements; engagements
    keep the number they copied (indicator.library_version). `version` is the optimistic lock.
    Denormalised from the current version for lists and search: `name`, `search_text`,
    `search_pinyin`.
    """

    __tablename__ = "library_indicator"
    __table_args__ = (
        # PostgreSQL: a trigram GIN index (pg_trgm) serves LIKE '%…%' on the lower-cased text
        # (fastupdate off: a GIN pending list makes the planner prefer a sequential scan);
        # SQLite: a plain index scanned by the short-query LIKE (FTS5 serves longer queries).
        Index(
            "ix_library_indicator_search",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            postgresql_with={"fastupdate": "off"},
        ),
        # The same for the pinyin of names and tags ("ybjj" finds 医保基金…).
        Index(
            "ix_library_indicator_pinyin",
            "search_pinyin",
            postgresql_using="gin",
            postgresql_ops={"search_pinyin": "gin_trgm_ops"},
            postgresql_with={"fastupdate": "off"},
        ),
        Index("ix_library_indicator_pack", "pack_key", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    pack_key: str | None = Field(default=None, max_length=60)
    position: int = Field(default=0)
    kind: str = Field(default=Kind.sector, max_length=20)
    sector: str | None = Field(default=None, max_length=60, index=True)
    # ",project,department," so one LIKE '%,project,%' filters portably.
    engagement_types: str = Field(default="", max_length=120)
    status: str = Field(default=Status.personal, max_length=20, index=True)
    status_note: str = Field(default="", max_length=1000)  # why rejected or deprecated
    owner_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    current_version: int = Field(default=1)
    name: str = Field(default="", max_length=120, index=True)
    search_text: str = Field(default="", sa_type=Text)
    search_pinyin: str = Field(default="", sa_type=Text)  # pinyin.document(name, tags)
    source_engagement_id: int | None = Field(default=None, foreign_key="engagement.id")
    source_indicator_id: int | None = None  # engagement indicator rows may be replaced: no FK
    proposed_at: datetime | None = None
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: datetime | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_indicator_lock)

    __mapper_args__ = {"version_id_col": _indicator_lock}

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[Status(self.status)]

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[Status(self.status)]

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[Kind(self.kind)]

    @property
    def engagement_type_list(self) -> list[str]:
        return [item for item in self.engagement_types.split(",") if item]

    @property
    def is_system(self) -> bool:
        return self.pack_key is not None

    def visible_to(self, user) -> bool:
        """Agency staff and experts read the library; personal indicators only their owner."""
        if not getattr(user, "is_authenticated", False):
            return False
        if not (user.is_agency or user.is_expert):
            return False
        if self.status == Status.personal:
            return self.owner_id == user.id
        return True

    def is_owned_by(self, user) -> bool:
        """The agency staff member who wrote this personal indicator."""
        return bool(user.is_agency) and self.owner_id == user.id

    def can_edit(self, user) -> bool:
        """Owners edit their personal and proposed indicators; admins edit all but deprecated."""
        if not user.is_agency or self.status == Status.deprecated:
            return False
        if user.is_admin:
            return True
        return self.owner_id == user.id and self.status in (Status.personal, Status.proposed)


class LibraryIndicatorVersion(SQLModel, table=True):
    """One immutable version of a library indicator: the fields of a pack leaf."""

    __tablename__ = "library_indicator_version"
    __table_args__ = (UniqueConstraint("indicator_id", "number", name="uq_library_version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="library_indicator.id", index=True)
    number: int
    level1: str = Field(max_length=60)
    level2: str = Field(max_length=60)
    name: str = Field(max_length=120)
    definition: str = Field(default="", sa_type=Text)
    points: list = Field(default_factory=list, sa_column=Column(JSON))
    evidence: list = Field(default_factory=list, sa_column=Column(JSON))
    standard_type: str = Field(default="计划标准", max_length=20)
    rule: str = Field(default="manual", max_length=30)
    params: str = Field(default="", max_length=2000)
    weight: Decimal = Field(sa_type=DecimalType(2))
    target: str = Field(default="", max_length=100)
    scoring: str = Field(default="", sa_type=Text)  # 评分标准 text
    notes: str = Field(default="", sa_type=Text)
    tags: list = Field(default_factory=list, sa_column=Column(JSON))
    # [{value, year, source}]
    benchmarks: list = Field(default_factory=list, sa_column=Column(JSON))
    digest: str = Field(max_length=64)  # SHA-256 of the content: imports compare it
    change_note: str = Field(default="", max_length=1000)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def version(self) -> int:
        """The version number (alias of `number`, the word callers use)."""
        return self.number

    @property
    def path(self) -> tuple[str, str, str]:
        return (self.level1, self.level2, self.name)

    @property
    def points_text(self) -> str:
        return "\n".join(self.points or [])

    @property
    def evidence_text(self) -> str:
        return "\n".join(self.evidence or [])


@event.listens_for(LibraryIndicatorVersion, "before_update")
def _versions_are_immutable(_mapper, _connection, target) -> None:
    # Engagements cite a version number; changing a version in place would rewrite their history.
    raise RuntimeError(f"library indicator version {target.id} is immutable: add a new version")


class LibraryTag(SQLModel, table=True):
    """A tag of a library indicator's current version (searchable, counted for the filters)."""

    __tablename__ = "library_tag"
    __table_args__ = (UniqueConstraint("indicator_id", "tag", name="uq_library_tag"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="library_indicator.id", index=True)
    tag: str = Field(max_length=60, index=True)


class BenchmarkImport(SQLModel, table=True):
    """One import of benchmark series (a version of the series): who, when, which file, what rows."""

    __tablename__ = "library_benchmark_import"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)  # 1, 2, … in the order imported
    filename: str = Field(max_length=200)
    sha256: str = Field(max_length=64)
    rows: int = 0  # data rows in the file
    added: int = 0  # values for a region and year not known before
    revised: int = 0  # values replacing an earlier import's value for the same region and year
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class BenchmarkValue(SQLModel, table=True):
    """One published figure of a library indicator for a region and year, from one import.

    Values are never changed: a later import's value for the same indicator, region and year
    revises it, and one for a later year is newer; either supersedes it (benchmark_rules.py).
    """

    __tablename__ = "library_benchmark_value"
    __table_args__ = (Index("ix_library_benchmark_series", "indicator_id", "region", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="library_benchmark_import.id", index=True)
    indicator_id: int = Field(foreign_key="library_indicator.id")
    region: str = Field(max_length=60)
    year: int
    value: Decimal = Field(sa_type=DecimalType(4, 20))
    unit: str = Field(default="", max_length=20)
    source: str = Field(max_length=300)  # the document the figure is published in
    source_date: date  # when that document was published


@event.listens_for(BenchmarkValue, "before_update")
def _values_are_immutable(_mapper, _connection, target) -> None:
    # Engagements cite a value; a newer figure is a new row that supersedes it.
    raise RuntimeError(f"benchmark value {target.id} is immutable: import a newer one")
