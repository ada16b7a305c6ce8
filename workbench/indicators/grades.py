"""The engagement's grade table (优/良/中/差 lower bounds): parsing the form and replacing it."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import ValidationFailed
from workbench.core.problems import at_field
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.indicators.system import note_system_change, require_clear_confirmed, require_editor
from workbench.scoring.grades import check_grades


def parse_grades(text: str) -> list[tuple[str, Decimal]]:
    """'优 90' lines (or '优,90') as grade rows; ValidationFailed naming the bad line."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace("，", " ").replace(",", " ").replace("\t", " ").split()
        if not parts:
            continue
        try:
            if len(parts) != 2:
                raise ValueError
            rows.append((parts[0], Decimal(parts[1].removesuffix("分"))))
        except (ValueError, ArithmeticError):
            message = f"第{number}行“{line.strip()}”应写成“等级 下限”，如“良 80”"
            raise ValidationFailed("等级表有误", details=at_field("grades", message)) from None
    return rows


def set_grades(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    grades: list[tuple[str, Decimal]],
    confirm_clear: bool = False,
) -> None:
    """Replace the grade table (lower bounds inclusive); a change clears the confirmation."""
    system = require_editor(db, engagement, actor)
    problems = check_grades(grades)
    if problems:
        raise ValidationFailed("等级表有误", details=at_field("grades", *problems))
    new = [[name, str(bound)] for name, bound in sorted(grades, key=lambda g: -g[1])]
    before = list(system.grades or [])
    if new == before:
        return
    require_clear_confirmed(
        db, engagement, confirmed=confirm_clear, action="修改等级表", confirmation=True
    )
    system.grades = new
    system.updated_at = utcnow()
    db.add(system)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="indicators.grades",
        obj=system,
        engagement_id=engagement.id,
        before={"grades": before},
        after={"grades": new},
        summary="修改等级表",
    )
    note_system_change(db, actor=actor, engagement=engagement, system=system, reason="修改等级表")
