"""The engagement's findings list (问题清单) across its working papers, and its Excel."""

from __future__ import annotations

from flask import render_template

from workbench import db
from workbench.core.downloads import send_xlsx
from workbench.core.permissions import guarded_object, requires
from workbench.fieldwork import loaders
from workbench.fieldwork.blueprint import bp
from workbench.fieldwork.findings_export import workbook
from workbench.fieldwork.registers import list_findings


@bp.route("/engagements/<int:engagement_id>/findings")
@requires("fieldwork.read", load=loaders.engagement)
def findings_list(engagement_id: int):
    engagement = guarded_object()
    rows = list_findings(db.session(), engagement=engagement)
    return render_template("fieldwork/findings.html", engagement=engagement, rows=rows)


@bp.route("/engagements/<int:engagement_id>/findings.xlsx")
@requires("fieldwork.read", load=loaders.engagement)
def findings_export(engagement_id: int):
    """The list as Excel: every finding, the page's columns."""
    engagement = guarded_object()
    rows = list_findings(db.session(), engagement=engagement)
    return send_xlsx(workbook(rows), f"{engagement.code} 问题清单.xlsx")
