"""Indicator system ↔ library: start from the framework, browse or search and add, propose back."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core.inputs import clear_confirmed, query_int
from workbench.core.permissions import guarded_object, requires
from workbench.engagements.services import load_engagement
from workbench.indicators import library_link, services
from workbench.indicators.blueprint import bp
from workbench.indicators.forms import LibraryAddForm
from workbench.indicators.loaders import load_indicator
from workbench.library import services as library_services

PER_PAGE = 20


@bp.route("/engagements/<int:engagement_id>/indicators/framework", methods=["POST"])
@requires("indicators.edit", load=load_engagement)
def framework(engagement_id: int):
    engagement = guarded_object()
    count = library_link.start_from_framework(
        db.session(), actor=current_user, engagement=engagement
    )
    flash(f"已按“{engagement.type_name}”共性框架生成{count}项三级指标", "success")
    return redirect(url_for("indicators.index", engagement_id=engagement_id))


def _choice() -> library_services.browse.Choice:
    """The picker's choice from the query string (checked against the library by the service)."""
    args = request.args
    return library_services.browse.Choice(
        q=args.get("q", "").strip(),
        pack_key=args.get("pack", "").strip(),
        sector=args.get("sector", "").strip(),
        level1=args.get("level1", "").strip(),
        level2=args.get("level2", "").strip(),
    )


@bp.route("/engagements/<int:engagement_id>/indicators/library")
@requires("indicators.edit", load=load_engagement)
def library(engagement_id: int):
    engagement = guarded_object()
    page = query_int("page", 1)
    found = library_link.browse(
        db.session(),
        viewer=current_user,
        choice=_choice(),
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    items = services.list_indicators(db.session(), engagement)
    return render_template(
        "indicators/library.html",
        engagement=engagement,
        found=found,
        choice=found.choice,
        page=page,
        per_page=PER_PAGE,
        form=LibraryAddForm(formdata=None),
        level1_names=sorted({i.level1 for i in items}),
        level2_names=sorted({i.level2 for i in items}),
        clears=services.signatures_a_change_clears(db.session(), engagement, confirmation=True),
    )


@bp.route("/engagements/<int:engagement_id>/indicators/library", methods=["POST"])
@requires("indicators.edit", load=load_engagement)
def add_from_library(engagement_id: int):
    engagement = guarded_object()
    form = LibraryAddForm()
    # Back to the same view of the library (its query, facets and page).
    back = url_for(
        "indicators.library",
        engagement_id=engagement_id,
        page=query_int("page", 1),
        **_choice().as_args(),
    )
    if not form.validate_on_submit():
        flash("请选择要添加的指标", "danger")
        return redirect(back)
    indicator = library_link.add_from_library(
        db.session(),
        actor=current_user,
        engagement=engagement,
        library_indicator_id=form.library_indicator_id.data,
        level1=(form.level1.data or "").strip(),
        level2=(form.level2.data or "").strip(),
        confirm_clear=clear_confirmed(),
    )
    flash(f"已从指标库添加“{indicator.name}”，请核对分值并使合计为100分", "success")
    return redirect(back)


@bp.route(
    "/engagements/<int:engagement_id>/indicators/<int:indicator_id>/propose", methods=["POST"]
)
@requires("indicators.edit", load=load_indicator)
def propose(engagement_id: int, indicator_id: int):
    engagement = guarded_object()
    indicator = services.get_indicator(db.session(), engagement, indicator_id)
    library_link.propose(
        db.session(), actor=current_user, engagement=engagement, indicator=indicator
    )
    flash(f"已推荐“{indicator.name}”入指标库，待指标库管理员审核", "success")
    return redirect(url_for("indicators.index", engagement_id=engagement_id))
