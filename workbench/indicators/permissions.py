"""Named predicates of the indicator system pages."""

from __future__ import annotations

from workbench.core.permissions import predicate
from workbench.indicators.system import is_editor


@predicate("indicators.edit")
def can_edit_indicators(user, engagement) -> bool:
    """Team members and the agency's admins work on the tree (after confirmation: the lead)."""
    return is_editor(engagement, user)
