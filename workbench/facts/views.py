"""The engagement's 基本信息 page: the facts every document repeats, and indicators bound to them."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.inputs import clear_confirmed
from workbench.core.permissions import guarded_object, requires
from workbench.engagements import services as engagements
from workbench.engagements.services import load_engagement
from workbench.facts import (
    catalog,
    services,
    views_import,  # noqa: F401 - 导入基本信息
)
from workbench.facts.blueprint import bp
from workbench.indicators.services import signatures_a_change_clears


def form_version() -> int | None:
    """The version the form was drawn from (0 before the first save); None when missing."""
    raw = (request.form.get("version") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise ValidationFailed(
            "请求参数有误", details=[{"field": "version", "message": "版本号无效"}]
        )
    return int(raw)


@bp.app_context_processor
def _fact_fields() -> dict:
    """`fact_fields(engagement)` for the section editor: (field token, label, current text)."""

    def fact_fields(engagement) -> list[tuple[str, str, str]]:
        found = services.current(db.session(), engagement)
        return [(f"{{{{fact:{f.key}}}}}", f.label, f.text) for f in found]

    return {"fact_fields": fact_fields}


@bp.route("/engagements/<int:engagement_id>/facts")
@requires("engagement.internal", load=load_engagement)
def page(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    options = services.paper_options(session, engagement)
    facts = services.current(session, engagement, options)
    rows = services.bound_indicators(session, engagement)
    return render_template(
        "facts/page.html",
        engagement=engagement,
        facts=facts,
        options=options,
        version=services.sheet_version(session, engagement),
        rows=rows,
        choices=[(f.key, f"{f.label}（{f.text or '未填写'}）") for f in facts],
        tokens=[(f"{{{{fact:{f.key}}}}}", f.label) for f in facts],
        clears=signatures_a_change_clears(session, engagement)
        if any(link for _indicator, link in rows)
        else [],
    )


@bp.route("/engagements/<int:engagement_id>/facts", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def save(engagement_id: int):
    engagement = guarded_object()
    entries = {
        f.key: services.FactEntry(
            text=request.form.get(f"fact-{f.key}", ""),
            choice=request.form.get(f"source-{f.key}", ""),
        )
        for f in catalog.for_type(engagement.type)
    }
    changed = services.save(
        db.session(),
        actor=current_user,
        engagement=engagement,
        version=form_version(),
        entries=entries,
        confirm_clear=clear_confirmed(),
    )
    flash(
        "基本信息已保存" + (f"，已同步更新指标：{'、'.join(changed)}" if changed else ""), "success"
    )
    return redirect(url_for("facts.page", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/facts/bindings", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def bind(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    choices = {
        indicator.id: (
            request.form.get(f"target-{indicator.id}", "").strip(),
            request.form.get(f"actual-{indicator.id}", "").strip(),
        )
        for indicator, _link in services.bound_indicators(session, engagement)
        if f"target-{indicator.id}" in request.form or f"actual-{indicator.id}" in request.form
    }
    changed = services.bind(
        session,
        actor=current_user,
        engagement=engagement,
        version=form_version(),
        choices=choices,
        confirm_clear=clear_confirmed(),
    )
    flash("指标取值设置已保存" + (f"，已更新：{'、'.join(changed)}" if changed else ""), "success")
    return redirect(url_for("facts.page", engagement_id=engagement_id) + "#bindings")


@bp.route("/engagements/<int:engagement_id>/facts/sync", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def sync(engagement_id: int):
    engagement = guarded_object()
    engagements.ensure_writable(engagement)
    changed = services.apply_bindings(
        db.session(), actor=current_user, engagement=engagement, confirm_clear=clear_confirmed()
    )
    flash(
        f"已按当前基本信息更新指标：{'、'.join(changed)}" if changed else "指标取值均已是最新",
        "success",
    )
    return redirect(url_for("facts.page", engagement_id=engagement_id) + "#bindings")
