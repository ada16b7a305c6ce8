"""Report predicates: the evaluated unit's contact reaches only the consultation page.

Drafting pages use the engagement predicates (engagement.internal to read and write sections,
with experts limited to their assigned sections by the service; engagement.team to generate
files, answer opinions and sign; engagement.manage to assign, send and withdraw).
"""

from __future__ import annotations

from typing import Any

from workbench.core.permissions import predicate
from workbench.engagements.models import MemberRole


@predicate("reports.unit")
def is_unit_contact(user: Any, engagement: Any) -> bool:
    """A member of the engagement in the evaluated-unit role."""
    return MemberRole.unit in engagement.roles_of(user)
