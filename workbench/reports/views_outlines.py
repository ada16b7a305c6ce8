"""The agency admin's page of report outline profiles per commissioning bureau."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.forms import refused
from workbench.core.hygiene import parse_int
from workbench.core.permissions import requires
from workbench.core.templating import register_nav
from workbench.reports import outline_profiles, outlines
from workbench.reports.blueprint import bp
from workbench.reports.outline_models import OutlineProfile

MAX_UPLOAD = outlines.MAX_BYTES
register_nav("报告提纲", "reports.outline_profiles_page", "admin", admin=True)


def load_profile(profile_id: int, **_) -> OutlineProfile:
    row = db.session().get(OutlineProfile, profile_id)
    if row is None:
        raise NotFound("提纲不存在")
    return row


@bp.route("/outline-profiles", methods=["GET", "POST"])
@requires("admin")
def outline_profiles_page():
    session = db.session()
    agency_id = current_user.org_id
    errors: list[str] = []
    source = request.form.get("source", "")
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            data = upload.stream.read(MAX_UPLOAD + 1)
            source = data  # parse() refuses an oversize or non-UTF-8 file with a message
        try:
            outline_profiles.save(
                session,
                actor=current_user,
                agency_id=agency_id,
                bureau_id=parse_int(request.form.get("bureau_id")) or 0,
                source=source,
                note=request.form.get("note", ""),
            )
        except ValidationFailed as error:
            errors = [d.message for d in error.details] or [str(error)]
            refused(error)
        else:
            flash("提纲已保存为新版本，该委托单位此类项目的报告按新提纲撰写和生成", "success")
            return redirect(url_for("reports.outline_profiles_page"))
    base = request.args.get("base", "")
    if not source and base in outlines.ENGAGEMENT_TYPES:
        source = outlines.shipped_source(base)
    return render_template(
        "reports/outline_profiles.html",
        rows=outline_profiles.of_agency(session, agency_id),
        bureaus=outline_profiles.bureaus(session, agency_id),
        types=outlines.ENGAGEMENT_TYPES,
        source=source if isinstance(source, str) else "",
        errors=errors,
    ), (422 if errors else 200)


@bp.route("/outline-profiles/<int:profile_id>/withdraw", methods=["POST"])
@requires("admin", load=load_profile)
def withdraw_outline_profile(profile_id: int):
    outline_profiles.withdraw(
        db.session(), actor=current_user, agency_id=current_user.org_id, profile_id=profile_id
    )
    flash("已停用该提纲，恢复系统默认提纲", "success")
    return redirect(url_for("reports.outline_profiles_page"))
