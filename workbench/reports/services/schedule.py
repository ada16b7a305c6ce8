"""The plan's timetable and 编制日期: saved on the plan settings, audited."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, Locked, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared
from workbench.reports import locks, schedule
from workbench.reports.context_plan import Window
from workbench.reports.models import ReportSetting
from workbench.reports.services.settings import get_setting, setting_version

FIELDS = ["plan_date", "schedule"]


def save_schedule(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    version: int | None,
    plan_date: date | None,
    windows: dict[str, Window],
) -> ReportSetting:
    """Save the plan's 编制日期 and planned dates per phase (blank: 待定 in the plan)."""
    ensure_writable(engagement)
    authorize(
        actor, "engagement.team", engagement, message="只有本项目工作组成员可以修改工作进度安排"
    )
    require_cleared(db, engagement, actor)
    reason = locks.locked_reason(db, engagement, "plan")
    if reason:
        raise Locked(reason)
    row = get_setting(db, engagement)
    if version is None or int(version) != setting_version(row):
        raise Conflict("设置已被他人修改，请刷新后重试")
    errors = schedule.problems(windows, plan_date)
    if errors:
        raise ValidationFailed("工作进度安排有误", details=errors)
    before = audit.snapshot(row, FIELDS) if row.id else None
    row.plan_date, row.schedule = plan_date, schedule.to_record(windows)
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="report.schedule",
        obj=row,
        engagement_id=engagement.id,
        before=before,
        after=audit.snapshot(row, FIELDS),
    )
    return row
