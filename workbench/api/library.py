"""Indicator library endpoints: search and one indicator's current version."""

from __future__ import annotations

from decimal import Decimal

from flask import request
from flask_login import current_user
from pydantic import BaseModel
from sqlmodel import select

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, respond
from workbench.core.inputs import query_int
from workbench.core.permissions import guarded_object, requires
from workbench.library import services
from workbench.library.models import LibraryIndicator, LibraryIndicatorVersion


class BenchmarkOut(BaseModel):
    value: str
    year: int
    source: str


class LibraryIndicatorOut(BaseModel):
    id: int
    key: str
    name: str
    status: str
    kind: str
    sector: str | None
    pack_key: str | None
    engagement_types: list[str]
    version: int
    level1: str
    level2: str
    definition: str
    rule: str
    params: str
    weight: Decimal
    standard_type: str
    target: str
    tags: list[str]


class LibraryIndicatorDetail(LibraryIndicatorOut):
    points: list[str]
    evidence: list[str]
    scoring: str
    notes: str
    benchmarks: list[BenchmarkOut]
    change_note: str


class LibraryList(BaseModel):
    """Cursor pages by default; the older `page`/`per_page` pages when the request names them."""

    items: list[LibraryIndicatorOut]
    total: int
    next_cursor: str | None = None
    page: int | None = None
    per_page: int | None = None


def _out(row: LibraryIndicator, version: LibraryIndicatorVersion) -> dict:
    return dict(
        id=row.id,
        key=row.key,
        name=version.name,
        status=row.status,
        kind=row.kind,
        sector=row.sector,
        pack_key=row.pack_key,
        engagement_types=row.engagement_type_list,
        version=version.number,
        level1=version.level1,
        level2=version.level2,
        definition=version.definition,
        rule=version.rule,
        params=version.params,
        weight=version.weight,
        standard_type=version.standard_type,
        target=version.target,
        tags=list(version.tags or []),
    )


def load(library_id: int, **_) -> LibraryIndicator:
    return services.get(db.session(), library_id)


@operation(
    "/library",
    "GET",
    summary=(
        "检索指标库（q 检索词；tag 可多次；status、sector、type、pack；新的在前，分页：limit, "
        "cursor）；仍可用 page, per_page 按相关度（名称命中在前）分页"
    ),
    response=LibraryList,
    tag="library",
)
@requires("library.read")
def list_library():
    session = db.session()
    wanted = dict(
        q=request.args.get("q", "")[:100],
        tags=request.args.getlist("tag")[:5],
        status=request.args.get("status") or None,
        viewer=current_user,
        sector=request.args.get("sector") or None,
        engagement_type=request.args.get("type") or None,
        pack_key=request.args.get("pack") or None,
    )
    page = per_page = next_cursor = None
    if cursor.page_mode():
        page = query_int("page", 1)
        per_page = min(query_int("per_page", 50), 200)
        rows, total = services.search(
            session, limit=per_page, offset=(page - 1) * per_page, **wanted
        )
    else:
        stmt = select(LibraryIndicator).where(*services.search_conditions(session, **wanted))
        rows, next_cursor = cursor.page(session, stmt, LibraryIndicator.id)
        total = cursor.count(session, stmt)
    versions = services.current_versions(session, rows)
    return respond(
        LibraryList(
            items=[LibraryIndicatorOut(**_out(row, versions[row.id])) for row in rows],
            total=total,
            next_cursor=next_cursor,
            page=page,
            per_page=per_page,
        )
    )


@operation(
    "/library/{library_id}",
    "GET",
    summary="指标库中一个指标的当前版本（或 ?version=N）",
    response=LibraryIndicatorDetail,
    tag="library",
)
@requires("library.read", load=load)
def get_library_indicator(library_id: int):
    session = db.session()
    row = guarded_object()
    number = query_int("version", row.current_version)
    version = services.get_version(session, row.id, number)
    return respond(
        LibraryIndicatorDetail(
            **_out(row, version),
            points=list(version.points or []),
            evidence=list(version.evidence or []),
            scoring=version.scoring,
            notes=version.notes,
            benchmarks=[BenchmarkOut(**item) for item in version.benchmarks or []],
            change_note=version.change_note,
        )
    )
