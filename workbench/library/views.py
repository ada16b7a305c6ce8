"""Indicator library pages: search, detail with versions and statistics, diff, review queue."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user
from sqlmodel import col, func, select

from workbench import db
from workbench.core.inputs import query_int
from workbench.core.permissions import guarded_object, requires
from workbench.core.templating import register_nav
from workbench.core.timeutil import today_local
from workbench.engagements.models import Engagement, EngagementType
from workbench.engagements.services import users_by_id
from workbench.library import (
    benchmarks,
    packs,
    permissions,  # noqa: F401  (registers the library predicates)
    services,
    stats,
    usage,
    views_benchmarks,  # noqa: F401 - its routes on bp
    views_packs,  # noqa: F401 - its routes on bp
    views_workflow,  # noqa: F401 - its routes on bp
)
from workbench.library.blueprint import bp
from workbench.library.content import FIELD_LABELS
from workbench.library.forms import ActionForm, BenchmarkForm, ReasonForm
from workbench.library.loaders import TYPE_LABELS, load_indicator
from workbench.library.models import (
    KIND_NAMES,
    STATUS_NAMES,
    LibraryIndicator,
    LibraryPack,
    LibraryTag,
    Status,
)

register_nav("指标库", "library.search", "library.read")
register_nav("指标入库审核", "library.review", "admin", admin=True)

PER_PAGE = 20
DIFF_LABELS = FIELD_LABELS


def _filters() -> dict:
    args = request.args
    return {
        "q": args.get("q", "").strip()[:100],
        "tags": [tag for tag in args.getlist("tag") if tag][:5],
        "sector": args.get("sector", ""),
        "engagement_type": args.get("type", "") if args.get("type") in TYPE_LABELS else "",
        "kind": args.get("kind", "") if args.get("kind") in KIND_NAMES else "",
        "status": args.get("status", "") if args.get("status") in STATUS_NAMES else "",
        "pack_key": args.get("pack", ""),
    }


@bp.route("/library")
@requires("library.read")
def search():
    session = db.session()
    found = _filters()
    page = query_int("page", 1)
    rows, total = services.search(
        session,
        q=found["q"],
        tags=found["tags"],
        status=found["status"] or None,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
        viewer=current_user,
        sector=found["sector"] or None,
        kind=found["kind"] or None,
        engagement_type=found["engagement_type"] or None,
        pack_key=found["pack_key"] or None,
    )
    visible = col(LibraryIndicator.status) != Status.deprecated
    tag_counts = session.exec(
        select(LibraryTag.tag, func.count())
        .join(LibraryIndicator, LibraryIndicator.id == LibraryTag.indicator_id)
        .where(visible)
        .group_by(LibraryTag.tag)
        .order_by(func.count().desc(), LibraryTag.tag)
        .limit(30)
    ).all()
    sectors = session.exec(
        select(LibraryIndicator.sector)
        .where(col(LibraryIndicator.sector).is_not(None), visible)
        .distinct()
        .order_by(LibraryIndicator.sector)
    ).all()
    pending = (
        session.exec(select(func.count()).where(LibraryIndicator.status == Status.proposed)).one()
        if current_user.is_admin
        else 0
    )
    return render_template(
        "library/search.html",
        rows=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        filters=found,
        versions=services.current_versions(session, rows),
        used=usage.usage_counts(session, [row.id for row in rows]),
        tag_counts=tag_counts,
        sectors=sectors,
        packs=session.exec(select(LibraryPack).order_by(LibraryPack.kind, LibraryPack.key)).all(),
        type_labels=TYPE_LABELS,
        kind_names=KIND_NAMES,
        status_names=STATUS_NAMES,
        rule_names=packs.RULES,
        pending=pending,
    )


@bp.route("/library/<int:library_id>")
@requires("library.read", load=load_indicator)
def detail(library_id: int):
    session = db.session()
    indicator = guarded_object()
    history = services.versions_of(session, indicator.id)
    number = query_int("v", indicator.current_version)
    shown = next((row for row in history if row.number == number), None)
    if shown is None:
        shown = services.get_version(session, indicator.id, number)  # NotFound
    stale_years = int(current_app.config.get("BENCHMARK_STALE_YEARS", 3))
    people = users_by_id(
        session,
        ({row.created_by_id for row in history} | {indicator.owner_id, indicator.reviewed_by_id})
        - {None},
    )
    source = (
        session.get(Engagement, indicator.source_engagement_id)
        if indicator.source_engagement_id
        else None
    )
    pack = (
        session.exec(select(LibraryPack).where(LibraryPack.key == indicator.pack_key)).first()
        if indicator.pack_key
        else None
    )
    series = benchmarks.series_of(
        session,
        indicator_ids=[indicator.id],
        current_year=today_local().year,
        stale_years=stale_years,
    )
    current = [{"year": item.value.year} for item in series if item.newer is None]
    return render_template(
        "library/detail.html",
        series=series,
        indicator=indicator,
        shown=shown,
        history=history,
        age=stats.benchmark_age(
            [*(shown.benchmarks or []), *current],
            current_year=today_local().year,
            stale_years=stale_years,
        ),
        stale_years=stale_years,
        use=usage.usage(session, indicator_id=indicator.id),
        people=people,
        pack=pack,
        source=source if source is not None and source.visible_to(current_user) else None,
        rule_names=packs.RULES,
        type_labels=TYPE_LABELS,
        action_form=ActionForm(data={"version": indicator.version}),
        reason_form=ReasonForm(data={"version": indicator.version}),
        benchmark_form=BenchmarkForm(data={"version": indicator.version}),
        can_edit=indicator.can_edit(current_user),
    )


@bp.route("/library/<int:library_id>/diff")
@requires("library.read", load=load_indicator)
def diff(library_id: int):
    session = db.session()
    indicator = guarded_object()
    history = services.versions_of(session, indicator.id)
    newest = indicator.current_version
    a = query_int("a", max(newest - 1, 1))
    b = query_int("b", newest)
    old = services.get_version(session, indicator.id, a)
    new = services.get_version(session, indicator.id, b)
    return render_template(
        "library/diff.html",
        indicator=indicator,
        history=history,
        old=old,
        new=new,
        fields=stats.diff_fields(old.model_dump(), new.model_dump(), DIFF_LABELS),
    )


@bp.route("/library/review")
@requires("admin")
def review():
    session = db.session()
    rows, total = services.search(session, status=Status.proposed, limit=100, viewer=current_user)
    people = users_by_id(session, {row.owner_id for row in rows} - {None})
    return render_template(
        "library/review.html",
        rows=rows,
        total=total,
        versions=services.current_versions(session, rows),
        people=people,
        action_form=ActionForm(),
        reason_form=ReasonForm(),
        type_labels=TYPE_LABELS,
        engagement_types=list(EngagementType),
    )
