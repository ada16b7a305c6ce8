"""Fieldwork pages: papers, review chain, evidence, document requests, templates, the dashboard panel."""

from __future__ import annotations

from flask import flash, redirect, request
from flask_babel import lazy_gettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from workbench import db
from workbench.core.templating import register_nav, register_panel, register_tab
from workbench.core.timeutil import today_local
from workbench.fieldwork import (  # noqa: F401 - each module adds its routes to bp
    views_evidence,
    views_findings,
    views_papers,
    views_request_import,
    views_requests,
    views_review,
    views_stage_papers,
    views_templates,
)
from workbench.fieldwork.blueprint import bp
from workbench.fieldwork.queries import overdue_items

__all__ = ["bp"]

register_tab("工作底稿", "fieldwork.papers_list", "fieldwork.read")
register_tab(lazy_gettext("问题清单"), "fieldwork.findings_list", "fieldwork.read")
register_tab("佐证材料", "fieldwork.evidence_list", "fieldwork.read")
register_tab("资料清单", "fieldwork.requests_list", "fieldwork.requests")
register_nav("底稿模板", "fieldwork.templates", "admin", admin=True)
register_panel("fieldwork/_panel.html")


@bp.app_context_processor
def _overdue_panel() -> dict:
    """The dashboard panel asks for the overdue items lazily (no query on other pages)."""

    def overdue(limit: int = 10):
        if not current_user.is_authenticated:
            return [], 0
        return overdue_items(db.session(), user=current_user, today=today_local(), limit=limit)

    return {"fieldwork_overdue": overdue}


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    """A request beyond MAX_CONTENT_LENGTH: say so instead of a bare 413 page."""
    from flask import current_app

    limit = current_app.config.get("MAX_UPLOAD_MB", 50)
    flash(
        f"上传内容过大：单个文件不超过 {limit} MB，一次上传的文件合计也不能过大，请分批上传",
        "danger",
    )
    return redirect(request.referrer or "/")
