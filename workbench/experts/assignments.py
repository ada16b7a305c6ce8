"""Assigning experts to engagements (with the conflict check) and their fees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, func, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.money import q2
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements import services as engagements
from workbench.engagements.models import Engagement, Member, MemberRole
from workbench.experts.matching import Party, Tie, find_conflicts
from workbench.experts.models import Expert, ExpertAssignment, ExpertConflict, ExpertFee


def _require_manager(db: Session, engagement: Engagement, actor: User) -> None:
    engagements.ensure_writable(engagement)
    authorize(
        actor, "engagement.manage", engagement, message="只有项目负责人或机构管理员可以指派专家"
    )
    engagements.require_cleared(db, engagement, actor)


def _parties(db: Session, engagement: Engagement) -> list[Party]:
    orgs = engagements.orgs_by_id(db, {engagement.bureau_id, engagement.unit_id or 0})
    parties = []
    for role, org_id in (("委托方", engagement.bureau_id), ("被评价单位", engagement.unit_id)):
        if org_id in orgs:
            parties.append(Party(role, org_id, orgs[org_id].name))
    return parties


def conflict_map(
    db: Session, *, experts: list[Expert], engagement: Engagement
) -> dict[int, list[str]]:
    """Each expert's conflicts with the engagement's bureau and unit (two queries in all)."""
    if not experts:
        return {}
    parties = _parties(db, engagement)
    ties: dict[int, list[Tie]] = {e.id: [] for e in experts}
    rows = db.exec(
        select(ExpertConflict).where(col(ExpertConflict.expert_id).in_(list(ties)))
    ).all()
    for row in rows:
        ties[row.expert_id].append(Tie(row.org_name, row.org_id, row.relation))
    return {
        e.id: find_conflicts(
            expert_name=e.name, organisation=e.organisation, ties=ties[e.id], parties=parties
        )
        for e in experts
    }


def active_assignment(
    db: Session, *, expert: Expert, engagement: Engagement
) -> ExpertAssignment | None:
    return db.exec(
        select(ExpertAssignment).where(
            ExpertAssignment.expert_id == expert.id,
            ExpertAssignment.engagement_id == engagement.id,
            col(ExpertAssignment.ended_at).is_(None),
        )
    ).first()


def assign(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    expert_id: int,
    duty: str = "",
    override_reason: str = "",
) -> ExpertAssignment:
    """Make a pool expert an `expert` member of the engagement, refusing conflicts.

    A conflict with the bureau or the evaluated unit refuses the assignment unless an agency
    admin overrides it with a reason (kept on the assignment and in the audit log).
    """
    _require_manager(db, engagement, actor)
    expert = db.get(Expert, expert_id) if expert_id else None
    if expert is None or expert.agency_id != engagement.agency_id:
        raise ValidationFailed(
            "专家无效", details=[{"field": "expert_id", "message": "请选择专家"}]
        )
    if not expert.active:
        raise ValidationFailed.of_field("expert_id", "该专家已停用")
    if expert.user_id is None:
        raise ValidationFailed(
            "该专家尚未关联系统账号",
            details=[{"field": "expert_id", "message": "请先在专家档案中为其关联登录账号"}],
        )
    if active_assignment(db, expert=expert, engagement=engagement) is not None:
        raise Conflict(f"{expert.name} 已指派到本项目")
    reason = (override_reason or "").strip()
    if len(reason) > 1000 or len((duty or "").strip()) > 200:
        raise ValidationFailed(
            "内容过长",
            details=[{"field": "duty", "message": "分工不超过 200 字，理由不超过 1000 字"}],
        )
    found = conflict_map(db, experts=[expert], engagement=engagement)[expert.id]
    if found and not reason:
        raise Conflict(
            "该专家与本项目存在利益冲突，不能指派；确需指派的，须由机构管理员填写豁免理由",
            details=found,
        )
    if found:  # a waiver: the manager check above leaves the agency's admin
        authorize(actor, "admin", message="只有机构管理员可以豁免利益冲突")
    member = next((m for m in engagement.members if m.user_id == expert.user_id), None)
    if member is not None and member.role != MemberRole.expert:
        raise Conflict(f"{expert.name} 的账号已以“{member.role_name}”身份参与本项目")
    if member is None:
        member = engagements.add_member(
            db,
            actor=actor,
            engagement=engagement,
            user_id=expert.user_id,
            role=MemberRole.expert,
            duty=duty,
        )
    assignment = ExpertAssignment(
        expert_id=expert.id,
        engagement_id=engagement.id,
        member_id=member.id,
        duty=(duty or "").strip() or member.duty,
        assigned_by_id=actor.id,
        conflicts="；".join(found)[:2000],
        override_by_id=actor.id if found else None,
        override_reason=reason if found else "",
    )
    db.add(assignment)
    db.flush()
    if found:
        audit.record(
            db,
            actor=actor,
            action="expert.conflict_override",
            obj=assignment,
            engagement_id=engagement.id,
            after={"expert": expert.name, "conflicts": found, "reason": reason},
            summary=f"豁免 {expert.name} 的利益冲突：{reason}",
        )
    audit.record(
        db,
        actor=actor,
        action="expert.assign",
        obj=assignment,
        engagement_id=engagement.id,
        after=audit.snapshot(assignment, ["expert_id", "member_id", "duty", "override_reason"]),
        summary=f"指派专家 {expert.name}",
    )
    return assignment


def _assignment(db: Session, engagement: Engagement, assignment_id: int) -> ExpertAssignment:
    assignment = db.get(ExpertAssignment, assignment_id)
    if assignment is None or assignment.engagement_id != engagement.id:
        raise NotFound("专家指派记录不存在")
    return assignment


def end_assignment(
    db: Session, *, actor: User, engagement: Engagement, assignment_id: int, reason: str
) -> ExpertAssignment:
    """End an assignment: the expert leaves the team; history and fees stay."""
    _require_manager(db, engagement, actor)
    assignment = _assignment(db, engagement, assignment_id)
    if not assignment.active:
        raise Conflict("该指派已结束")
    if not (reason or "").strip():
        raise ValidationFailed.of_field("reason", "请填写结束原因")
    member = db.get(Member, assignment.member_id) if assignment.member_id else None
    if member is not None and member.engagement_id == engagement.id:
        engagements.remove_member(db, actor=actor, engagement=engagement, member_id=member.id)
    assignment.ended_at = utcnow()
    assignment.ended_by_id = actor.id
    assignment.end_reason = reason.strip()[:1000]
    db.add(assignment)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="expert.unassign",
        obj=assignment,
        engagement_id=engagement.id,
        after={"reason": assignment.end_reason},
        summary=f"结束专家指派：{assignment.end_reason}",
    )
    return assignment


# --- fees -------------------------------------------------------------------------------------


def add_fee(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    assignment_id: int,
    item: str,
    amount: Decimal | None,
    fee_date: date | None,
    note: str = "",
) -> ExpertFee:
    """Record a fee for an assigned expert's work on the engagement."""
    _require_manager(db, engagement, actor)
    assignment = _assignment(db, engagement, assignment_id)
    errors = []
    if not (item or "").strip():
        errors.append({"field": "item", "message": "请填写费用项目"})
    elif len(item.strip()) > 200:
        errors.append({"field": "item", "message": "费用项目不超过 200 个字符"})
    if amount is None or not amount.is_finite() or amount <= 0:
        errors.append({"field": "amount", "message": "金额须大于 0"})
    elif amount != q2(amount) or amount >= Decimal("1000000000"):
        errors.append({"field": "amount", "message": "金额最多保留两位小数，且须小于十亿元"})
    if fee_date is None:
        errors.append({"field": "fee_date", "message": "请填写日期"})
    if errors:
        raise ValidationFailed("专家费用信息有误", details=errors)
    fee = ExpertFee(
        assignment_id=assignment.id,
        engagement_id=engagement.id,
        expert_id=assignment.expert_id,
        item=item.strip(),
        amount=q2(amount),
        fee_date=fee_date,
        note=(note or "").strip()[:1000],
        created_by_id=actor.id,
    )
    db.add(fee)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="expert.fee.add",
        obj=fee,
        engagement_id=engagement.id,
        after=audit.snapshot(fee, ["expert_id", "item", "amount", "fee_date", "note"]),
        summary=f"{fee.item} {fee.amount:,.2f} 元",
    )
    return fee


def delete_fee(db: Session, *, actor: User, engagement: Engagement, fee_id: int) -> None:
    """Remove a mistaken fee entry (the audit log keeps what it was)."""
    _require_manager(db, engagement, actor)
    fee = db.get(ExpertFee, fee_id)
    if fee is None or fee.engagement_id != engagement.id:
        raise NotFound("专家费用记录不存在")
    audit.record(
        db,
        actor=actor,
        action="expert.fee.delete",
        obj=fee,
        engagement_id=engagement.id,
        before=audit.snapshot(fee, ["expert_id", "item", "amount", "fee_date", "note"]),
        summary=f"删除 {fee.item} {fee.amount:,.2f} 元",
    )
    db.delete(fee)
    db.flush()


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentRow:
    assignment: ExpertAssignment
    expert: Expert
    engagement: Engagement
    fees: list[ExpertFee]

    @property
    def fee_total(self) -> Decimal:
        return sum((f.amount for f in self.fees), Decimal("0.00"))


def _rows(db: Session, assignments: list[ExpertAssignment]) -> list[AssignmentRow]:
    if not assignments:
        return []
    experts = {
        e.id: e
        for e in db.exec(
            select(Expert).where(col(Expert.id).in_({a.expert_id for a in assignments}))
        ).all()
    }
    projects = {
        e.id: e
        for e in db.exec(
            select(Engagement).where(col(Engagement.id).in_({a.engagement_id for a in assignments}))
        ).all()
    }
    fees: dict[int, list[ExpertFee]] = {a.id: [] for a in assignments}
    for fee in db.exec(
        select(ExpertFee)
        .where(col(ExpertFee.assignment_id).in_(list(fees)))
        .order_by(ExpertFee.fee_date, ExpertFee.id)
    ).all():
        fees[fee.assignment_id].append(fee)
    return [
        AssignmentRow(a, experts[a.expert_id], projects[a.engagement_id], fees[a.id])
        for a in assignments
    ]


def for_engagement(db: Session, engagement: Engagement) -> list[AssignmentRow]:
    """The engagement's expert assignments (current first) with their fees."""
    rows = db.exec(
        select(ExpertAssignment)
        .where(ExpertAssignment.engagement_id == engagement.id)
        .order_by(col(ExpertAssignment.ended_at).is_not(None), ExpertAssignment.assigned_at)
    ).all()
    return _rows(db, list(rows))


def history(db: Session, expert: Expert) -> list[AssignmentRow]:
    """Every assignment of the expert, newest first, with the fees of each."""
    rows = db.exec(
        select(ExpertAssignment)
        .where(ExpertAssignment.expert_id == expert.id)
        .order_by(col(ExpertAssignment.assigned_at).desc())
    ).all()
    return _rows(db, list(rows))


def assignment_counts(db: Session, experts: list[Expert]) -> dict[int, int]:
    """Expert id → how many engagements they were assigned to, ended ones included (one query)."""
    if not experts:
        return {}
    return dict(
        db.exec(
            select(ExpertAssignment.expert_id, func.count())
            .where(col(ExpertAssignment.expert_id).in_([e.id for e in experts]))
            .group_by(ExpertAssignment.expert_id)
        ).all()
    )


def candidates(db: Session, engagement: Engagement) -> list[Expert]:
    """Active pool experts with an account and not currently assigned here."""
    taken = select(ExpertAssignment.expert_id).where(
        ExpertAssignment.engagement_id == engagement.id, col(ExpertAssignment.ended_at).is_(None)
    )
    return list(
        db.exec(
            select(Expert)
            .where(
                Expert.agency_id == engagement.agency_id,
                col(Expert.active).is_(True),
                col(Expert.user_id).is_not(None),
                col(Expert.id).not_in(taken),
            )
            .order_by(Expert.name)
        ).all()
    )
