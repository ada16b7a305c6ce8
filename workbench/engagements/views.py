"""Dashboard, engagement pages and the flowchart."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.accounts.models import OrgKind
from workbench.accounts.services import list_orgs
from workbench.core import audit, audit_view
from workbench.core.downloads import send_xlsx
from workbench.core.errors import ValidationFailed
from workbench.core.forms import attach_errors, choices
from workbench.core.inputs import query_int
from workbench.core.permissions import guarded_object, requires
from workbench.core.timeutil import today_local
from workbench.engagements import flow, services
from workbench.engagements.blueprint import bp
from workbench.engagements.forms import (
    BackForm,
    ConfirmForm,
    DeclarationForm,
    EngagementForm,
    MemberForm,
    ReasonForm,
)
from workbench.engagements.list_export import engagement_list, workbook
from workbench.engagements.models import (
    DECLARATION_NAMES,
    DECLARATION_TEXT,
    DECLARING_ROLES,
    DeclarationKind,
)
from workbench.engagements.services import load_engagement
from workbench.engagements.stages import (
    ORDER,
    STAGE_NAMES,
    STAGE_WORK,
    STATUS_NAMES,
    Stage,
    registry,
)
from workbench.experts import services as experts


def _form_input(form: EngagementForm) -> services.EngagementInput:
    return services.EngagementInput(
        title=form.title.data or "",
        code=(form.code.data or "").strip(),
        type=form.type.data,
        bureau_id=form.bureau_id.data,
        unit_id=form.unit_id.data or None,
        budget_year=form.budget_year.data or 0,
        budget_amount=form.budget_amount.data,
        funds_available=form.funds_available.data,
        funds_spent=form.funds_spent.data,
        description=form.description.data or "",
        planned_start=form.planned_start.data,
        planned_end=form.planned_end.data,
    )


def _org_choices(form: EngagementForm) -> None:
    session = db.session()
    form.bureau_id.choices = choices(
        [(0, "请选择")] + [(o.id, o.name) for o in list_orgs(session, kind=OrgKind.bureau)]
    )
    form.unit_id.choices = choices(
        [(0, "（暂不指定）")] + [(o.id, o.name) for o in list_orgs(session, kind=OrgKind.unit)]
    )


@bp.route("/")
@requires("authenticated")
def dashboard():
    session = db.session()
    page = query_int("page", 1)
    q, stage = request.args.get("q", ""), request.args.get("stage", "")
    rows, total = services.list_for(
        session, user=current_user, q=q, stage=stage, page=page, per_page=20
    )
    lead_ids = {m.user_id for e in rows for m in e.members if m.role == "lead"}
    users = services.users_by_id(session, lead_ids)
    orgs = services.orgs_by_id(
        session, {e.bureau_id for e in rows} | {e.unit_id for e in rows if e.unit_id}
    )
    return render_template(
        "engagements/dashboard.html",
        rows=rows,
        total=total,
        page=page,
        per_page=20,
        q=q,
        stage=stage,
        users=users,
        orgs=orgs,
        stage_names=STAGE_NAMES,
        stages=ORDER,
    )


@bp.route("/engagements.xlsx")
@requires("authenticated")
def list_export():
    """The list as Excel: every engagement the page lists with the same search, not one page."""
    listing = engagement_list(
        db.session(),
        user=current_user,
        q=request.args.get("q", ""),
        stage=request.args.get("stage", ""),
    )
    return send_xlsx(workbook(listing), f"项目清单-{today_local():%Y%m%d}.xlsx")


@bp.route("/engagements/new", methods=["GET", "POST"])
@requires("agency")
def create():
    form = EngagementForm()
    _org_choices(form)
    if request.method == "GET":
        form.budget_year.data = today_local().year - 1
    if form.validate_on_submit():
        try:
            engagement = services.create(db.session(), actor=current_user, data=_form_input(form))
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(f"项目“{engagement.title}”已创建，请组建工作组并签署声明", "success")
            return redirect(url_for("engagements.flowchart", engagement_id=engagement.id))
    return render_template("engagements/form.html", form=form, engagement=None)


@bp.route("/engagements/<int:engagement_id>/edit", methods=["GET", "POST"])
@requires("engagement.manage", load=load_engagement)
def edit(engagement_id: int):
    engagement = guarded_object()
    form = EngagementForm(obj=engagement)
    _org_choices(form)
    if request.method == "GET":
        form.version.data = engagement.version
        form.unit_id.data = engagement.unit_id or 0
    if form.validate_on_submit():
        try:
            services.update(
                db.session(),
                actor=current_user,
                engagement=engagement,
                data=_form_input(form),
                version=form.version.data,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash("项目信息已保存", "success")
            return redirect(url_for("engagements.flowchart", engagement_id=engagement.id))
    return render_template("engagements/form.html", form=form, engagement=engagement)


@bp.route("/engagements/<int:engagement_id>")
@requires("engagement.view", load=load_engagement)
def flowchart(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    na = flow.not_applicable(session, engagement)
    current = Stage(engagement.stage)
    derived = [] if engagement.is_archived else flow.derived_items(session, engagement, current)
    steps = flow.flow(session, engagement, skipped=na, derived=derived)
    checklist = registry.checklist(current)
    # Stages whose gate replaces the lead's checklist have nothing to confirm: no query for them.
    confirmed = flow.confirmed_items(session, engagement, current) if checklist else {}
    # Names the page shows: who confirmed checklist items, the commissioning bureau and the unit.
    users = services.users_by_id(session, {c.confirmed_by_id for c in confirmed.values()})
    orgs = services.orgs_by_id(session, {engagement.bureau_id, engagement.unit_id or 0})
    return render_template(
        "engagements/flowchart.html",
        engagement=engagement,
        steps=steps,
        status_names=STATUS_NAMES,
        stage_work=STAGE_WORK,
        checklist=checklist,
        derived=derived,
        confirmed=confirmed,
        users=users,
        orgs=orgs,
        gaps=services.declaration_gaps(session, engagement, current_user),
        not_applicable=na,
        back_form=BackForm(),
        confirm_form=ConfirmForm(),
        visits=flow.visits(session, engagement),
        earlier=[s for s in ORDER[: ORDER.index(current)] if s not in na],
        stage_names=STAGE_NAMES,
        internal=current_user.is_agency or current_user.is_expert,
    )


@bp.route("/engagements/<int:engagement_id>/advance", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def advance(engagement_id: int):
    engagement = guarded_object()
    target = flow.advance(db.session(), actor=current_user, engagement=engagement)
    flash(
        "项目已归档，转为只读" if target is None else f"已进入“{STAGE_NAMES[target]}”阶段",
        "success",
    )
    return redirect(url_for("engagements.flowchart", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/back", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def move_back(engagement_id: int):
    engagement = guarded_object()
    form = BackForm()
    if not form.validate_on_submit():
        flash("退回须选择阶段并说明原因", "danger")
    else:
        target = flow.move_back(
            db.session(),
            actor=current_user,
            engagement=engagement,
            target=form.target.data,
            reason=form.reason.data,
        )
        flash(f"已退回到“{STAGE_NAMES[target]}”阶段", "warning")
    return redirect(url_for("engagements.flowchart", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/checklist", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def confirm(engagement_id: int):
    engagement = guarded_object()
    form = ConfirmForm()
    if form.validate_on_submit():
        flow.confirm_item(
            db.session(),
            actor=current_user,
            engagement=engagement,
            stage=form.stage.data,
            item=form.item.data,
            note=form.note.data or "",
        )
        flash("已确认", "success")
    else:
        flash("确认事项无效", "danger")
    return redirect(url_for("engagements.flowchart", engagement_id=engagement_id) + "#checklist")


@bp.route("/engagements/<int:engagement_id>/checklist/undo", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def unconfirm(engagement_id: int):
    engagement = guarded_object()
    form = ConfirmForm()
    if form.validate_on_submit():
        flow.unconfirm_item(
            db.session(),
            actor=current_user,
            engagement=engagement,
            stage=form.stage.data,
            item=form.item.data,
        )
        flash("已撤销确认", "warning")
    return redirect(url_for("engagements.flowchart", engagement_id=engagement_id) + "#checklist")


def _member_form(engagement) -> MemberForm:
    form = MemberForm()
    candidates = services.team_candidates(db.session(), engagement)
    form.user_id.choices = choices(
        [(u.id, f"{u.display_name}（{u.username}，{u.role_label}）") for u in candidates]
    )
    return form


@bp.route("/engagements/<int:engagement_id>/team")
@requires("engagement.internal", load=load_engagement)
def team(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    signed = services.declarations(session, engagement)
    users = services.users_by_id(session, {m.user_id for m in engagement.members})
    return render_template(
        "engagements/team.html",
        engagement=engagement,
        form=_member_form(engagement),
        users=users,
        signed=signed,
        kinds=list(DeclarationKind),
        kind_names=DECLARATION_NAMES,
        kind_text=DECLARATION_TEXT,
        declaring=DECLARING_ROLES,
        declaration_form=DeclarationForm(),
        reason_form=ReasonForm(),
        can_declare=bool(engagement.roles_of(current_user) & DECLARING_ROLES),
    )


@bp.route("/engagements/<int:engagement_id>/team/add", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def add_member(engagement_id: int):
    engagement = guarded_object()
    form = _member_form(engagement)
    if not form.validate_on_submit():
        flash("请选择人员和角色", "danger")
    else:
        member = experts.join_team(
            db.session(),
            actor=current_user,
            engagement=engagement,
            user_id=form.user_id.data,
            role=form.role.data,
            duty=form.duty.data or "",
        )
        flash(f"已添加成员（{member.role_name}）", "success")
    return redirect(url_for("engagements.team", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/team/<int:member_id>/remove", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def remove_member(engagement_id: int, member_id: int):
    experts.leave_team(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        member_id=member_id,
    )
    flash("成员已移除", "success")
    return redirect(url_for("engagements.team", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/declarations", methods=["POST"])
@requires("engagement.declare", load=load_engagement)
def sign(engagement_id: int):
    engagement = guarded_object()
    form = DeclarationForm()
    if not form.validate_on_submit():
        flash("请勾选承诺后再签署", "danger")
    else:
        declaration = services.sign_declaration(
            db.session(),
            actor=current_user,
            engagement=engagement,
            kind=form.kind.data,
            has_conflict=form.has_conflict.data,
            conflict_detail=form.conflict_detail.data or "",
        )
        flash(f"已签署{DECLARATION_NAMES[declaration.kind]}", "success")
    return redirect(url_for("engagements.team", engagement_id=engagement_id))


@bp.route(
    "/engagements/<int:engagement_id>/declarations/<int:declaration_id>/override", methods=["POST"]
)
@requires("admin", load=load_engagement)
def override(engagement_id: int, declaration_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        flash("请填写豁免理由", "danger")
    else:
        services.override_conflict(
            db.session(),
            actor=current_user,
            engagement=guarded_object(),
            declaration_id=declaration_id,
            reason=form.reason.data,
        )
        flash("已豁免该利益冲突，理由已记入审计日志", "warning")
    return redirect(url_for("engagements.team", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/audit")
@requires("engagement.team", load=load_engagement)
def audit_log(engagement_id: int):
    engagement = guarded_object()
    return audit_view.render(
        scope=audit.AuditEntry.engagement_id == engagement.id,
        engagement=engagement,
        endpoint="engagements.audit_log",
        export_endpoint="engagements.audit_export",
        engagement_id=engagement.id,
    )


@bp.route("/engagements/<int:engagement_id>/audit.xlsx")
@requires("engagement.team", load=load_engagement)
def audit_export(engagement_id: int):
    engagement = guarded_object()
    scope = audit.AuditEntry.engagement_id == engagement.id
    return audit_view.send_export(scope=scope, name=f"{engagement.code or engagement.id}项目")
