"""Engagements: creation, editing, lookups; the one module other domains import.

The team and its declarations live in team.py and the gated flowchart in flow.py; the team's
functions are re-exported here so other domains reach them through this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import exists
from sqlalchemy.orm import joinedload
from sqlmodel import Session, and_, col, func, or_, select

from workbench import db as database
from workbench.accounts.models import Organisation, OrgKind, User
from workbench.core import audit
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements import flow  # the flowchart service, as a namespace: `flow.advance(...)`
from workbench.engagements.archive_hooks import after_archive
from workbench.engagements.models import (
    Engagement,
    EngagementType,
    Member,
    MemberRole,
    StageVisit,
    ensure_writable,
)
from workbench.engagements.stages import Stage
from workbench.engagements.team import (
    add_member,
    declaration_gaps,
    declarations,
    guard_write,
    may_join,
    override_conflict,
    remove_member,
    require_cleared,
    set_duty,
    sign_declaration,
    team_candidates,
)

__all__ = [
    "EDITABLE_FIELDS",
    "EngagementInput",
    "add_member",
    "after_archive",
    "agency_audit_scope",
    "client_org_ids",
    "create",
    "declaration_gaps",
    "declarations",
    "engagement_ids_of",
    "ensure_writable",
    "flow",
    "get",
    "guard_write",
    "list_for",
    "load_engagement",
    "may_join",
    "orgs_by_id",
    "override_conflict",
    "remove_member",
    "require_cleared",
    "set_duty",
    "sign_declaration",
    "team_candidates",
    "update",
    "users_by_id",
    "visible_query",
]

EDITABLE_FIELDS = [
    "title",
    "code",
    "type",
    "bureau_id",
    "unit_id",
    "budget_year",
    "budget_amount",
    "funds_available",
    "funds_spent",
    "description",
    "planned_start",
    "planned_end",
]


@dataclass
class EngagementInput:
    title: str
    type: str
    bureau_id: int
    budget_year: int
    unit_id: int | None = None
    code: str = ""
    budget_amount: Decimal | None = None
    funds_available: Decimal | None = None
    funds_spent: Decimal | None = None
    description: str = ""
    planned_start: date | None = None
    planned_end: date | None = None


def _validate(db: Session, data: EngagementInput) -> list[dict]:
    errors = []
    if not data.title or not data.title.strip():
        errors.append({"field": "title", "message": "项目名称不能为空"})
    if data.type not in EngagementType.__members__:
        errors.append({"field": "type", "message": "评价类型无效"})
    bureau = db.get(Organisation, data.bureau_id) if data.bureau_id else None
    if bureau is None or bureau.kind != OrgKind.bureau:
        errors.append({"field": "bureau_id", "message": "请选择委托方（财政部门）"})
    if data.unit_id:
        unit = db.get(Organisation, data.unit_id)
        if unit is None or unit.kind != OrgKind.unit:
            errors.append({"field": "unit_id", "message": "被评价单位无效"})
    if not (2000 <= int(data.budget_year or 0) <= 2100):
        errors.append({"field": "budget_year", "message": "预算年度应为 2000–2100 之间的年份"})
    for name in ("budget_amount", "funds_available", "funds_spent"):
        value = getattr(data, name)
        if value is not None and value < 0:
            errors.append({"field": name, "message": "金额不能为负数"})
    if data.planned_start and data.planned_end and data.planned_end < data.planned_start:
        errors.append({"field": "planned_end", "message": "计划完成日期不能早于开始日期"})
    return errors


def create(db: Session, *, actor: User, data: EngagementInput) -> Engagement:
    """Create an engagement at the `commission` stage with the creator as lead."""
    authorize(actor, "agency", message="只有评价机构人员可以创建项目")
    errors = _validate(db, data)
    if errors:
        raise ValidationFailed("项目信息有误", details=errors)
    engagement = Engagement(
        agency_id=actor.org_id,
        created_by_id=actor.id,
        **{f: getattr(data, f) for f in EDITABLE_FIELDS},
    )
    engagement.title = data.title.strip()
    db.add(engagement)
    db.flush()
    if not engagement.code:
        engagement.code = f"PE-{engagement.budget_year}-{engagement.id:04d}"
    db.add(
        Member(
            engagement_id=engagement.id,
            user_id=actor.id,
            role=MemberRole.lead,
            added_by_id=actor.id,
        )
    )
    db.add(StageVisit(engagement_id=engagement.id, stage=Stage.commission))
    db.flush()
    db.refresh(engagement)
    audit.record(
        db,
        actor=actor,
        action="engagement.create",
        obj=engagement,
        engagement_id=engagement.id,
        after=audit.snapshot(engagement, EDITABLE_FIELDS),
        summary=engagement.title,
    )
    return engagement


def update(
    db: Session, *, actor: User, engagement: Engagement, data: EngagementInput, version: int | None
) -> Engagement:
    """Edit the engagement's facts; a missing or stale version is refused."""
    ensure_writable(engagement)
    require_version(version, engagement.version, stale="该项目已被他人修改，请刷新页面后重新编辑")
    errors = _validate(db, data)
    if errors:
        raise ValidationFailed("项目信息有误", details=errors)
    before = audit.snapshot(engagement, EDITABLE_FIELDS)
    for name in EDITABLE_FIELDS:
        setattr(engagement, name, getattr(data, name))
    engagement.title = data.title.strip()
    engagement.code = data.code.strip() or engagement.code
    engagement.updated_at = utcnow()
    db.add(engagement)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="engagement.update",
        obj=engagement,
        engagement_id=engagement.id,
        before=before,
        after=audit.snapshot(engagement, EDITABLE_FIELDS),
        summary=engagement.title,
    )
    return engagement


def get(db: Session, engagement_id: int) -> Engagement:
    """One engagement with its team (every engagement page checks roles: one round trip, not two)."""
    engagement = db.get(Engagement, engagement_id, options=[joinedload(Engagement.members)])
    if engagement is None:
        raise NotFound("项目不存在")
    return engagement


def load_engagement(engagement_id: int, **_) -> Engagement:
    """The engagement of a page's URL, loaded once per request for the permission decorator
    (`requires(..., load=load_engagement)`); the view reads it back with
    `core.permissions.guarded_object()` rather than loading it again."""
    return get(database.session(), engagement_id)


def visible_query(user: User):
    """A select of the engagements the user may see."""
    stmt = select(Engagement)
    if user.is_admin:
        return stmt.where(Engagement.agency_id == user.org_id)
    if user.is_bureau:
        stmt = stmt.where(Engagement.bureau_id == user.org_id)
        if user.managed_by_id is not None:  # an account an agency made sees that agency's work
            stmt = stmt.where(Engagement.agency_id == user.managed_by_id)
        return stmt
    member = exists().where(Member.engagement_id == Engagement.id, Member.user_id == user.id)
    return stmt.where(member)


def list_query(*, user: User, q: str = "", stage: str = ""):
    """A select of the user's engagements whose title or code contains `q`, in `stage`, unordered."""
    stmt = visible_query(user)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(col(Engagement.title).ilike(like), col(Engagement.code).ilike(like)))
    if stage:
        stmt = stmt.where(Engagement.stage == stage)
    return stmt


def list_for(
    db: Session,
    *,
    user: User,
    q: str = "",
    stage: str = "",
    page: int = 1,
    per_page: int | None = 20,
):
    """A page of the user's engagements with the total count (two queries plus one for members);
    every one at once when `per_page` is None (the Excel list: no count)."""
    stmt = list_query(user=user, q=q, stage=stage)
    ordered = stmt.order_by(
        col(Engagement.archived_at).is_not(None),
        col(Engagement.planned_end).is_(None),
        Engagement.planned_end,
        col(Engagement.id).desc(),
    )
    if per_page is None:
        rows = db.exec(ordered).all()
        return list(rows), len(rows)
    # Two queries, not a window count over the page query: the window would make the database build
    # every visible engagement (10,000 at the large scale: 2.3× slower) before keeping a page of them.
    total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = db.exec(ordered.offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def client_org_ids(db: Session, agency_id: int) -> set[int]:
    """The bureaus and units of an agency's engagements (its admin may make their accounts)."""
    rows = db.exec(
        select(Engagement.bureau_id, Engagement.unit_id).where(Engagement.agency_id == agency_id)
    ).all()
    return {i for row in rows for i in row if i}


def users_by_id(db: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in db.exec(select(User).where(col(User.id).in_(ids))).all()}


def orgs_by_id(db: Session, ids: set[int]) -> dict[int, Organisation]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {
        o.id: o for o in db.exec(select(Organisation).where(col(Organisation.id).in_(ids))).all()
    }


def engagement_ids_of(agency_id: int):
    """A select of the ids of an agency's engagements (to scope other queries by agency)."""
    return select(Engagement.id).where(Engagement.agency_id == agency_id)


def agency_audit_scope(admin: User):
    """The audit rows an agency admin reads: its people, its engagements, its accounts."""
    people = select(User.id).where(User.managed_by_id == admin.org_id)
    entry = audit.AuditEntry
    return or_(
        col(entry.actor_id).in_(people),
        col(entry.engagement_id).in_(engagement_ids_of(admin.org_id)),
        and_(entry.object_type == "user", col(entry.object_id).in_(people)),
        and_(entry.object_type == "organisation", entry.object_id == admin.org_id),
    )
