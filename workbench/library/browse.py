"""Browsing the library by pack, sector and level, with counts, and searching within the choice.

The facets count the entries (三级指标) a viewer may use under the other choices: choosing a pack
recounts the sectors and levels inside it. A choice that names nothing in the library is dropped
with a notice saying so, so a stale or hand-edited link still shows a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import func
from sqlmodel import Session, col, select

from workbench.library import services
from workbench.library.models import (
    Kind,
    LibraryIndicator,
    LibraryIndicatorVersion,
    LibraryPack,
)

MAX_QUERY = 100  # characters of a query that are searched


@dataclass(frozen=True)
class Choice:
    """What the viewer chose: a query and at most one value per facet."""

    q: str = ""
    pack_key: str = ""
    sector: str = ""
    level1: str = ""
    level2: str = ""

    def as_args(self) -> dict[str, str]:
        """The query-string arguments of this choice (empty ones left out)."""
        names = {"q": self.q, "pack": self.pack_key, "sector": self.sector}
        names |= {"level1": self.level1, "level2": self.level2}
        return {name: value for name, value in names.items() if value}

    def link_args(self, **changes: str) -> dict[str, str]:
        """The arguments of a link to this choice with some values changed ("" drops one).

        Changing or dropping the 一级 drops the 二级 chosen under it.
        """
        if "level1" in changes and "level2" not in changes:
            changes["level2"] = ""
        return replace(self, **changes).as_args()

    @property
    def narrowed(self) -> bool:
        return any((self.q, self.pack_key, self.sector, self.level1, self.level2))


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: the key put in the link, its label and the entries under it."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Page:
    """One page of the browse view: entries, their current versions, the facets and notices."""

    choice: Choice
    rows: list[LibraryIndicator]
    total: int
    versions: dict[int, LibraryIndicatorVersion]
    packs: list[FacetValue]
    sectors: list[FacetValue]
    level1: list[FacetValue]
    level2: list[FacetValue]  # the 二级 under the chosen 一级 (none chosen: empty)
    notices: list[str] = field(default_factory=list)
    # When nothing matched: every pack with its entries, to say what the library does hold.
    overview: list[FacetValue] = field(default_factory=list)

    @property
    def pack_names(self) -> dict[str, str]:
        return {value.key: value.label for value in self.packs}

    @property
    def library_size(self) -> int:
        """Entries in the packs of the overview (shown when nothing matched)."""
        return sum(value.count for value in self.overview)


def check_choice(db: Session, choice: Choice) -> tuple[Choice, list[str]]:
    """The choice with what names nothing dropped (or cut), and a notice for each."""
    notices: list[str] = []
    if len(choice.q) > MAX_QUERY:
        notices.append(f"检索词过长（{len(choice.q)}字），只按前{MAX_QUERY}字检索")
        choice = replace(choice, q=choice.q[:MAX_QUERY].strip())
    if (
        choice.pack_key
        and db.exec(select(LibraryPack.id).where(LibraryPack.key == choice.pack_key)).first()
        is None
    ):
        notices.append(f"指标库中没有指标包“{choice.pack_key[:60]}”，已显示全部指标包")
        choice = replace(choice, pack_key="")
    if (
        choice.sector
        and db.exec(
            select(LibraryIndicator.id).where(LibraryIndicator.sector == choice.sector)
        ).first()
        is None
    ):
        notices.append(f"指标库中没有“{choice.sector[:60]}”行业的指标，已显示全部行业")
        choice = replace(choice, sector="")
    if choice.level2 and not choice.level1:
        choice = replace(choice, level2="")  # a 二级 is chosen under its 一级
    return choice, notices


def browse(db: Session, *, viewer, choice: Choice, limit: int, offset: int = 0) -> Page:
    """A page of the entries under the choice, with facet counts; bad choices become notices."""
    choice, notices = check_choice(db, choice)
    rows, total = services.search(
        db,
        q=choice.q,
        viewer=viewer,
        limit=limit,
        offset=offset,
        pack_key=choice.pack_key or None,
        sector=choice.sector or None,
        level1=choice.level1 or None,
        level2=choice.level2 or None,
    )
    return Page(
        choice=choice,
        rows=rows,
        total=total,
        versions=services.current_versions(db, rows) if rows else {},
        packs=pack_counts(db, viewer=viewer, choice=replace(choice, pack_key="")),
        sectors=sector_counts(db, viewer=viewer, choice=replace(choice, sector="")),
        level1=level_counts(db, viewer=viewer, choice=replace(choice, level1="", level2="")),
        level2=(
            level_counts(db, viewer=viewer, choice=replace(choice, level2=""), level=2)
            if choice.level1
            else []
        ),
        notices=notices,
        overview=[] if total else pack_counts(db, viewer=viewer, choice=Choice()),
    )


def _conditions(db: Session, *, viewer, choice: Choice) -> list:
    return services.search_conditions(
        db,
        q=choice.q,
        viewer=viewer,
        pack_key=choice.pack_key or None,
        sector=choice.sector or None,
        level1=choice.level1 or None,
        level2=choice.level2 or None,
    )


def pack_counts(db: Session, *, viewer, choice: Choice) -> list[FacetValue]:
    """Entries per pack under the choice; common frameworks first, then sectors by name."""
    counts = dict(
        db.exec(
            select(LibraryIndicator.pack_key, func.count(LibraryIndicator.id))
            .where(col(LibraryIndicator.pack_key).is_not(None))
            .where(*_conditions(db, viewer=viewer, choice=choice))
            .group_by(LibraryIndicator.pack_key)
        ).all()
    )
    if not counts:
        return []
    packs = db.exec(select(LibraryPack).where(col(LibraryPack.key).in_(list(counts)))).all()
    ordered = sorted(packs, key=lambda pack: (pack.kind != Kind.common, pack.key))
    return [FacetValue(pack.key, pack.name, counts[pack.key]) for pack in ordered]


def sector_counts(db: Session, *, viewer, choice: Choice) -> list[FacetValue]:
    """Entries per sector (行业) under the choice, by sector name."""
    rows = db.exec(
        select(LibraryIndicator.sector, func.count(LibraryIndicator.id))
        .where(col(LibraryIndicator.sector).is_not(None))
        .where(*_conditions(db, viewer=viewer, choice=choice))
        .group_by(LibraryIndicator.sector)
        .order_by(LibraryIndicator.sector)
    ).all()
    return [FacetValue(sector, sector, count) for sector, count in rows]


def level_counts(db: Session, *, viewer, choice: Choice, level: int = 1) -> list[FacetValue]:
    """Entries per 一级 (or, level=2, per 二级) of their current version, the largest first."""
    name = LibraryIndicatorVersion.level1 if level == 1 else LibraryIndicatorVersion.level2
    rows = db.exec(
        select(name, func.count(LibraryIndicator.id))
        .join(
            LibraryIndicatorVersion,
            (LibraryIndicatorVersion.indicator_id == LibraryIndicator.id)
            & (LibraryIndicatorVersion.number == LibraryIndicator.current_version),
        )
        .where(*_conditions(db, viewer=viewer, choice=choice))
        .group_by(name)
        .order_by(func.count(LibraryIndicator.id).desc(), name)
    ).all()
    return [FacetValue(value, value, count) for value, count in rows if value]
