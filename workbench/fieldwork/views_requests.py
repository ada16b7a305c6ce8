"""Document request pages (资料清单): lists and their Excel, create, send, links, item status,
uploads, the link page."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlmodel import col, select

from workbench import db
from workbench.core import uploads
from workbench.core.downloads import send_xlsx
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.forms import attach_errors, choices
from workbench.core.permissions import allowed, guarded_object, public, requires
from workbench.core.public_links import external_url
from workbench.core.timeutil import today_local
from workbench.engagements.services import users_by_id
from workbench.fieldwork import loaders
from workbench.fieldwork import requests as service
from workbench.fieldwork.blueprint import bp
from workbench.fieldwork.forms import (
    CsrfForm,
    ItemsForm,
    ItemStatusForm,
    LinkForm,
    RequestForm,
    SendForm,
)
from workbench.fieldwork.models import Evidence, WorkingPaper
from workbench.fieldwork.permissions import can_write
from workbench.fieldwork.registers import list_request_items
from workbench.fieldwork.requests_export import workbook as items_workbook


def _detail(engagement_id: int, request_id: int, anchor: str = ""):
    url = url_for("fieldwork.request_show", engagement_id=engagement_id, request_id=request_id)
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _files_by_item(item_ids: list[int]) -> dict[int, list[Evidence]]:
    found: dict[int, list[Evidence]] = {i: [] for i in item_ids}
    if item_ids:
        for row in (
            db.session()
            .exec(
                select(Evidence)
                .where(col(Evidence.request_item_id).in_(item_ids))
                .order_by(col(Evidence.id))
            )
            .all()
        ):
            found[row.request_item_id].append(row)
    return found


@bp.route("/engagements/<int:engagement_id>/requests")
@requires("fieldwork.requests", load=loaders.engagement)
def requests_list(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    rows = service.list_requests(session, engagement=engagement, user=current_user)
    items = service.items_of(session, [r.id for r in rows])
    people = users_by_id(session, {r.contact_user_id for r in rows if r.contact_user_id})
    return render_template(
        "fieldwork/requests.html",
        engagement=engagement,
        rows=rows,
        items=items,
        people=people,
        today=today_local(),
    )


@bp.route("/engagements/<int:engagement_id>/requests.xlsx")
@requires("fieldwork.requests", load=loaders.engagement)
def requests_export(engagement_id: int):
    """Every item of the requests the page lists to this user, one row each, as Excel."""
    engagement = guarded_object()
    rows = list_request_items(db.session(), engagement=engagement, user=current_user)
    return send_xlsx(items_workbook(rows, today=today_local()), f"{engagement.code} 资料清单.xlsx")


def _paper_choices(engagement, form: RequestForm) -> None:
    rows = (
        db.session()
        .exec(
            select(WorkingPaper)
            .where(WorkingPaper.engagement_id == engagement.id)
            .order_by(col(WorkingPaper.index_no))
        )
        .all()
    )
    form.paper_id.choices = choices(
        [(0, "（不关联）")] + [(p.id, p.label) for p in rows if p.template_key == "document_list"]
    )
    form.receipt_paper_id.choices = choices(
        [(0, "（项目资料清单，不归入底稿）")]
        + [(p.id, p.label) for p in rows if p.template_key == "document_receipt"]
    )


@bp.route("/engagements/<int:engagement_id>/requests/new", methods=["GET", "POST"])
@requires("fieldwork.manage", load=loaders.engagement)
def request_new(engagement_id: int):
    engagement = guarded_object()
    form = RequestForm()
    _paper_choices(engagement, form)
    if form.validate_on_submit():
        try:
            items = service.parse_item_lines(form.items.data, default_due=form.due_date.data)
            created = service.create_request(
                db.session(),
                actor=current_user,
                engagement=engagement,
                title=form.title.data,
                items=items,
                note=form.note.data or "",
                paper_id=form.paper_id.data or None,
                receipt_paper_id=form.receipt_paper_id.data or None,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(
                f"资料清单“{created.title}”已创建，请发送给被评价单位联系人或生成上传链接",
                "success",
            )
            return _detail(engagement_id, created.id)
    return render_template("fieldwork/request_new.html", engagement=engagement, form=form)


@bp.route("/engagements/<int:engagement_id>/requests/<int:request_id>")
@requires("fieldwork.request", load=loaders.request)
def request_show(engagement_id: int, request_id: int):
    session = db.session()
    scope = guarded_object()
    items = service.items_of(session, [scope.request.id])[scope.request.id]
    send_form = SendForm()
    contacts = service.unit_contacts(session, scope.engagement)
    send_form.contact_user_id.choices = choices((u.id, u.display_name) for u in contacts)
    send_form.contact_user_id.data = scope.request.contact_user_id
    papers = {
        p.id: p
        for p in session.exec(
            select(WorkingPaper).where(
                col(WorkingPaper.id).in_(
                    [i for i in (scope.request.paper_id, scope.request.receipt_paper_id) if i]
                    or [0]
                )
            )
        ).all()
    }
    people = users_by_id(session, {scope.request.contact_user_id or 0})
    return render_template(
        "fieldwork/request.html",
        engagement=scope.engagement,
        req=scope.request,
        items=items,
        files=_files_by_item([i.id for i in items]),
        papers=papers,
        people=people,
        today=today_local(),
        send_form=send_form,
        link_form=LinkForm(days=14),
        items_form=ItemsForm(),
        manage=scope.engagement.can_manage(current_user),
        internal=can_write(current_user, scope.engagement),
        max_mb=uploads.max_upload_mb(),
        upload_url=_upload_url(scope),
    )


def _upload_url(scope):
    """Where this user uploads an item's files, or nothing (readers, archived engagements)."""
    if scope.engagement.is_archived or not allowed("fieldwork.request_upload", scope):
        return lambda item: None
    return lambda item: url_for(
        "fieldwork.item_upload",
        engagement_id=scope.engagement.id,
        request_id=scope.request.id,
        request_item_id=item.id,
    )


@bp.route("/engagements/<int:engagement_id>/requests/<int:request_id>/items", methods=["POST"])
@requires("fieldwork.manage", load=loaders.request)
def request_add_items(engagement_id: int, request_id: int):
    scope = guarded_object()
    form = ItemsForm()
    if not form.validate_on_submit():
        flash("请至少列出一项资料", "danger")
        return _detail(engagement_id, request_id)
    items = service.parse_item_lines(form.items.data, default_due=form.due_date.data)
    rows = service.add_items(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        request=scope.request,
        items=items,
    )
    flash(f"已新增 {len(rows)} 项资料", "success")
    return _detail(engagement_id, request_id)


@bp.route("/engagements/<int:engagement_id>/requests/<int:request_id>/send", methods=["POST"])
@requires("fieldwork.manage", load=loaders.request)
def request_send(engagement_id: int, request_id: int):
    scope = guarded_object()
    form = SendForm()
    form.contact_user_id.choices = []
    if not form.validate_on_submit() or not form.contact_user_id.data:
        flash("请选择被评价单位联系人", "danger")
        return _detail(engagement_id, request_id)
    service.send_request(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        request=scope.request,
        contact_user_id=form.contact_user_id.data,
    )
    flash("资料清单已发送，联系人登录后可在“资料清单”中查看并上传", "success")
    return _detail(engagement_id, request_id)


@bp.route("/engagements/<int:engagement_id>/requests/<int:request_id>/link", methods=["POST"])
@requires("fieldwork.manage", load=loaders.request)
def request_link(engagement_id: int, request_id: int):
    scope = guarded_object()
    form = LinkForm()
    if not form.validate_on_submit():
        flash(next(iter(form.days.errors), "有效天数无效"), "danger")
        return _detail(engagement_id, request_id, "link")
    token = service.create_link(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        request=scope.request,
        days=form.days.data,
    )
    link = external_url("fieldwork.link_page", request_token=token)
    flash(f"上传链接（仅显示这一次，请复制后发给单位联系人）：{link}", "success")
    return _detail(engagement_id, request_id, "link")


@bp.route(
    "/engagements/<int:engagement_id>/requests/<int:request_id>/link/revoke", methods=["POST"]
)
@requires("fieldwork.manage", load=loaders.request)
def request_revoke(engagement_id: int, request_id: int):
    scope = guarded_object()
    if CsrfForm().validate_on_submit():
        service.revoke_link(
            db.session(), actor=current_user, engagement=scope.engagement, request=scope.request
        )
        flash("上传链接已停用", "warning")
    return _detail(engagement_id, request_id, "link")


@bp.route(
    "/engagements/<int:engagement_id>/requests/<int:request_id>/items/<int:request_item_id>/status",
    methods=["POST"],
)
@requires("fieldwork.manage", load=loaders.request)
def item_status(engagement_id: int, request_id: int, request_item_id: int):
    scope = guarded_object()
    form = ItemStatusForm()
    if not form.validate_on_submit():
        flash("操作无效", "danger")
        return _detail(engagement_id, request_id)
    item = service.set_item_status(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        request=scope.request,
        item_id=request_item_id,
        action=form.action.data,
        reason=form.reason.data or "",
    )
    flash(f"“{item.name}”已更新", "success")
    return _detail(engagement_id, request_id, f"item-{request_item_id}")


@bp.route(
    "/engagements/<int:engagement_id>/requests/<int:request_id>/items/<int:request_item_id>/upload",
    methods=["POST"],
)
@requires("fieldwork.request_upload", load=loaders.request)
def item_upload(engagement_id: int, request_id: int, request_item_id: int):
    scope = guarded_object()
    if CsrfForm().validate_on_submit():
        created = service.upload_to_item(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            request=scope.request,
            item_id=request_item_id,
            files=uploads.received_files(),
            max_mb=uploads.max_upload_mb(),
        )
        flash(f"已上传 {len(created)} 个文件", "success")
    return _detail(engagement_id, request_id, f"item-{request_item_id}")


def _by_token(token: str):
    """(request, engagement, None), or (None, None, the refusal) for an unknown or expired link."""
    try:
        req, engagement = service.request_for_token(db.session(), token)
    except (service.LinkExpired, NotFound) as error:
        db.mark_rollback()
        return None, None, error
    return req, engagement, None


def _closed(error):
    return render_template("fieldwork/link_closed.html", message=error.message), error.status


@bp.route("/r/<request_token>")
@public
def link_page(request_token: str):
    req, engagement, error = _by_token(request_token)
    if error is not None:
        return _closed(error)
    items = service.items_of(db.session(), [req.id])[req.id]
    return render_template(
        "fieldwork/link.html",
        token=request_token,
        req=req,
        engagement=engagement,
        items=items,
        files=_files_by_item([i.id for i in items]),
        today=today_local(),
        max_mb=uploads.max_upload_mb(),
        upload_url=lambda item: url_for(
            "fieldwork.link_upload", request_token=request_token, request_item_id=item.id
        ),
    )


@bp.route("/r/<request_token>/items/<int:request_item_id>/upload", methods=["POST"])
@public
def link_upload(request_token: str, request_item_id: int):
    session = db.session()
    req, engagement, error = _by_token(request_token)
    if error is not None:
        return _closed(error)
    if CsrfForm().validate_on_submit():
        contact = users_by_id(session, {req.contact_user_id or 0}).get(req.contact_user_id or 0)
        created = service.upload_to_item(
            session,
            actor=None,
            engagement=engagement,
            request=req,
            item_id=request_item_id,
            files=uploads.received_files(),
            max_mb=uploads.max_upload_mb(),
            contact_name=contact.display_name if contact else "",
        )
        flash(f"已上传 {len(created)} 个文件，谢谢！", "success")
    return redirect(
        url_for("fieldwork.link_page", request_token=request_token) + f"#item-{request_item_id}"
    )
