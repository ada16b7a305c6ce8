"""Pages: 评价方案, 评价报告 (sections, sign-offs, versions, diffs), 征求意见 and the unit's page."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.forms import choices
from workbench.core.hygiene import parse_int
from workbench.core.money import parse_decimal
from workbench.core.permissions import requires
from workbench.core.templating import register_panel, register_tab
from workbench.core.timeutil import local
from workbench.engagements import services as engagements
from workbench.reports import consultation, services, services_signoffs, textdiff
from workbench.reports import permissions as _permissions  # noqa: F401 - registers predicates
from workbench.reports import services_checkup as checkups
from workbench.reports import services_jobs as generation
from workbench.reports import services_sections as drafting
from workbench.reports import services_settings as settings
from workbench.reports.forms import (
    AssignForm,
    CommentForm,
    ConclusionForm,
    GenerateForm,
    PlanSettingsForm,
    SectionForm,
    SignForm,
)
from workbench.reports.models import KIND_NAMES, DeliverableKind

bp = Blueprint("reports", __name__, template_folder="templates")

register_tab("评价方案", "reports.plan", "engagement.internal")
register_tab("评价报告", "reports.report", "engagement.internal")
register_tab("征求意见", "reports.consultation_page", "engagement.team")
register_tab("征求意见", "reports.feedback", "reports.unit")
register_panel("reports/_panel.html")


@bp.app_context_processor
def _panel_data() -> dict:
    # A callable: the query runs only where the panel is shown (the home dashboard).
    def pending():
        return consultation.pending_for(db.session(), current_user)

    return {"reports_pending_consultations": pending}


def load_engagement(engagement_id: int, **_):
    return engagements.get(db.session(), engagement_id)


def load_section(engagement_id: int, section_id: int, **_):
    engagement = load_engagement(engagement_id)
    drafting.get_section(db.session(), engagement, section_id)
    return engagement


def load_version(engagement_id: int, version_id: int, **_):
    engagement = load_engagement(engagement_id)
    services.get_version(db.session(), engagement, version_id)
    return engagement


def load_opinion(engagement_id: int, opinion_id: int, **_):
    engagement = load_engagement(engagement_id)
    consultation.get_opinion(db.session(), engagement, opinion_id)
    return engagement


def _int(name: str, *, required: bool = True) -> int | None:
    raw = (request.values.get(name) or "").strip()
    if not raw and not required:
        return None
    value = parse_int(raw)
    if value is None:
        raise ValidationFailed("请求参数有误", details=[{"field": name, "message": "应为正整数"}])
    return value


def _back(endpoint: str, engagement_id: int, anchor: str = ""):
    return redirect(url_for(endpoint, engagement_id=engagement_id) + anchor)


def _versions(session, engagement, kinds: list[str]) -> tuple[list, dict]:
    rows = services.versions(session, engagement, kinds)
    users = engagements.users_by_id(session, {v.generated_by_id for v in rows if v.generated_by_id})
    return rows, users


# --- the plan and the report -------------------------------------------------------------------


def _drafting_page(engagement_id: int, deliverable: str, template: str, **extra):
    session = db.session()
    engagement = load_engagement(engagement_id)
    views = drafting.ensure_sections(session, engagement, deliverable)
    members = {m.user_id: m for m in engagement.members}
    users = engagements.users_by_id(session, set(members))
    kinds = [services.report_kind(engagement), DeliverableKind.score_sheet]
    rows, makers = _versions(session, engagement, ["plan"] if deliverable == "plan" else kinds)
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
        pdf_available=services.pdf_available(),
        can_generate=services.can_generate(engagement, current_user),
        jobs=generation.open_jobs(session, engagement, pending),
        **extra,
    )


@bp.route("/engagements/<int:engagement_id>/plan")
@requires("engagement.internal", load=load_engagement)
def plan(engagement_id: int):
    engagement = load_engagement(engagement_id)
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


def _decimal(name: str, label: str, scale: Decimal = Decimal(1)) -> Decimal | dict:
    raw = (request.form.get(name) or "").strip().rstrip("%％")
    try:
        value = parse_decimal(raw)
    except ValueError:
        value = None
    if value is None:
        return {"field": name, "message": f"{label}应为数字"}
    return value / scale


def _count(name: str, label: str) -> int | None | dict:
    raw = (request.form.get(name) or "").strip().replace(",", "")
    if not raw:
        return None
    value = parse_int(raw)
    return value if value is not None else {"field": name, "message": f"{label}应为正整数"}


@bp.route("/engagements/<int:engagement_id>/plan/settings", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def plan_settings(engagement_id: int):
    values = {
        "population": _count("population", "调查总体数量"),
        "confidence": _decimal("confidence", "置信水平"),
        "margin": _decimal("margin", "允许误差", Decimal(100)),
        "proportion": _decimal("proportion", "预估比例"),
        "target": _count("target", "计划发放问卷份数"),
        "strata": settings.parse_strata(request.form.get("strata", "")),
    }
    errors = [v for v in values.values() if isinstance(v, dict)]
    if errors:
        raise ValidationFailed("抽样设置有误", details=errors)
    settings.save_setting(
        db.session(),
        actor=current_user,
        engagement=load_engagement(engagement_id),
        version=_int("version", required=False),
        values=values,
    )
    flash("抽样设置已保存", "success")
    return _back("reports.plan", engagement_id, "#sample")


@bp.route("/engagements/<int:engagement_id>/report")
@requires("engagement.internal", load=load_engagement)
def report(engagement_id: int):
    session = db.session()
    engagement = load_engagement(engagement_id)
    row = settings.get_setting(session, engagement)
    signed = services_signoffs.active(session, engagement)
    history = services_signoffs.history(session, engagement)
    signer_names = engagements.users_by_id(session, {s.user_id for s in history})
    versions = services.versions(session, engagement, [services.report_kind(engagement)])
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
        current_hash=services_signoffs.sections_hash(session, engagement),
        levels=services_signoffs.LEVELS,
        level_names=services_signoffs.LEVEL_NAMES,
        signer_titles=services_signoffs.SIGNER_NAMES,
        sign_form=SignForm(),
        conclusion_form=ConclusionForm(
            data={"ex_ante_conclusion": row.ex_ante_conclusion,
                  "version": settings.setting_version(row)}
        ),
        labels=services.LABELS,
    )  # fmt: skip


@bp.route("/engagements/<int:engagement_id>/report/conclusion", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def ex_ante_conclusion(engagement_id: int):
    settings.save_setting(
        db.session(),
        actor=current_user,
        engagement=load_engagement(engagement_id),
        version=_int("version", required=False),
        values={"ex_ante_conclusion": request.form.get("ex_ante_conclusion", "")},
    )
    flash("评估结论已保存", "success")
    return _back("reports.report", engagement_id)


@bp.route("/engagements/<int:engagement_id>/report/signoffs", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def sign(engagement_id: int):
    level = request.form.get("level", "")
    services_signoffs.sign(
        db.session(),
        actor=current_user,
        engagement=load_engagement(engagement_id),
        level=level,
        comment=request.form.get("comment", ""),
    )
    flash(f"已{services_signoffs.LEVEL_NAMES[level]}签字", "success")
    return _back("reports.report", engagement_id, "#signoffs")


@bp.route("/engagements/<int:engagement_id>/report/signoffs/withdraw", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def withdraw(engagement_id: int):
    row = services_signoffs.withdraw(
        db.session(),
        actor=current_user,
        engagement=load_engagement(engagement_id),
        level=request.form.get("level", ""),
    )
    flash(f"已撤销{services_signoffs.LEVEL_NAMES[row.level]}签字", "warning")
    return _back("reports.report", engagement_id, "#signoffs")


# --- sections ------------------------------------------------------------------------------------


def _page_of(section) -> str:
    return "reports.plan" if section.deliverable == "plan" else "reports.report"


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>")
@requires("engagement.internal", load=load_section)
def section(engagement_id: int, section_id: int):
    session = db.session()
    engagement = load_engagement(engagement_id)
    row = drafting.get_section(session, engagement, section_id)
    history = drafting.section_versions(session, row)
    notes = drafting.comments(session, row)
    people = {row.assignee_id, *(v.saved_by_id for v in history), *(c.author_id for c in notes)}
    users = engagements.users_by_id(session, {p for p in people if p} | {
        m.user_id for m in engagement.members})  # fmt: skip
    assign_form = AssignForm(data={"user_id": row.assignee_id or 0})
    assign_form.user_id.choices = choices(
        [(0, "（未分配）")]
        + [
            (m.user_id, f"{users[m.user_id].display_name}（{m.role_name}）")
            for m in engagement.members
            if m.role in drafting.ASSIGNABLE_ROLES and m.user_id in users
        ]
    )
    refusal = drafting.edit_refusal(session, engagement, row.deliverable)
    return render_template(
        "reports/section.html",
        engagement=engagement,
        section=row,
        entry=drafting.entry_of(session, engagement, row),
        form=SectionForm(data={"content": row.html, "version": row.version}),
        history=history,
        notes=notes,
        users=users,
        assign_form=assign_form,
        comment_form=CommentForm(),
        refusal=refusal,
        writable=refusal is None and drafting.is_writer(engagement, current_user, row),
        back=_page_of(row),
    )


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>", methods=["POST"])
@requires("engagement.internal", load=load_section)
def save_section(engagement_id: int, section_id: int):
    session = db.session()
    engagement = load_engagement(engagement_id)
    row = drafting.get_section(session, engagement, section_id)
    changed = drafting.save_section(
        session,
        actor=current_user,
        engagement=engagement,
        section=row,
        content=request.form.get("content", ""),
        version=_int("version", required=False),
    )
    flash(f"已保存（第{row.number}稿）" if changed else "内容未改变，无需保存", "success")
    return redirect(url_for("reports.section", engagement_id=engagement_id, section_id=section_id))


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>/autosave", methods=["POST"])
@requires("engagement.internal", load=load_section)
def autosave(engagement_id: int, section_id: int):
    session = db.session()
    engagement = load_engagement(engagement_id)
    row = drafting.get_section(session, engagement, section_id)
    body = request.get_json(silent=True) or {}
    version = body.get("version", request.form.get("version"))
    changed = drafting.save_section(
        session,
        actor=current_user,
        engagement=engagement,
        section=row,
        content=str(body.get("content", request.form.get("content", ""))),
        version=parse_int(str(version or "")),
        autosave=True,
    )
    return jsonify(
        changed=changed,
        version=row.version,
        number=row.number,
        saved_at=local(row.updated_at).strftime("%H:%M:%S"),
    )


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>/restore", methods=["POST"])
@requires("engagement.internal", load=load_section)
def restore(engagement_id: int, section_id: int):
    session = db.session()
    engagement = load_engagement(engagement_id)
    row = drafting.get_section(session, engagement, section_id)
    old = drafting.get_section_version(session, row, _int("number"))
    drafting.save_section(
        session,
        actor=current_user,
        engagement=engagement,
        section=row,
        content=old.html,
        version=_int("version", required=False),
    )
    flash(f"已恢复第{old.number}稿的内容（保存为第{row.number}稿）", "success")
    return redirect(url_for("reports.section", engagement_id=engagement_id, section_id=section_id))


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>/assign", methods=["POST"])
@requires("engagement.manage", load=load_section)
def assign(engagement_id: int, section_id: int):
    session = db.session()
    engagement = load_engagement(engagement_id)
    row = drafting.get_section(session, engagement, section_id)
    drafting.assign(
        session,
        actor=current_user,
        engagement=engagement,
        section=row,
        user_id=_int("user_id", required=False) or None,
    )
    flash("撰写人已更新", "success")
    return redirect(request.referrer or url_for(_page_of(row), engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>/comments", methods=["POST"])
@requires("engagement.internal", load=load_section)
def comment(engagement_id: int, section_id: int):
    session = db.session()
    engagement = load_engagement(engagement_id)
    row = drafting.get_section(session, engagement, section_id)
    drafting.add_comment(
        session,
        actor=current_user,
        engagement=engagement,
        section=row,
        body=request.form.get("body", ""),
    )
    flash("批注已添加", "success")
    target = url_for("reports.section", engagement_id=engagement_id, section_id=section_id)
    return redirect(target + "#comments")


@bp.route(
    "/engagements/<int:engagement_id>/sections/<int:section_id>/comments/resolve",
    methods=["POST"],
)
@requires("engagement.internal", load=load_section)
def resolve(engagement_id: int, section_id: int):
    drafting.resolve_comment(
        db.session(),
        actor=current_user,
        engagement=load_engagement(engagement_id),
        comment_id=_int("comment_id"),
    )
    flash("批注已标记为已处理", "success")
    target = url_for("reports.section", engagement_id=engagement_id, section_id=section_id)
    return redirect(target + "#comments")


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>/diff")
@requires("engagement.internal", load=load_section)
def section_diff(engagement_id: int, section_id: int):
    session = db.session()
    engagement = load_engagement(engagement_id)
    row = drafting.get_section(session, engagement, section_id)
    b = _int("b", required=False) or row.number
    a = _int("a", required=False) or max(b - 1, 0)
    old = drafting.get_section_version(session, row, a).text if a else ""
    new = drafting.get_section_version(session, row, b).text if b else ""
    rows = textdiff.diff_rows(old, new)
    return render_template(
        "reports/section_diff.html",
        engagement=engagement,
        section=row,
        entry=drafting.entry_of(session, engagement, row),
        a=a,
        b=b,
        numbers=[v.number for v in drafting.section_versions(session, row)],
        rows=rows,
        stats=textdiff.diff_stats(rows),
    )


# The other pages register their routes on `bp` when imported.
from workbench.reports import (  # noqa: E402, F401
    views_checkup,
    views_consultation,
    views_files,
    views_public,
    views_schedule,
)
from workbench.reports import views_outlines as _outlines  # noqa: E402, F401
