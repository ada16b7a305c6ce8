"""The plan's 工作进度安排: one form of planned dates per phase on the plan page."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.permissions import guarded_object, requires
from workbench.reports import schedule
from workbench.reports.blueprint import bp
from workbench.reports.context_plan import PHASE_NAMES, Window
from workbench.reports.loaders import int_param, load_engagement
from workbench.reports.services.schedule import save_schedule
from workbench.reports.services.settings import get_setting, setting_version


def schedule_rows(engagement) -> dict:
    """What the plan page's timetable card shows: version, 编制日期 and one row per phase."""
    row = get_setting(db.session(), engagement)
    windows = schedule.from_record(row.schedule)
    return {
        "version": setting_version(row),
        "plan_date": row.plan_date,
        "rows": [(i, name, *windows.get(name, (None, None))) for i, name in enumerate(PHASE_NAMES)],
    }


def _date(name: str, label: str, errors: list[dict]) -> date | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append({"field": name, "message": f"{label}应为日期（如 2025-03-01）"})
        return None


@bp.route("/engagements/<int:engagement_id>/plan/schedule", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def plan_schedule(engagement_id: int):
    errors: list[dict] = []
    plan_date = _date("plan_date", "方案编制日期", errors)
    windows: dict[str, Window] = {
        name: (_date(f"start_{i}", f"{name}开始日期", errors),
               _date(f"end_{i}", f"{name}结束日期", errors))
        for i, name in enumerate(PHASE_NAMES)
    }  # fmt: skip
    if errors:
        raise ValidationFailed("工作进度安排有误", details=errors)
    save_schedule(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        version=int_param("version"),  # the page always sends it: missing is a bad request
        plan_date=plan_date,
        windows=windows,
    )
    flash("工作进度安排已保存", "success")
    return redirect(url_for("reports.plan", engagement_id=engagement_id) + "#schedule")
