"""The per-engagement indicator system row: who may edit, confirmation and sign-off clearing."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotAllowed
from workbench.core.permissions import authorize
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared, users_by_id
from workbench.indicators.models import IndicatorSystem
from workbench.scoring.grades import DEFAULT_GRADES, GradeTable, sort_grades


def get_system(db: Session, engagement: Engagement) -> IndicatorSystem | None:
    """The engagement's system row, or None before anything was built."""
    return db.exec(
        select(IndicatorSystem).where(IndicatorSystem.engagement_id == engagement.id)
    ).first()


# Built once: the tree page runs it on every visit, and building a select costs more Python than
# sending it.
_SYSTEM_AND_CONFIRMER = (
    select(IndicatorSystem, User.display_name)
    .outerjoin(User, User.id == IndicatorSystem.confirmed_by_id)
    .where(IndicatorSystem.engagement_id == bindparam("engagement_id"))
)


def get_system_and_confirmer(
    db: Session, engagement: Engagement
) -> tuple[IndicatorSystem | None, str | None]:
    """The system row and the display name of whoever confirmed it, in one round trip."""
    found = db.exec(_SYSTEM_AND_CONFIRMER, params={"engagement_id": engagement.id}).first()
    return (None, None) if found is None else (found[0], found[1])


def ensure_system(db: Session, engagement: Engagement) -> IndicatorSystem:
    """The engagement's system row, created with the default grade table when missing."""
    system = get_system(db, engagement)
    if system is None:
        system = IndicatorSystem(engagement_id=engagement.id)
        db.add(system)
        db.flush()
    return system


def grade_table(system: IndicatorSystem | None) -> GradeTable:
    """The engagement's grade table (default 优/良/中/差 until one is set)."""
    if system is None or not system.grades:
        return DEFAULT_GRADES
    return sort_grades(system.grade_table)


def is_editor(engagement: Engagement, user: User) -> bool:
    """Team members and the agency's admins may work on the indicator system."""
    return engagement.works_on(user)


def require_editor(db: Session, engagement: Engagement, actor: User) -> IndicatorSystem:
    """Refuse edits of the system by non-members, and by anyone but the lead once confirmed."""
    ensure_writable(engagement)
    authorize(actor, "indicators.edit", engagement, message="只有项目组成员可以编辑指标体系")
    require_cleared(db, engagement, actor)
    system = ensure_system(db, engagement)
    if system.confirmed_at is not None and not engagement.can_manage(actor):
        raise NotAllowed("指标体系已经项目负责人确认，确认后只有项目负责人可以修改")
    return system


def invalidate_signoff(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    reason: str,
    system: IndicatorSystem | None = None,
) -> bool:
    """Clear the lead's sign-off of the scores after a change; True when one was cleared."""
    system = system or get_system(db, engagement)
    if system is None or system.scores_signed_at is None:
        return False
    before = {
        "scores_signed_by_id": system.scores_signed_by_id,
        "scores_signed_at": system.scores_signed_at,
    }
    system.scores_signed_by_id = None
    system.scores_signed_at = None
    system.scores_signed_total = system.scores_signed_grade = system.scores_signed_digest = None
    db.add(system)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="scoring.signoff_cleared",
        obj=system,
        engagement_id=engagement.id,
        before=before,
        after={"reason": reason},
        summary=f"评分签字已失效：{reason}",
    )
    return True


def signatures_a_change_clears(
    db: Session,
    engagement: Engagement,
    *,
    confirmation: bool = False,
    system: IndicatorSystem | None = None,
    known: dict[int, str] | None = None,
) -> list[str]:
    """「李四（项目负责人）的评分签字」…: what a change of the scores (or the system) would clear.

    `system` and `known` (names by user id) are what the page already loaded: no query for them.
    """
    system = system or get_system(db, engagement)
    if system is None:
        return []
    held = [(system.scores_signed_by_id, "的评分签字")] if system.scores_signed_at else []
    if confirmation and system.confirmed_at is not None:
        held.insert(0, (system.confirmed_by_id, "对指标体系的确认"))
    if not held:
        return []
    people = dict(known or {})
    missing = [i for i, _ in held if i and i not in people]
    if missing:
        people |= {i: u.display_name for i, u in users_by_id(db, set(missing)).items()}
    return [f"{people.get(i, '')}（项目负责人）{what}" for i, what in held]


def require_clear_confirmed(
    db: Session,
    engagement: Engagement,
    *,
    confirmed: bool,
    action: str,
    confirmation: bool = False,
    system: IndicatorSystem | None = None,
) -> None:
    """A change that would clear the score sign-off (or the confirmation) needs a yes first."""
    if confirmed:
        return
    names = signatures_a_change_clears(db, engagement, confirmation=confirmation, system=system)
    if names:
        again = "、".join(
            text
            for ending, text in (("的确认", "指标体系须重新确认"), ("的评分签字", "评分须重新签字"))
            if any(name.endswith(ending) for name in names)
        )
        raise Conflict(
            f"{action}将清除{'、'.join(names)}，{again}；请确认后再操作"
            "（页面勾选“确认清除签字”，接口传 confirm_clear_signoffs=true）"
        )


def note_system_change(
    db: Session, *, actor: User, engagement: Engagement, system: IndicatorSystem, reason: str
) -> None:
    """After an edit of the system: clear the confirmation and the score sign-off (audited)."""
    if system.confirmed_at is not None:
        before = {"confirmed_by_id": system.confirmed_by_id, "confirmed_at": system.confirmed_at}
        system.confirmed_by_id = None
        system.confirmed_at = None
        db.add(system)
        db.flush()
        audit.record(
            db,
            actor=actor,
            action="indicators.confirmation_cleared",
            obj=system,
            engagement_id=engagement.id,
            before=before,
            after={"reason": reason},
            summary=f"指标体系已修改，须重新确认：{reason}",
        )
    invalidate_signoff(db, actor=actor, engagement=engagement, reason=reason)
