"""Pages of the rectification follow-up, the archive and the user's notifications."""

from __future__ import annotations

from flask import after_this_request, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from workbench import db
from workbench.core.downloads import send_xlsx
from workbench.core.forms import choices, flash_errors
from workbench.core.hygiene import parse_int
from workbench.core.inputs import query_int
from workbench.core.permissions import guarded_object, requires
from workbench.engagements.services import load_engagement
from workbench.review import (
    archive,
    notifications,
    rectification,
    rectification_export,
    seal,
)
from workbench.review.archive_checklist import checklist
from workbench.review.blueprint import bp
from workbench.review.forms import ItemForm, ProgressForm, RectificationForm
from workbench.review.loaders import load_notification
from workbench.review.pages import follow_up_lists
from workbench.review.permissions import is_bureau_of
from workbench.review.states import (
    FOLLOW_UP_MOVES,
    FOLLOW_UP_NAMES,
    FollowUpStatus,
)


def _rectification_url(engagement_id: int, anchor: str = "") -> str:
    url = url_for("review.rectification", engagement_id=engagement_id)
    return url + (f"#{anchor}" if anchor else "")


@bp.route("/engagements/<int:engagement_id>/review/rectification", endpoint="rectification")
@requires("review.view", load=load_engagement)
def rectification_page(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    items = rectification.items_of(session, engagement)
    # The follow-up stays open after the archive (rectification runs past it by design).
    lead = engagement.can_manage(current_user)
    final = rectification.approved_final(session, engagement)
    form = RectificationForm()
    feedback_days, rectify_days = rectification.default_days()
    if lead and final is not None:
        found = rectification.candidates(session, engagement)
        known = {i.problem for i in items}
        form.problems.data = "\n".join(p for p in found if p not in known)
        form.feedback_days.data, form.rectify_days.data = feedback_days, rectify_days
    return render_template(
        "review/rectification.html",
        engagement=engagement,
        moves={
            i.id: [(s.value, FOLLOW_UP_NAMES[s]) for s in FOLLOW_UP_MOVES[FollowUpStatus(i.status)]]
            for i in items
        },
        lead=lead,
        follow_up=lead or is_bureau_of(current_user, engagement),
        final=final,
        form=form,
        item_form=ItemForm(),
        progress_form=ProgressForm(),
        **follow_up_lists(
            session,
            engagement,
            items,
            user_ids=frozenset(i.updated_by_id for i in items if i.updated_by_id),
        ),
    )


@bp.route(
    "/engagements/<int:engagement_id>/review/rectification.xlsx",
    endpoint="rectification_export",
)
@requires("review.view", load=load_engagement)
def rectification_export_page(engagement_id: int):
    """The rectification list as Excel: every item with what the page shows beside it."""
    engagement = guarded_object()
    data = rectification_export.workbook(db.session(), engagement=engagement)
    return send_xlsx(data, f"{engagement.code} 整改清单.xlsx")


@bp.route("/engagements/<int:engagement_id>/review/rectification/new", methods=["POST"])
@requires("review.manage", load=load_engagement)
def create_items(engagement_id: int):
    form = RectificationForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(_rectification_url(engagement_id))
    created = rectification.create_items(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        text=form.problems.data or "",
        base_date=form.base_date.data,
        feedback_days=form.feedback_days.data,
        rectify_days=form.rectify_days.data,
    )
    flash(f"已建立 {len(created)} 项整改跟踪事项", "success")
    return redirect(_rectification_url(engagement_id))


@bp.route(
    "/engagements/<int:engagement_id>/review/rectification/<int:item_id>/edit", methods=["POST"]
)
@requires("review.manage", load=load_engagement)
def edit_item(engagement_id: int, item_id: int):
    form = ItemForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(_rectification_url(engagement_id, f"item-{item_id}"))
    rectification.update_item(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        item_id=item_id,
        problem=form.problem.data or "",
        requirement=form.requirement.data or "",
        feedback_due=form.feedback_due.data,
        rectify_due=form.rectify_due.data,
        version=parse_int(request.form.get("version", "")),
    )
    flash("整改事项已保存", "success")
    return redirect(_rectification_url(engagement_id, f"item-{item_id}"))


@bp.route(
    "/engagements/<int:engagement_id>/review/rectification/<int:item_id>/progress",
    methods=["POST"],
)
@requires("review.follow_up", load=load_engagement)
def progress(engagement_id: int, item_id: int):
    form = ProgressForm()
    form.status.choices = choices((s.value, n) for s, n in FOLLOW_UP_NAMES.items())
    if not form.validate_on_submit():
        flash("请选择进展", "danger")
        return redirect(_rectification_url(engagement_id, f"item-{item_id}"))
    item = rectification.record_progress(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        item_id=item_id,
        status=form.status.data or "",
        note=form.note.data or "",
        version=parse_int(request.form.get("version", "")),
    )
    flash(f"已登记：{FOLLOW_UP_NAMES[FollowUpStatus(item.status)]}", "success")
    return redirect(_rectification_url(engagement_id, f"item-{item_id}"))


@bp.route(
    "/engagements/<int:engagement_id>/review/rectification/<int:item_id>/delete",
    methods=["POST"],
)
@requires("review.manage", load=load_engagement)
def delete_item(engagement_id: int, item_id: int):
    rectification.delete_item(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        item_id=item_id,
    )
    flash("整改事项已删除", "warning")
    return redirect(_rectification_url(engagement_id))


# --- the archive ----------------------------------------------------------------------------


@bp.route("/engagements/<int:engagement_id>/archive", endpoint="archive")
@requires("review.team", load=load_engagement)
def archive_page(engagement_id: int):
    engagement = guarded_object()
    items = checklist(db.session(), engagement)
    return render_template(
        "review/archive.html",
        engagement=engagement,
        items=items,
        missing=sum(not i.ok for i in items),
    )


@bp.route("/engagements/<int:engagement_id>/archive/export")
@requires("review.team", load=load_engagement)
def archive_export(engagement_id: int):
    engagement = guarded_object()
    path, _addendum = seal.export_package(db.session(), engagement)

    @after_this_request
    def _remove(response):
        response.call_on_close(lambda: path.unlink(missing_ok=True))
        return response

    name = f"{archive.safe_name(engagement.code, 'engagement')}-档案包.zip"
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=name)


# --- notifications --------------------------------------------------------------------------


@bp.route("/notifications", endpoint="notifications")
@requires("authenticated")
def notifications_page():
    page = query_int("page", 1)
    unread_only = request.args.get("unread") == "1"
    rows, total = notifications.list_for(
        db.session(), user=current_user, unread_only=unread_only, page=page, per_page=30
    )
    return render_template(
        "review/notifications.html",
        rows=rows,
        total=total,
        page=page,
        per_page=30,
        unread_only=unread_only,
    )


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@requires("review.own", load=load_notification)
def read_notification(notification_id: int):
    row = guarded_object()
    notifications.mark_read(db.session(), actor=current_user, notification=row)
    target = row.link if row.link.startswith("/") and not row.link.startswith("//") else ""
    return redirect(target or url_for("review.notifications"))


@bp.route("/notifications/read-all", methods=["POST"])
@requires("authenticated")
def read_all():
    count = notifications.mark_all_read(db.session(), actor=current_user)
    flash(f"已将 {count} 条通知标为已读", "success")
    return redirect(url_for("review.notifications"))
