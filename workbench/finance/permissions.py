"""Finance predicates: fees and deposits are internal to the agency (never bureau or unit)."""

from __future__ import annotations

from typing import Any

from workbench.core.permissions import predicate


@predicate("finance.view")
def can_view(user: Any, engagement: Any) -> bool:
    """The engagement's agency team, or an admin of its agency."""
    return engagement.works_on(user)


@predicate("finance.manage")
def can_manage(user: Any, engagement: Any) -> bool:
    """Contract, invoices and receipts: the lead or an admin of the agency."""
    return engagement.can_manage(user)
