"""报告体检 on the report page (loaded after the page, as it scores and reads every record) and the
lead's acknowledgement of its warnings."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.permissions import guarded_object, requires
from workbench.reports.blueprint import bp
from workbench.reports.loaders import load_engagement
from workbench.reports.services import checkup as checkups


@bp.route("/engagements/<int:engagement_id>/report/checkup")
@requires("engagement.internal", load=load_engagement)
def checkup_card(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    result = checkups.run(session, engagement)
    acknowledged = checkups.acknowledgement(session, engagement, result.fingerprint)
    partial = request.headers.get("HX-Request") == "true"
    return render_template(
        "reports/_checkup.html" if partial else "reports/checkup_page.html",
        engagement=engagement,
        checkup=result,
        checkup_ack=acknowledged,
        check_names=checkups.acknowledger_names(session, [acknowledged] if acknowledged else []),
    )


@bp.route("/engagements/<int:engagement_id>/report/checkup/acknowledge", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def acknowledge_checkup(engagement_id: int):
    fingerprint = (request.form.get("fingerprint") or "").strip()
    if len(fingerprint) != 64 or not all(c in "0123456789abcdef" for c in fingerprint):
        raise ValidationFailed(
            "确认失败",
            details=[{"field": "fingerprint", "message": "体检结果标识无效，请刷新页面"}],
        )
    row = checkups.acknowledge(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        fingerprint=fingerprint,
    )
    flash(f"已确认报告体检警告{row.warnings}项", "success")
    return redirect(url_for("reports.report", engagement_id=engagement_id) + "#checkup")
