"""Expert pool pages and the engagement's 专家 tab (assignments and fees)."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select

from workbench import db
from workbench.accounts.models import User
from workbench.accounts.services import list_users
from workbench.core.downloads import send_xlsx
from workbench.core.errors import ValidationFailed
from workbench.core.forms import attach_errors, choices
from workbench.core.inputs import query_int
from workbench.core.money import parse_decimal
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.core.templating import register_nav, register_tab
from workbench.core.timeutil import today_local
from workbench.engagements.services import load_engagement
from workbench.experts import permissions as _permissions  # noqa: F401  (registers predicates)
from workbench.experts import (
    pool_export,
    services,
    views_plan_reviews,  # noqa: F401 - the plan review page
    views_pool_import,  # noqa: F401 - 从Excel导入专家
    views_team_import,  # noqa: F401 - 导入工作组成员
)
from workbench.experts.blueprint import bp
from workbench.experts.forms import (
    AssignForm,
    ConflictForm,
    DeleteForm,
    EndForm,
    ExpertForm,
    FeeForm,
)
from workbench.experts.models import Expert

register_nav("专家库", "experts.pool", "agency")
register_nav("我的专家档案", "experts.my_profile", "expert.account")
register_tab("专家", "experts.engagement_experts", "engagement.team")

PER_PAGE = 20


def load_expert(expert_id: int, **_) -> Expert:
    return services.get_expert(db.session(), expert_id)


def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "danger")


# --- the pool ---------------------------------------------------------------------------------


@bp.route("/experts")
@requires("agency")
def pool():
    session = db.session()
    page = query_int("page", 1)
    q, tag = request.args.get("q", ""), request.args.get("tag", "")
    rows, total = services.search(
        session, user=current_user, q=q, tag=tag, page=page, per_page=PER_PAGE
    )
    return render_template(
        "experts/pool.html",
        rows=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        q=q,
        tag=tag,
        tags=services.all_tags(session, agency_id=current_user.org_id),
        counts=services.assignment_counts(session, rows),
    )


@bp.route("/experts.xlsx")
@requires("agency")
def export():
    """The pool as Excel: every expert the list shows with the same filters, not one page."""
    session = db.session()
    rows, _total = services.search(
        session,
        user=current_user,
        q=request.args.get("q", ""),
        tag=request.args.get("tag", ""),
        per_page=None,
    )
    return send_xlsx(
        pool_export.workbook(rows, services.assignment_counts(session, rows)),
        f"专家名单-{today_local():%Y%m%d}.xlsx",
    )


def _user_choices(form: ExpertForm, expert: Expert | None) -> None:
    session = db.session()
    linked = set(session.exec(select(Expert.user_id).where(col(Expert.user_id).is_not(None))).all())
    if expert is not None:
        linked.discard(expert.user_id)
    users = [
        u
        for u in list_users(session, managed_by_id=current_user.org_id)
        if u.active and (u.is_expert or u.is_agency) and u.id not in linked
    ]
    form.user_id.choices = choices(
        [(0, "（不关联）")]
        + [(u.id, f"{u.display_name}（{u.username}，{u.role_label}）") for u in users]
    )


def _expert_input(form: ExpertForm) -> services.ExpertInput:
    return services.ExpertInput(
        name=form.name.data or "",
        title=form.title.data or "",
        field_tags=form.field_tags.data or "",
        organisation=form.organisation.data or "",
        phone=form.phone.data or "",
        email=form.email.data or "",
        user_id=form.user_id.data or None,
        note=form.note.data or "",
        active=bool(form.active.data),
    )


@bp.route("/experts/new", methods=["GET", "POST"])
@requires("admin")
def create():
    form = ExpertForm()
    _user_choices(form, None)
    if form.validate_on_submit():
        try:
            expert = services.create_expert(
                db.session(), actor=current_user, data=_expert_input(form)
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(f"已将 {expert.name} 加入专家库", "success")
            return redirect(url_for("experts.profile", expert_id=expert.id))
    return render_template("experts/form.html", form=form, expert=None)


@bp.route("/experts/<int:expert_id>/edit", methods=["GET", "POST"])
@requires("expert.manage", load=load_expert)
def edit(expert_id: int):
    expert = guarded_object()
    form = ExpertForm(obj=expert)
    _user_choices(form, expert)
    if request.method == "GET":
        form.version.data = expert.version
        form.user_id.data = expert.user_id or 0
        form.field_tags.data = "、".join(expert.tags)
    if form.validate_on_submit():
        try:
            services.update_expert(
                db.session(),
                actor=current_user,
                expert=expert,
                data=_expert_input(form),
                version=form.version.data,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash("专家档案已保存", "success")
            return redirect(url_for("experts.profile", expert_id=expert.id))
    return render_template("experts/form.html", form=form, expert=expert)


@bp.route("/experts/<int:expert_id>")
@requires("expert.view", load=load_expert)
def profile(expert_id: int):
    session = db.session()
    expert = guarded_object()
    rows = services.history(session, expert)
    account = session.get(User, expert.user_id) if expert.user_id else None
    return render_template(
        "experts/profile.html",
        expert=expert,
        account=account,
        conflicts=services.conflicts_of(session, expert),
        rows=rows,
        show_fees=current_user.is_admin or expert.is_self(current_user),
        fee_total=sum((r.fee_total for r in rows), start=Decimal("0.00")),
        conflict_form=ConflictForm(),
        delete_form=DeleteForm(),
        can_declare=allowed("expert.declare", expert),
    )


@bp.route("/experts/me")
@requires("expert.account")
def my_profile():
    expert = services.expert_for_user(db.session(), current_user)
    if expert is None:
        return render_template("experts/no_profile.html")
    return redirect(url_for("experts.profile", expert_id=expert.id))


@bp.route("/experts/<int:expert_id>/conflicts", methods=["POST"])
@requires("expert.declare", load=load_expert)
def add_conflict(expert_id: int):
    form = ConflictForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
    else:
        services.declare_conflict(
            db.session(),
            actor=current_user,
            expert=guarded_object(),
            org_name=form.org_name.data,
            relation=form.relation.data or "",
        )
        flash("已申报关联单位", "success")
    return redirect(url_for("experts.profile", expert_id=expert_id) + "#conflicts")


@bp.route("/experts/<int:expert_id>/conflicts/<int:conflict_id>/remove", methods=["POST"])
@requires("expert.declare", load=load_expert)
def remove_conflict(expert_id: int, conflict_id: int):
    removed = services.remove_conflict(
        db.session(), actor=current_user, expert=load_expert(expert_id), conflict_id=conflict_id
    )
    if removed:
        flash("已撤回关联单位", "warning")
    else:
        flash("已提交撤回申请；机构管理员审批前，该关联单位仍然有效", "info")
    return redirect(url_for("experts.profile", expert_id=expert_id) + "#conflicts")


def _decide(expert_id: int, conflict_id: int, *, approve: bool):
    form = DeleteForm()  # CSRF only
    if form.validate_on_submit():
        services.decide_withdrawal(
            db.session(),
            actor=current_user,
            expert=load_expert(expert_id),
            conflict_id=conflict_id,
            approve=approve,
        )
        flash(
            "已同意撤回，该关联单位已撤销" if approve else "已驳回撤回申请，关联单位继续有效",
            "success",
        )
    else:
        flash("请求无效，请刷新页面后重试", "danger")
    return redirect(url_for("experts.profile", expert_id=expert_id) + "#conflicts")


@bp.route(
    "/experts/<int:expert_id>/conflicts/<int:conflict_id>/withdrawal/approve", methods=["POST"]
)
@requires("expert.manage", load=load_expert)
def approve_withdrawal(expert_id: int, conflict_id: int):
    return _decide(expert_id, conflict_id, approve=True)


@bp.route(
    "/experts/<int:expert_id>/conflicts/<int:conflict_id>/withdrawal/refuse", methods=["POST"]
)
@requires("expert.manage", load=load_expert)
def refuse_withdrawal(expert_id: int, conflict_id: int):
    return _decide(expert_id, conflict_id, approve=False)


# --- the engagement's 专家 tab ----------------------------------------------------------------


def _assign_form(engagement) -> tuple[AssignForm, list[tuple[Expert, list[str]]]]:
    session = db.session()
    form = AssignForm()
    pool = services.candidates(session, engagement)
    conflicts = services.conflict_map(session, experts=pool, engagement=engagement)
    form.expert_id.choices = choices(
        [(0, "请选择")]
        + [
            (
                e.id,
                f"{e.name}（{e.title or '—'}，{e.organisation or '—'}）"
                + ("  ⚠ 存在利益冲突" if conflicts.get(e.id) else ""),
            )
            for e in pool
        ]
    )
    return form, [(e, conflicts[e.id]) for e in pool if conflicts.get(e.id)]


@bp.route("/engagements/<int:engagement_id>/experts")
@requires("engagement.team", load=load_engagement)
def engagement_experts(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    rows = services.for_engagement(session, engagement)
    form, conflicts = _assign_form(engagement)
    fee_form = FeeForm()
    fee_form.fee_date.data = today_local()
    return render_template(
        "experts/engagement.html",
        engagement=engagement,
        rows=rows,
        form=form,
        conflicts=conflicts,
        fee_form=fee_form,
        end_form=EndForm(),
        delete_form=DeleteForm(),
        can_manage=allowed("engagement.manage", engagement) and not engagement.is_archived,
        total=sum((r.fee_total for r in rows), start=Decimal("0.00")),
    )


@bp.route("/engagements/<int:engagement_id>/experts", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def assign(engagement_id: int):
    engagement = guarded_object()
    form, _conflicts = _assign_form(engagement)
    if not form.validate_on_submit():
        _flash_form_errors(form)
    else:
        assignment = services.assign(
            db.session(),
            actor=current_user,
            engagement=engagement,
            expert_id=form.expert_id.data,
            duty=form.duty.data or "",
            override_reason=form.override_reason.data or "",
        )
        flash(
            "已指派专家（利益冲突已由管理员豁免，理由已记入审计日志）"
            if assignment.override_reason
            else "已指派专家，请提醒专家签署独立性声明和保密承诺",
            "warning" if assignment.override_reason else "success",
        )
    return redirect(url_for("experts.engagement_experts", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/experts/<int:assignment_id>/end", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def end_assignment(engagement_id: int, assignment_id: int):
    form = EndForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
    else:
        services.end_assignment(
            db.session(),
            actor=current_user,
            engagement=guarded_object(),
            assignment_id=assignment_id,
            reason=form.reason.data,
        )
        flash("已结束该专家的指派", "warning")
    return redirect(url_for("experts.engagement_experts", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/experts/<int:assignment_id>/fees", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def add_fee(engagement_id: int, assignment_id: int):
    form = FeeForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
    else:
        try:
            amount = parse_decimal(form.amount.data)
        except ValueError as error:
            raise ValidationFailed(str(error), details=[]) from None
        fee = services.add_fee(
            db.session(),
            actor=current_user,
            engagement=guarded_object(),
            assignment_id=assignment_id,
            item=form.item.data,
            amount=amount,
            fee_date=form.fee_date.data,
            note=form.note.data or "",
        )
        flash(f"已登记专家费用 {fee.amount:,.2f} 元", "success")
    return redirect(url_for("experts.engagement_experts", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/expert-fees/<int:fee_id>/delete", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def delete_fee(engagement_id: int, fee_id: int):
    services.delete_fee(
        db.session(), actor=current_user, engagement=guarded_object(), fee_id=fee_id
    )
    flash("已删除该笔专家费用", "warning")
    return redirect(url_for("experts.engagement_experts", engagement_id=engagement_id))
