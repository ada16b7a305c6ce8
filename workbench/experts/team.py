"""The team tab's way in and out for experts: one record, the assignment, behind both tabs."""

from __future__ import annotations

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core.errors import ValidationFailed
from workbench.engagements import services as engagements
from workbench.engagements.models import Engagement, Member, MemberRole
from workbench.experts.assignments import active_assignment, assign, end_assignment
from workbench.experts.pool import expert_for_user


def join_team(
    db: Session, *, actor: User, engagement: Engagement, user_id: int, role: str, duty: str = ""
) -> Member:
    """Add a team member; an expert is assigned from the pool, so the 专家 tab counts them too."""
    if role != MemberRole.expert.value:
        return engagements.add_member(
            db, actor=actor, engagement=engagement, user_id=user_id, role=role, duty=duty
        )
    user = db.get(User, user_id) if user_id else None
    if user is None or not engagements.may_join(user, engagement, MemberRole.expert):
        # Not a possible expert at all: the team's own refusal says why.
        return engagements.add_member(
            db, actor=actor, engagement=engagement, user_id=user_id, role=role, duty=duty
        )
    expert = expert_for_user(db, user)
    if expert is None or expert.agency_id != engagement.agency_id:
        message = (
            f"{user.display_name} 尚无本机构专家库档案，不能以专家身份加入："
            "请机构管理员先在专家库中为其建立档案并关联账号，再添加（添加即指派，计入“专家”页）"
        )
        raise ValidationFailed.of_field("role", message)
    assignment = assign(db, actor=actor, engagement=engagement, expert_id=expert.id, duty=duty)
    return db.get(Member, assignment.member_id)


def leave_team(db: Session, *, actor: User, engagement: Engagement, member_id: int) -> None:
    """Remove a team member; an assigned expert's assignment ends with it (history and fees stay)."""
    member = db.get(Member, member_id)
    user = db.get(User, member.user_id) if member is not None else None
    expert = expert_for_user(db, user) if user is not None else None
    assignment = (
        active_assignment(db, expert=expert, engagement=engagement)
        if expert is not None and member.engagement_id == engagement.id
        else None
    )
    if assignment is None:
        engagements.remove_member(db, actor=actor, engagement=engagement, member_id=member_id)
        return
    end_assignment(
        db,
        actor=actor,
        engagement=engagement,
        assignment_id=assignment.id,
        reason="在工作组页移除",
    )
