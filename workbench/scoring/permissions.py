"""Named predicates of the scoring pages."""

from __future__ import annotations

from workbench.core.permissions import predicate
from workbench.engagements.models import MemberRole


@predicate("scoring.expert")
def is_engagement_expert(user, engagement) -> bool:
    """Members in the expert role have an expert-scoring page."""
    return MemberRole.expert in engagement.roles_of(user)
