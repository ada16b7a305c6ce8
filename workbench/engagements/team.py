"""The team: who may join in which role, members in and out, and their declarations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, or_, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import (
    DECLARATION_NAMES,
    DECLARATION_TEXT,
    DECLARING_ROLES,
    Declaration,
    DeclarationKind,
    Engagement,
    Member,
    MemberRole,
    ensure_writable,
)


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
        raise ValidationFailed.of_field("role", "角色无效")
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


def set_duty(
    db: Session, *, actor: User, engagement: Engagement, member: Member, duty: str
) -> None:
    """Change a member's 分工 (the team list imported again with new duties)."""
    ensure_writable(engagement)
    if member.engagement_id != engagement.id:
        raise NotFound("成员不存在")
    duty = duty.strip()[:200]
    if duty == member.duty:
        return
    before = member.duty
    member.duty = duty
    db.add(member)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="member.duty",
        obj=member,
        engagement_id=engagement.id,
        before={"duty": before},
        after={"duty": duty},
        summary=f"{member.role_name}分工：{duty or '（无）'}",
    )


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
    authorize(actor, "engagement.declare", engagement, message="只有项目组成员和专家需要签署声明")
    if kind not in DeclarationKind.__members__:
        raise ValidationFailed.of_field("kind", "声明类型无效")
    kind = DeclarationKind(kind)
    if has_conflict and not conflict_detail.strip():
        raise ValidationFailed.of_field("conflict_detail", "请说明存在的利害关系")
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
    authorize(actor, "admin", message="只有机构管理员可以豁免利益冲突")
    declaration = db.get(Declaration, declaration_id)
    if declaration is None or declaration.engagement_id != engagement.id:
        raise NotFound("声明不存在")
    if not declaration.has_conflict:
        raise Conflict("该声明未申报利益冲突，无需豁免")
    if not reason.strip():
        raise ValidationFailed.of_field("reason", "请填写豁免理由")
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


def guard_write(db: Session, engagement: Engagement, actor: Any) -> None:
    """Before every change to an engagement's record: an archived engagement is read-only, and a
    signed-in member must have signed the declarations (anonymous writers — a survey respondent,
    an upload link — have no declarations to sign)."""
    ensure_writable(engagement)
    if getattr(actor, "id", None) is not None and getattr(actor, "is_authenticated", True):
        require_cleared(db, engagement, actor)
