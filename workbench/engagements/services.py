"""Engagements: creation, team, declarations and the gated flowchart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, exists
from sqlalchemy.orm import joinedload
from sqlmodel import Session, col, func, or_, select

from workbench.accounts.models import Organisation, OrgKind, User
from workbench.core import audit
from workbench.core.errors import Conflict, Locked, NotAllowed, NotFound, ValidationFailed
from workbench.core.locking import require_version
from workbench.core.timeutil import utcnow
from workbench.engagements.models import (
    DECLARATION_NAMES,
    DECLARATION_TEXT,
    DECLARING_ROLES,
    Declaration,
    DeclarationKind,
    Engagement,
    EngagementType,
    Member,
    MemberRole,
    StageVisit,
)
from workbench.engagements.stages import Stage

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
    if not actor.is_agency:
        raise NotAllowed("只有评价机构人员可以创建项目")
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


def ensure_writable(engagement: Engagement) -> None:
    """Archived engagements are read-only: every mutating service calls this."""
    if engagement.is_archived:
        raise Locked("项目已归档，内容只读")


def get(db: Session, engagement_id: int) -> Engagement:
    """One engagement with its team (every engagement page checks roles: one round trip, not two)."""
    engagement = db.get(Engagement, engagement_id, options=[joinedload(Engagement.members)])
    if engagement is None:
        raise NotFound("项目不存在")
    return engagement


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


def list_for(
    db: Session, *, user: User, q: str = "", stage: str = "", page: int = 1, per_page: int = 20
):
    """A page of the user's engagements with the total count (two queries plus one for members)."""
    stmt = visible_query(user)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(col(Engagement.title).ilike(like), col(Engagement.code).ilike(like)))
    if stage:
        stmt = stmt.where(Engagement.stage == stage)
    # Two queries, not a window count over the page query: the window would make the database build
    # every visible engagement (10,000 at the large scale: 2.3× slower) before keeping a page of them.
    total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = db.exec(
        stmt.order_by(
            col(Engagement.archived_at).is_not(None),
            col(Engagement.planned_end).is_(None),
            Engagement.planned_end,
            col(Engagement.id).desc(),
        )
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total


def may_join(user: User, engagement: Engagement, role: MemberRole) -> bool:
    """Whether the user fits the role: the agency's staff, its experts, the engagement's clients."""
    own_staff = user.is_agency and user.org_id == engagement.agency_id
    return {
        MemberRole.bureau: user.is_bureau
        and user.org_id == engagement.bureau_id
        and user.serves(engagement.agency_id),
        MemberRole.unit: user.is_unit
        and user.org_id == engagement.unit_id
        and user.serves(engagement.agency_id),
        MemberRole.expert: own_staff
        or (user.is_expert and user.managed_by_id == engagement.agency_id),
    }.get(role, own_staff)


def team_candidates(db: Session, engagement: Engagement) -> list[User]:
    """The people the team picker offers: never another agency's staff or another client's."""
    taken = {m.user_id for m in engagement.members}
    stmt = (
        select(User)
        .where(
            col(User.active).is_(True),
            or_(
                col(User.managed_by_id) == engagement.agency_id,
                col(User.org_id).in_([i for i in (engagement.bureau_id, engagement.unit_id) if i]),
            ),
        )
        .order_by(User.org_kind, User.username)
    )
    return [
        u
        for u in db.exec(stmt).all()
        if u.id not in taken and any(may_join(u, engagement, r) for r in MemberRole)
    ]


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


# --- team -----------------------------------------------------------------------------------


def add_member(
    db: Session, *, actor: User, engagement: Engagement, user_id: int, role: str, duty: str = ""
) -> Member:
    """Add a user to the team in a role that fits their organisation."""
    ensure_writable(engagement)
    user = db.get(User, user_id)
    if user is None or not user.active:
        raise ValidationFailed(
            "成员无效", details=[{"field": "user_id", "message": "请选择有效的用户"}]
        )
    if role not in MemberRole.__members__:
        raise ValidationFailed("角色无效", details=[{"field": "role", "message": "角色无效"}])
    role = MemberRole(role)
    if not may_join(user, engagement, role):
        raise ValidationFailed(
            "该用户不能担任此角色",
            details=[
                {
                    "field": "role",
                    "message": "机构角色须为本机构人员；委托方、被评价单位联系人须属于本项目的对应单位",
                }
            ],
        )
    if any(m.user_id == user.id for m in engagement.members):
        raise Conflict(f"{user.display_name} 已是项目成员")
    member = Member(
        engagement_id=engagement.id,
        user_id=user.id,
        role=role,
        duty=duty.strip()[:200],
        added_by_id=actor.id,
    )
    db.add(member)
    db.flush()
    db.refresh(engagement)
    audit.record(
        db,
        actor=actor,
        action="member.add",
        obj=member,
        engagement_id=engagement.id,
        after={"user": user.username, "role": role.value, "duty": member.duty},
        summary=f"{user.display_name}（{member.role_name}）",
    )
    return member


def remove_member(db: Session, *, actor: User, engagement: Engagement, member_id: int) -> None:
    """Remove a member; the team always keeps one lead."""
    ensure_writable(engagement)
    member = db.get(Member, member_id)
    if member is None or member.engagement_id != engagement.id:
        raise NotFound("成员不存在")
    if (
        member.role == MemberRole.lead
        and sum(m.role == MemberRole.lead for m in engagement.members) == 1
    ):
        raise Conflict("项目必须保留一名项目负责人")
    audit.record(
        db,
        actor=actor,
        action="member.remove",
        obj=member,
        engagement_id=engagement.id,
        before={"user_id": member.user_id, "role": member.role},
    )
    engagement.members.remove(member)
    db.delete(member)
    db.flush()


# --- declarations ---------------------------------------------------------------------------


def declarations(db: Session, engagement: Engagement) -> dict[tuple[int, str], Declaration]:
    rows = db.exec(select(Declaration).where(Declaration.engagement_id == engagement.id)).all()
    return {(d.user_id, d.kind): d for d in rows}


def sign_declaration(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    kind: str,
    has_conflict: bool = False,
    conflict_detail: str = "",
) -> Declaration:
    """Sign one's own declaration; a declared conflict needs a description."""
    ensure_writable(engagement)
    if not engagement.roles_of(actor) & DECLARING_ROLES:
        raise NotAllowed("只有项目组成员和专家需要签署声明")
    if kind not in DeclarationKind.__members__:
        raise ValidationFailed(
            "声明类型无效", details=[{"field": "kind", "message": "声明类型无效"}]
        )
    kind = DeclarationKind(kind)
    if has_conflict and not conflict_detail.strip():
        raise ValidationFailed(
            "请说明存在的利害关系",
            details=[{"field": "conflict_detail", "message": "请说明存在的利害关系"}],
        )
    if (actor.id, kind) in declarations(db, engagement):
        raise Conflict("该声明已签署，不能重复签署")
    declaration = Declaration(
        engagement_id=engagement.id,
        user_id=actor.id,
        kind=kind,
        statement=DECLARATION_TEXT[kind],
        has_conflict=has_conflict and kind == DeclarationKind.independence,
        conflict_detail=conflict_detail.strip()[:2000],
    )
    db.add(declaration)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="declaration.sign",
        obj=declaration,
        engagement_id=engagement.id,
        after=audit.snapshot(declaration, ["kind", "has_conflict", "conflict_detail"]),
    )
    return declaration


def override_conflict(
    db: Session, *, actor: User, engagement: Engagement, declaration_id: int, reason: str
) -> Declaration:
    """An admin lets a member with a declared conflict act, stating why."""
    ensure_writable(engagement)
    if not actor.is_admin:
        raise NotAllowed("只有机构管理员可以豁免利益冲突")
    declaration = db.get(Declaration, declaration_id)
    if declaration is None or declaration.engagement_id != engagement.id:
        raise NotFound("声明不存在")
    if not declaration.has_conflict:
        raise Conflict("该声明未申报利益冲突，无需豁免")
    if not reason.strip():
        raise ValidationFailed(
            "请填写豁免理由", details=[{"field": "reason", "message": "请填写豁免理由"}]
        )
    declaration.override_by_id = actor.id
    declaration.override_reason = reason.strip()[:1000]
    declaration.override_at = utcnow()
    db.add(declaration)
    audit.record(
        db,
        actor=actor,
        action="declaration.override",
        obj=declaration,
        engagement_id=engagement.id,
        after={"reason": declaration.override_reason},
    )
    return declaration


# The user's own declarations, not the whole team's; built once (pages check on every view).
_OWN_DECLARATIONS = select(Declaration).where(
    Declaration.engagement_id == bindparam("engagement_id"),
    Declaration.user_id == bindparam("user_id"),
)


def declaration_gaps(db: Session, engagement: Engagement, user: User) -> list[str]:
    """What the user must still sign (or have overridden) before acting in the engagement."""
    if not engagement.roles_of(user) & DECLARING_ROLES:
        return []
    params = {"engagement_id": engagement.id, "user_id": user.id}
    signed = {d.kind: d for d in db.exec(_OWN_DECLARATIONS, params=params).all()}
    gaps = []
    for kind in DeclarationKind:
        found = signed.get(kind)
        if found is None:
            gaps.append(f"尚未签署{DECLARATION_NAMES[kind]}")
        elif not found.clears:
            gaps.append("已申报利益冲突，须经机构管理员豁免后方可参与")
    return gaps


def require_cleared(db: Session, engagement: Engagement, user: User) -> None:
    """Refuse work by a member who has not signed (or has an unresolved conflict)."""
    gaps = declaration_gaps(db, engagement, user)
    if gaps:
        raise NotAllowed("请先签署独立性声明和保密承诺：" + "；".join(gaps))


def engagement_ids_of(agency_id: int):
    """A select of the ids of an agency's engagements (to scope other queries by agency)."""
    return select(Engagement.id).where(Engagement.agency_id == agency_id)
