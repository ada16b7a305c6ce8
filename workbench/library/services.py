"""The indicator library's public services: frameworks, search, versions, proposals.

Other domains call these (the engagement indicator tree copies `framework_for` leaves and
records `library_indicator_id` / `library_version`). New content and versions live in
editing.py, the review workflow in workflow.py, pack imports in loading.py, exports and uploads
in pack_io.py, usage statistics in usage.py; the common entry points are re-exported here.
"""

from __future__ import annotations

from sqlalchemy import and_, case, false
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, or_, select

from workbench.core.errors import NotFound, ValidationFailed
from workbench.engagements.models import EngagementType
from workbench.library import (
    benchmarks,
    linking,
    permissions,  # noqa: F401 - registers the library's predicates
    usage,
)
from workbench.library.benchmarks import SeriesValue
from workbench.library.editing import (
    CUSTOM_PREFIX,
    add_benchmark,
    add_version,
    create_personal,
    current_versions,
    edit,
    engagement_types_text,
)
from workbench.library.loading import import_pack, import_packs, load_shipped
from workbench.library.models import (
    Kind,
    LibraryIndicator,
    LibraryIndicatorVersion,
    LibraryPack,
    LibraryTag,
    Status,
)
from workbench.library.pack_io import export_all, export_pack, read_upload
from workbench.library.search import ensure_search_index, match_condition, terms
from workbench.library.workflow import (
    approve,
    deprecate,
    propose,
    propose_from_engagement,
    reject,
    restore,
    withdraw,
)

__all__ = [
    "CUSTOM_PREFIX",
    "SeriesValue",
    "add_benchmark",
    "add_version",
    "approve",
    "benchmarks",
    "browse",
    "create_personal",
    "current_version",
    "current_versions",
    "deprecate",
    "edit",
    "engagement_types_text",
    "ensure_search_index",
    "export_all",
    "export_pack",
    "framework_for",
    "get",
    "get_version",
    "import_pack",
    "import_packs",
    "linking",
    "load_shipped",
    "propose",
    "propose_from_engagement",
    "read_upload",
    "reject",
    "restore",
    "search",
    "search_conditions",
    "usage",
    "versions_of",
    "withdraw",
]

MAX_PAGE = 200


def get(db: Session, indicator_id: int) -> LibraryIndicator:
    """The library indicator, or NotFound."""
    indicator = db.get(LibraryIndicator, indicator_id)
    if indicator is None:
        raise NotFound("指标库中没有该指标")
    return indicator


def current_version(db: Session, indicator_id: int) -> LibraryIndicatorVersion:
    """The version new engagements copy."""
    indicator = get(db, indicator_id)
    return get_version(db, indicator_id, indicator.current_version)


def get_version(db: Session, indicator_id: int, version: int) -> LibraryIndicatorVersion:
    """One numbered version of a library indicator, or NotFound."""
    row = db.exec(
        select(LibraryIndicatorVersion).where(
            LibraryIndicatorVersion.indicator_id == indicator_id,
            LibraryIndicatorVersion.number == version,
        )
    ).first()
    if row is None:
        raise NotFound(f"该指标没有第 {version} 版")
    return row


def versions_of(db: Session, indicator_id: int) -> list[LibraryIndicatorVersion]:
    """Every version of an indicator, newest first."""
    return list(
        db.exec(
            select(LibraryIndicatorVersion)
            .where(LibraryIndicatorVersion.indicator_id == indicator_id)
            .order_by(col(LibraryIndicatorVersion.number).desc())
        ).all()
    )


def framework_for(db: Session, *, engagement_type: str) -> list[LibraryIndicatorVersion]:
    """The leaves of the common framework for an engagement type, in pack order."""
    if engagement_type not in EngagementType.__members__:
        raise ValidationFailed(
            "评价类型无效",
            details=[
                {"field": "engagement_type", "message": f"未知的评价类型「{engagement_type}」"}
            ],
        )
    common = db.exec(select(LibraryPack).where(LibraryPack.kind == Kind.common)).all()
    pack = next((p for p in common if engagement_type in (p.engagement_types or [])), None)
    if pack is None:
        return []
    rows = db.exec(
        select(LibraryIndicatorVersion)
        .join(
            LibraryIndicator,
            (LibraryIndicator.id == LibraryIndicatorVersion.indicator_id)
            & (LibraryIndicator.current_version == LibraryIndicatorVersion.number),
        )
        .where(
            LibraryIndicator.pack_key == pack.key,
            LibraryIndicator.status == Status.shared,
        )
        .order_by(LibraryIndicator.position, LibraryIndicator.id)
    ).all()
    return list(rows)


def search(
    db: Session,
    *,
    q: str = "",
    tags: list[str] | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
    viewer=None,
    sector: str | None = None,
    kind: str | None = None,
    engagement_type: str | None = None,
    pack_key: str | None = None,
    level1: str | None = None,
    level2: str | None = None,
) -> tuple[list[LibraryIndicator], int]:
    """A page of library indicators whose name, definition or tags contain every term of `q`.

    Without `status`: shared and proposed indicators plus the viewer's personal ones;
    deprecated indicators only when asked for. Returns the page and the total count.
    """
    conditions = search_conditions(
        db,
        q=q,
        tags=tags,
        status=status,
        viewer=viewer,
        sector=sector,
        kind=kind,
        engagement_type=engagement_type,
        pack_key=pack_key,
        level1=level1,
        level2=level2,
    )
    # One scan of narrow rows gives the page's ids and, through a window, the total; the page's
    # rows are then read by primary key. Only a page past the end needs a separate count.
    found = db.exec(
        select(LibraryIndicator.id, func.count().over())
        .where(*conditions)
        .order_by(
            *_name_first(q),
            col(LibraryIndicator.pack_key).is_(None),
            LibraryIndicator.kind,
            LibraryIndicator.pack_key,
            LibraryIndicator.position,
            LibraryIndicator.id,
        )
        .offset(max(offset, 0))
        .limit(min(max(limit, 1), MAX_PAGE))
    ).all()
    if not found:
        total = 0 if offset <= 0 else _count(db, conditions)
        return [], total
    ids = [row_id for row_id, _total in found]
    rows = {
        row.id: row
        for row in db.exec(select(LibraryIndicator).where(col(LibraryIndicator.id).in_(ids)))
    }
    return [rows[row_id] for row_id in ids], found[0][1]


def search_conditions(
    db: Session,
    *,
    q: str = "",
    tags: list[str] | None = None,
    status: str | None = None,
    viewer=None,
    sector: str | None = None,
    kind: str | None = None,
    engagement_type: str | None = None,
    pack_key: str | None = None,
    level1: str | None = None,
    level2: str | None = None,
) -> list:
    """The WHERE conditions of `search` (the browse facets count under the same ones)."""
    conditions = [_status_condition(status, viewer)]
    matched = match_condition(db, q)
    if matched is not None:
        conditions.append(matched)
    conditions += [
        select(LibraryTag.id)
        .where(LibraryTag.indicator_id == LibraryIndicator.id, LibraryTag.tag == tag)
        .exists()
        for tag in tags or []
    ]
    if sector:
        conditions.append(LibraryIndicator.sector == sector)
    if kind:
        conditions.append(LibraryIndicator.kind == kind)
    if engagement_type:
        conditions.append(col(LibraryIndicator.engagement_types).contains(f",{engagement_type},"))
    if pack_key:
        conditions.append(LibraryIndicator.pack_key == pack_key)
    # 一级/二级 belong to the current version (aliased: a facet count joins the versions too).
    current = aliased(LibraryIndicatorVersion)
    levels = [
        column == value
        for column, value in ((current.level1, level1), (current.level2, level2))
        if value
    ]
    if levels:
        conditions.append(
            select(current.id)
            .where(
                current.indicator_id == LibraryIndicator.id,
                current.number == LibraryIndicator.current_version,
                *levels,
            )
            .correlate(LibraryIndicator)
            .exists()
        )
    return conditions


def _count(db: Session, conditions: list) -> int:
    return db.exec(select(func.count(LibraryIndicator.id)).where(*conditions)).one()


def _name_first(q: str) -> list:
    """Order indicators whose name holds every term before those matched elsewhere."""
    words = terms(q)
    if not words:
        return []
    name = func.lower(LibraryIndicator.name)
    in_name = and_(*(name.contains(word, autoescape=True) for word in words))
    return [case((in_name, 0), else_=1)]


def _status_condition(status: str | None, viewer):
    own = (
        LibraryIndicator.owner_id == viewer.id
        if viewer is not None and getattr(viewer, "id", None)
        else None
    )
    if status:
        if status not in Status.__members__:
            raise ValidationFailed(
                "状态无效", details=[{"field": "status", "message": f"未知的状态「{status}」"}]
            )
        if status == Status.personal:
            return (LibraryIndicator.status == Status.personal) & (
                own if own is not None else false()
            )
        return LibraryIndicator.status == status
    visible = col(LibraryIndicator.status).in_([Status.shared, Status.proposed])
    if own is None:
        return visible
    return or_(visible, (LibraryIndicator.status == Status.personal) & own)


# Browsing builds on the services above, so it joins the public interface last, as a namespace
# (`services.browse.browse(...)`); imported as a module it works whichever is imported first.
from workbench.library import browse  # noqa: E402
