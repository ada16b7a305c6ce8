"""Expert-pool predicates: agency staff browse the pool; an expert sees their own profile."""

from __future__ import annotations

from typing import Any

from workbench.core.permissions import predicate
from workbench.engagements.models import MemberRole


@predicate("expert.view")
def can_view(user: Any, expert: Any) -> bool:
    """Staff of the expert's agency, or the expert themself."""
    return expert.visible_to(user)


@predicate("expert.declare")
def can_declare(user: Any, expert: Any) -> bool:
    """Declaring ties: the expert themself, or an admin of the agency."""
    return expert.is_self(user) or expert.is_agency_admin(user)


@predicate("expert.manage")
def can_manage(user: Any, expert: Any) -> bool:
    """Editing a profile and deciding withdrawals: an admin of the expert's agency."""
    return expert.is_agency_admin(user)


@predicate("expert.account")
def is_expert_account(user: Any, _obj: Any = None) -> bool:
    """External experts (their own profile page is reached from the navigation bar)."""
    return user.is_expert


@predicate("plan_review.sign")
def can_sign_plan_review(user: Any, engagement: Any) -> bool:
    """Experts on the engagement's team sign their own opinion of the plan."""
    return MemberRole.expert in engagement.roles_of(user)
