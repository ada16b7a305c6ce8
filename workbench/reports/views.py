"""Pages: 评价方案 and 评价报告 (settings, sign-offs); the blueprint and loaders the other view
modules (sections, files, consultation, checkup, public version, schedule) register on."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, render_template, request
from flask_login import current_user

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.hygiene import parse_int
from workbench.core.money import parse_decimal
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.core.templating import register_panel, register_tab
from workbench.engagements import services as engagements
from workbench.engagements.services import load_engagement
from workbench.reports import (  # noqa: F401 - the other pages register on bp
    collect,
    consultation,
    views_checkup,
    views_consultation,
    views_files,
    views_outlines,
    views_public,
    views_schedule,
    views_sections,
)
from workbench.reports import permissions as _permissions  # noqa: F401 - registers predicates
from workbench.reports.blueprint import bp
from workbench.reports.forms import (
    GenerateForm,
    PlanSettingsForm,
    SignForm,
)
from workbench.reports.loaders import (
    back_to,
    int_param,
    versions_and_authors,
)
from workbench.reports.models import KIND_NAMES, DeliverableKind
from workbench.reports.naming import names_for
from workbench.reports.services import checkup as checkups
from workbench.reports.services import generation, jobs, settings, signoffs
from workbench.reports.services import sections as drafting

register_tab(lambda e: names_for(e.type).plan_tab, "reports.plan", "engagement.internal")
register_tab(lambda e: names_for(e.type).report_tab, "reports.report", "engagement.internal")
register_tab("征求意见", "reports.consultation_page", "engagement.team")
register_tab("征求意见", "reports.feedback", "reports.unit")
register_panel("reports/_panel.html")


@bp.app_context_processor
def _panel_data() -> dict:
    # A callable: the query runs only where the panel is shown (the home dashboard).
    def pending():
        return consultation.pending_for(db.session(), current_user)

    return {"reports_pending_consultations": pending}


# --- the plan and the report -------------------------------------------------------------------


def _drafting_page(engagement_id: int, deliverable: str, template: str, **extra):
    session = db.session()
    engagement = load_engagement(engagement_id)
    views = drafting.ensure_sections(session, engagement, deliverable)
    members = {m.user_id: m for m in engagement.members}
    users = engagements.users_by_id(session, set(members))
    kinds = [generation.report_kind(engagement), DeliverableKind.score_sheet]
    rows, makers = versions_and_authors(
        session, engagement, ["plan"] if deliverable == "plan" else kinds
    )
    pending = ("plan",) if deliverable == "plan" else ("report", "score_sheet")
    return render_template(
        template,
        engagement=engagement,
        sections=views,
        users=users,
        refusal=drafting.edit_refusal(session, engagement, deliverable),
        generate_form=GenerateForm(),
        versions=rows,
        makers=makers,
        kind_names=KIND_NAMES,
        names=names_for(engagement.type),
        pdf_available=generation.pdf_available(),
        can_generate=allowed("engagement.team", engagement),
        jobs=jobs.open_jobs(session, engagement, pending),
        **extra,
    )


@bp.route("/engagements/<int:engagement_id>/plan")
@requires("engagement.internal", load=load_engagement)
def plan(engagement_id: int):
    engagement = guarded_object()
    row = settings.get_setting(db.session(), engagement)
    form = PlanSettingsForm(
        data={
            "population": row.population or "",
            "confidence": f"{row.confidence:.2f}",
            "margin": f"{(row.margin * 100).normalize():f}",
            "proportion": f"{row.proportion.normalize():f}",
            "target": row.target or "",
            "strata": "\n".join(f"{s['name']},{s['population']}" for s in row.strata or []),
            "version": settings.setting_version(row),
        }
    )
    return _drafting_page(
        engagement_id,
        "plan",
        "reports/plan.html",
        settings_form=form,
        schedule=views_schedule.schedule_rows(engagement),
    )


def _decimal(field, label: str, scale: Decimal = Decimal(1)) -> Decimal | dict:
    raw = (field.data or "").strip().rstrip("%％")
    try:
        value = parse_decimal(raw)
    except ValueError:
        value = None
    if value is None:
        return {"field": field.name, "message": f"{label}应为数字"}
    return value / scale


def _count(field, label: str) -> int | None | dict:
    raw = (field.data or "").strip().replace(",", "")
    if not raw:
        return None
    value = parse_int(raw)
    return value if value is not None else {"field": field.name, "message": f"{label}应为正整数"}


@bp.route("/engagements/<int:engagement_id>/plan/settings", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def plan_settings(engagement_id: int):
    form = PlanSettingsForm()  # its numbers are text: read here, with the messages in Chinese
    values = {
        "population": _count(form.population, "调查总体数量"),
        "confidence": _decimal(form.confidence, "置信水平"),
        "margin": _decimal(form.margin, "允许误差", Decimal(100)),
        "proportion": _decimal(form.proportion, "预估比例"),
        "target": _count(form.target, "计划发放问卷份数"),
        "strata": settings.parse_strata(form.strata.data or ""),
    }
    errors = [v for v in values.values() if isinstance(v, dict)]
    if errors:
        raise ValidationFailed("抽样设置有误", details=errors)
    settings.save_setting(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        version=int_param("version", required=False),
        values=values,
    )
    flash("抽样设置已保存", "success")
    return back_to("reports.plan", engagement_id, "#sample")


@bp.route("/engagements/<int:engagement_id>/report")
@requires("engagement.internal", load=load_engagement)
def report(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    signed = signoffs.active(session, engagement)
    history = signoffs.history(session, engagement)
    signer_names = engagements.users_by_id(session, {s.user_id for s in history})
    versions = generation.versions(session, engagement, [generation.report_kind(engagement)])
    checks = checkups.by_version(session, [v.id for v in versions])
    return _drafting_page(
        engagement_id,
        "report",
        "reports/report.html",
        checks=checks,
        check_names=checkups.acknowledger_names(session, list(checks.values())),
        signed=signed,
        signoff_history=history,
        signer_names=signer_names,
        current_hash=signoffs.sections_hash(session, engagement),
        levels=signoffs.LEVELS,
        level_names=signoffs.LEVEL_NAMES,
        signer_titles=signoffs.SIGNER_NAMES,
        sign_form=SignForm(),
        conclusion=collect.ex_ante_conclusion(session, engagement)
        if engagement.type == "ex_ante"
        else None,
        bands_text=collect.ex_ante_bands_text(),
        labels=generation.LABELS,
    )  # fmt: skip


@bp.route("/engagements/<int:engagement_id>/report/signoffs", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def sign(engagement_id: int):
    level = request.form.get("level", "")
    signoffs.sign(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        level=level,
        comment=request.form.get("comment", ""),
    )
    flash(f"已{signoffs.LEVEL_NAMES[level]}签字", "success")
    return back_to("reports.report", engagement_id, "#signoffs")


@bp.route("/engagements/<int:engagement_id>/report/signoffs/withdraw", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def withdraw(engagement_id: int):
    row = signoffs.withdraw(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        level=request.form.get("level", ""),
    )
    flash(f"已撤销{signoffs.LEVEL_NAMES[row.level]}签字", "warning")
    return back_to("reports.report", engagement_id, "#signoffs")


# The other pages register their routes on `bp` when imported.
