"""Who may carry an engagement offline and bring it back: its lead and its evaluators."""

from __future__ import annotations

from workbench.core.permissions import predicate
from workbench.engagements.models import MemberRole


@predicate("offline.carry")
def carry(user, engagement) -> bool:
    """Check out and check in: the engagement's lead and evaluators (reviewers sign at the office)."""
    return bool(engagement.roles_of(user) & {MemberRole.lead, MemberRole.evaluator})
