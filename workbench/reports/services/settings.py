"""The plan's sample-size parameters and the ex-ante conclusion of one engagement."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlmodel import Session, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Locked, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared
from workbench.reports import locks
from workbench.reports.models import ReportSetting


def get_setting(db: Session, engagement: Engagement) -> ReportSetting:
    """The engagement's settings row (a transient default until first saved)."""
    row = db.exec(select(ReportSetting).where(ReportSetting.engagement_id == engagement.id)).first()
    return row or ReportSetting(engagement_id=engagement.id, strata=[])


def setting_version(row: ReportSetting) -> int:
    """The version a form must send back (0 while the settings were never saved)."""
    return row.version if row.id else 0


def parse_strata(raw: str) -> list[dict]:
    """Lines "类别,总体数量" (full-width comma or tab accepted) → [{name, population}]."""
    found, errors = [], []
    for number, line in enumerate((raw or "").splitlines(), start=1):
        if not line.strip():
            continue
        # Split at the first separator only: the count may carry thousands separators.
        parts = [p.strip() for p in re.split(r"[,，\t]", line.strip(), maxsplit=1)]
        digits = parts[-1].replace(",", "").replace("，", "") if len(parts) == 2 else ""
        if len(parts) != 2 or not parts[0] or not digits.isdigit() or int(digits) <= 0:
            errors.append(f"第{number}行应为“类别,总体数量”（数量为正整数）：{line.strip()[:40]}")
        else:
            found.append({"name": parts[0][:60], "population": int(digits)})
    if errors:
        raise ValidationFailed(
            "分层抽样设置有误", details=[{"field": "strata", "message": e} for e in errors]
        )
    return found


def save_setting(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    version: int | None,
    values: dict,
) -> ReportSetting:
    """Save the plan's sample-size parameters (keys given in `values`)."""
    ensure_writable(engagement)
    authorize(actor, "engagement.team", engagement, message="只有本项目工作组成员可以修改设置")
    require_cleared(db, engagement, actor)
    reason = locks.locked_reason(db, engagement, "plan")
    if reason:
        raise Locked(reason)
    row = get_setting(db, engagement)
    require_version(version, setting_version(row), stale="设置已被他人修改，请刷新后重试")
    errors = _setting_errors(values)
    if errors:
        raise ValidationFailed("设置有误", details=errors)
    fields = ["population", "confidence", "margin", "proportion", "target", "strata"]
    before = audit.snapshot(row, fields) if row.id else None
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="report.settings",
        obj=row,
        engagement_id=engagement.id,
        before=before,
        after=audit.snapshot(row, fields),
    )
    return row


def _setting_errors(values: dict) -> list[dict]:
    errors = []
    bounds = {
        "confidence": (Decimal("0.5"), Decimal("0.999"), "置信水平应在50%到99.9%之间"),
        "margin": (Decimal("0.001"), Decimal("0.5"), "允许误差应在0.1%到50%之间"),
        "proportion": (Decimal("0.01"), Decimal("0.99"), "预估比例应在0.01到0.99之间"),
    }
    for name, (low, high, message) in bounds.items():
        if name in values and not (low <= values[name] <= high):
            errors.append({"field": name, "message": message})
    for name in ("population", "target"):
        value = values.get(name)
        if value is not None and not 1 <= value <= 100_000_000:
            errors.append({"field": name, "message": "应为1到1亿之间的整数"})
    return errors
