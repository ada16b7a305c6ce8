"""Pages of offline fieldwork. An instance opened from a checkout package (a laptop in the field,
config OFFLINE) also gets the laptop's own rules and pages: workbench/offline/laptop_views.py.

On the server: the engagement's 离线工作 page (check out to a laptop, import a return package,
what is out and what came back), a check-in's report, and the conflicts the lead settles.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlmodel import col, select
from werkzeug.exceptions import RequestEntityTooLarge

from workbench import db
from workbench.core import storage, uploads
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.forms import attach_errors
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.core.templating import register_notice, register_tab
from workbench.core.timeutil import today_local
from workbench.engagements import services as engagements
from workbench.engagements.models import Engagement
from workbench.engagements.services import load_engagement
from workbench.extensions import csrf
from workbench.offline import checkin as checkin_service
from workbench.offline import checkout as checkout_service
from workbench.offline import conflicts as conflict_service
from workbench.offline import display, laptop_views
from workbench.offline import permissions as _permissions  # noqa: F401 - registers predicates
from workbench.offline.blueprint import bp
from workbench.offline.forms import CheckinForm, CheckoutForm, ConfirmForm, ResolveForm
from workbench.offline.models import OfflineCheckin, OfflineCheckout, OfflineConflict

# A return package holds the laptop's photos and scans: far beyond MAX_UPLOAD_MB. The check-in
# form alone accepts up to config OFFLINE_UPLOAD_MB (4096), and only from who may import here.

register_tab("离线工作", "offline.page", "engagement.team")
register_notice("offline/_notice.html")


@bp.record_once
def _laptop(state) -> None:
    """A laptop in the field: the guard, the banner and the return-package page."""
    if state.app.config.get("OFFLINE"):
        state.app.register_blueprint(laptop_views.bp)


@bp.app_context_processor
def _out_in_the_field() -> dict:
    """`offline_checkouts(engagement)` for the flowchart's notice (queried only where shown)."""

    def offline_checkouts(engagement):
        return checkout_service.active(db.session(), engagement.id)

    return {"offline_checkouts": offline_checkouts}


def upload_limit_mb() -> int:
    return int(current_app.config["OFFLINE_UPLOAD_MB"])


def _may_import(engagement_id: int | None) -> bool:
    if not current_user.is_authenticated or engagement_id is None:
        return False
    engagement = db.session().get(Engagement, engagement_id)
    return engagement is not None and allowed("offline.carry", engagement)


@bp.before_request
def _room_for_a_return_package():
    """The check-in form's limit is raised before anything reads the body, for those who may
    import here (anyone else keeps MAX_UPLOAD_MB); CSRF, exempted from the app-wide check that
    would read the body first, is checked here instead."""
    if request.endpoint != "offline.checkin" or request.method != "POST":
        return
    if _may_import((request.view_args or {}).get("engagement_id")):
        request.max_content_length = upload_limit_mb() * 1024 * 1024
    config = current_app.config
    if config.get("WTF_CSRF_ENABLED", True) and config.get("WTF_CSRF_CHECK_DEFAULT", True):
        csrf.protect()


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    flash(f"上传内容过大：回传包不能超过 {upload_limit_mb()} MB", "danger")
    engagement_id = (request.view_args or {}).get("engagement_id")
    if engagement_id is None:
        return redirect("/")
    return redirect(url_for("offline.page", engagement_id=engagement_id))


def _page(
    engagement: Engagement,
    *,
    checkout_form: CheckoutForm | None = None,
    checkin_form: CheckinForm | None = None,
    checkin_error: str = "",
    status: int = 200,
):
    session = db.session()
    past = checkin_service.checkins(session, engagement.id)
    people = engagements.users_by_id(session, {c.by_id for c, _ in past})
    return render_template(
        "offline/page.html",
        engagement=engagement,
        active=checkout_service.active(session, engagement.id),
        checkins=[(c, out, display.figures(c.summary or {})) for c, out in past],
        people=people,
        open_conflicts=len(conflict_service.listing(session, engagement.id, open_only=True)),
        checkout_form=checkout_form or CheckoutForm(),
        checkin_form=checkin_form or CheckinForm(),
        checkin_error=checkin_error,
        revoke_form=ConfirmForm(),
        min_passphrase=checkout_service.MIN_PASSPHRASE,
        upload_mb=upload_limit_mb(),
    ), status


@bp.route("/engagements/<int:engagement_id>/offline")
@requires("engagement.team", load=load_engagement)
def page(engagement_id: int):
    return _page(guarded_object())


@bp.route("/engagements/<int:engagement_id>/offline/checkouts", methods=["POST"])
@requires("offline.carry", load=load_engagement)
def checkout(engagement_id: int):
    engagement, form = guarded_object(), CheckoutForm()
    if not form.validate_on_submit():
        db.mark_rollback()
        return _page(engagement, checkout_form=form, status=422)
    fd, name = tempfile.mkstemp(prefix="offline-checkout-", suffix=checkout_service.SUFFIX)
    os.close(fd)
    out = Path(name)
    try:
        row = checkout_service.checkout(
            db.session(),
            actor=current_user,
            engagement=engagement,
            device=form.device.data or "",
            passphrase=form.passphrase.data or "",
            repeat=form.passphrase2.data or "",
            out=out,
        )
    except (ValidationFailed, Conflict) as error:
        out.unlink(missing_ok=True)
        attach_errors(form, error)
        return _page(engagement, checkout_form=form, status=error.status)
    except BaseException:
        out.unlink(missing_ok=True)
        raise

    download = display.package_name(
        code=engagement.code, engagement_id=engagement.id, device=row.device, day=today_local()
    )
    return Response(
        _SentThenRemoved(out),
        mimetype="application/octet-stream",
        headers={
            "Content-Disposition": storage.attachment(download),
            "Content-Length": str(out.stat().st_size),
            "Cache-Control": "no-store",
        },
    )


class _SentThenRemoved:
    """The file in 1 MB steps, removed when the answer is closed: sent, or the client gone
    (send_file's pass-through answer never runs call_on_close, so its file would stay behind)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = path.open("rb")

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.file.read(1 << 20):
            yield chunk

    def close(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


@bp.route(
    "/engagements/<int:engagement_id>/offline/checkouts/<int:checkout_id>/revoke",
    methods=["POST"],
)
@requires("engagement.manage", load=load_engagement)
def revoke(engagement_id: int, checkout_id: int):
    engagement = guarded_object()
    back = redirect(url_for("offline.page", engagement_id=engagement_id))
    if not ConfirmForm().validate_on_submit():
        return back
    row = db.session().get(OfflineCheckout, checkout_id)
    if row is None or row.engagement_id != engagement.id:
        raise NotFound("检出记录不存在")
    checkout_service.revoke(db.session(), actor=current_user, engagement=engagement, row=row)
    flash(f"已作废“{row.device}”的检出：此后它的回传包不再导入", "warning")
    return back


def _return_package(form: CheckinForm):
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        raise ValidationFailed.of_field("file", "请选择笔记本上导出的回传包（.wbpkg 文件）")
    name = uploads.safe_name(upload.filename)
    if not name.lower().endswith(checkout_service.SUFFIX):
        raise ValidationFailed.of_field(
            "file", f"“{name}”不是回传包：请选择笔记本上导出的 .wbpkg 文件"
        )
    return upload


@bp.route("/engagements/<int:engagement_id>/offline/checkins", methods=["POST"])
@csrf.exempt  # checked in _room_for_a_return_package, once the size limit is known
@requires("offline.carry", load=load_engagement)
def checkin(engagement_id: int):
    engagement, form = guarded_object(), CheckinForm()
    if not form.validate_on_submit():
        db.mark_rollback()
        return _page(engagement, checkin_form=form, status=422)
    try:
        upload = _return_package(form)
        with uploads.as_file(upload, suffix=checkout_service.SUFFIX) as path:
            row = checkin_service.checkin(
                db.session(),
                actor=current_user,
                path=path,
                passphrase=form.passphrase.data or "",
                engagement=engagement,
                finish=bool(form.finish.data),
            )
    except (checkin_service.Refused, Conflict) as error:
        db.mark_rollback()
        return _page(
            engagement, checkin_form=form, checkin_error=error.message, status=error.status
        )
    except ValidationFailed as error:
        attach_errors(form, error)
        return _page(engagement, checkin_form=form, status=error.status)
    found = display.figures(row.summary)
    message = f"已导入回传包：新增 {found.added}、更新 {found.updated}、删除 {found.deleted}"
    if found.conflicts:
        message += f"；{found.conflicts} 条冲突待项目负责人处理"
    if found.resign:
        message += f"；{found.resign} 处签字需重新签"
    flash(message, "warning" if found.conflicts or found.resign else "success")
    return redirect(url_for("offline.report", engagement_id=engagement_id, checkin_id=row.id))


@bp.route("/engagements/<int:engagement_id>/offline/checkins/<int:checkin_id>")
@requires("engagement.team", load=load_engagement)
def report(engagement_id: int, checkin_id: int):
    engagement, session = guarded_object(), db.session()
    row = session.get(OfflineCheckin, checkin_id)
    out = session.get(OfflineCheckout, row.checkout_id) if row else None
    if out is None or out.engagement_id != engagement.id:
        raise NotFound("导入记录不存在")
    summary = row.summary or {}
    found = [c for c in conflict_service.listing(session, engagement.id) if c.checkin_id == row.id]
    signers = {r.get("user_id") for r in summary.get("resign") or []}
    people = engagements.users_by_id(session, {row.by_id, out.user_id} | (signers - {None}))
    return render_template(
        "offline/report.html",
        engagement=engagement,
        row=row,
        out=out,
        summary=summary,
        figures=display.figures(summary),
        kinds=display.by_kind(summary),
        renumbered=[display.renumbered(r) for r in summary.get("renumbered") or []],
        conflicts=found,
        people=people,
    )


def _conflicts_page(engagement: Engagement, *, status: int = 200):
    session = db.session()
    found = conflict_service.listing(session, engagement.id)
    return render_template(
        "offline/conflicts.html",
        engagement=engagement,
        open=[(c, display.lines(c.fields), conflict_service.choices(c)) for c in found if c.open],
        resolved=[c for c in found if not c.open],
        devices=_devices(session, {c.checkout_id for c in found}),
        people=engagements.users_by_id(session, {c.resolved_by_id for c in found} - {None}),
        form=ResolveForm(),
    ), status


def _devices(session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(OfflineCheckout).where(col(OfflineCheckout.id).in_(ids))).all()
    return {r.id: r.device for r in rows}


@bp.route("/engagements/<int:engagement_id>/offline/conflicts")
@requires("engagement.team", load=load_engagement)
def conflicts(engagement_id: int):
    return _conflicts_page(guarded_object())


def _conflict_page(engagement, conflict: OfflineConflict, *, form=None, error="", status=200):
    session = db.session()
    return render_template(
        "offline/conflict.html",
        engagement=engagement,
        conflict=conflict,
        lines=display.lines(conflict.fields),
        choices=conflict_service.choices(conflict),
        device=_devices(session, {conflict.checkout_id}).get(conflict.checkout_id, ""),
        people=engagements.users_by_id(session, {conflict.resolved_by_id} - {None}),
        form=form or ResolveForm(),
        error=error,
    ), status


@bp.route("/engagements/<int:engagement_id>/offline/conflicts/<int:conflict_id>")
@requires("engagement.team", load=load_engagement)
def conflict(engagement_id: int, conflict_id: int):
    engagement = guarded_object()
    return _conflict_page(engagement, conflict_service.get(db.session(), engagement, conflict_id))


@bp.route("/engagements/<int:engagement_id>/offline/conflicts/<int:conflict_id>", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def resolve(engagement_id: int, conflict_id: int):
    engagement, session, form = guarded_object(), db.session(), ResolveForm()
    found = conflict_service.get(session, engagement, conflict_id)
    if not form.validate_on_submit():
        db.mark_rollback()
        return _conflict_page(engagement, found, form=form, status=422)
    try:
        conflict_service.resolve(
            session, actor=current_user, engagement=engagement, conflict=found,
            choice=form.choice.data or "",
        )  # fmt: skip
    except (ValidationFailed, Conflict) as error:
        db.mark_rollback()
        return _conflict_page(
            engagement, found, form=form, error=error.message, status=error.status
        )
    flash(
        f"已处理冲突「{found.label}」：{dict(conflict_service.choices(found))[found.choice]}",
        "success",
    )
    return redirect(url_for("offline.conflicts", engagement_id=engagement_id))
