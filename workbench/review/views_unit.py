"""The evaluated unit's own rectification page: report feedback and progress with evidence."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core import storage, uploads
from workbench.core.downloads import send_xlsx
from workbench.core.forms import choices, flash_errors
from workbench.core.hygiene import parse_int
from workbench.core.permissions import guarded_object, requires
from workbench.engagements.services import load_engagement
from workbench.review import permissions as _permissions  # noqa: F401 - registers predicates
from workbench.review import rectification_export, unit_followup
from workbench.review.blueprint import bp
from workbench.review.forms import UnitReportForm
from workbench.review.pages import follow_up_lists
from workbench.review.states import UNIT_REPORT_NAMES, FollowUpStatus


def _form() -> UnitReportForm:
    form = UnitReportForm()
    form.kind.choices = choices((k.value, v) for k, v in UNIT_REPORT_NAMES.items())
    return form


@bp.route("/engagements/<int:engagement_id>/rectification/unit", endpoint="unit_rectification")
@requires("review.unit", load=load_engagement)
def unit_page(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    return render_template(
        "review/unit_rectification.html",
        engagement=engagement,
        form=_form(),
        rectified=FollowUpStatus.rectified.value,
        max_mb=uploads.max_upload_mb(),
        **follow_up_lists(session, engagement, unit_followup.unit_items(session, engagement)),
    )


@bp.route(
    "/engagements/<int:engagement_id>/rectification/unit.xlsx",
    endpoint="unit_rectification_export",
)
@requires("review.unit", load=load_engagement)
def unit_export(engagement_id: int):
    """The unit's rectification list as Excel: only what the unit's own page shows it."""
    engagement = guarded_object()
    data = rectification_export.unit_workbook(db.session(), engagement=engagement)
    return send_xlsx(data, f"{engagement.code} 整改清单.xlsx")


@bp.route("/engagements/<int:engagement_id>/rectification/unit/<int:item_id>", methods=["POST"])
@requires("review.unit", load=load_engagement)
def unit_report(engagement_id: int, item_id: int):
    back = url_for("review.unit_rectification", engagement_id=engagement_id) + f"#item-{item_id}"
    form = _form()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(back)
    files = uploads.received_files()
    row = unit_followup.report(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        item_id=item_id,
        kind=form.kind.data or "",
        text=form.text.data or "",
        files=files,
        max_mb=uploads.max_upload_mb(),
        version=parse_int(request.form.get("version", "")),
    )
    flash(f"已报送{UNIT_REPORT_NAMES[row.kind]}，项目负责人和委托方将收到通知", "success")
    return redirect(back)


@bp.route("/engagements/<int:engagement_id>/rectification/files/<int:file_id>")
@requires("review.rectification_file", load=load_engagement)
def rectification_file(engagement_id: int, file_id: int):
    row = unit_followup.get_file(
        db.session(), actor=current_user, engagement=guarded_object(), file_id=file_id
    )
    return storage.send(row.sha256, name=row.name, mime=row.mime)
