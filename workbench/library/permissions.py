"""Named predicates of the indicator library (agency staff write, experts read)."""

from __future__ import annotations

from workbench.core.permissions import predicate


@predicate("library.read")
def can_read(user, obj) -> bool:
    """Agency staff and experts read the library (bureaus and units do not)."""
    return bool(user.is_agency or user.is_expert)


@predicate("library.contribute")
def can_contribute(user, obj) -> bool:
    """Agency staff write personal indicators, propose them and add benchmarks."""
    return bool(user.is_agency)


@predicate("library.edit")
def can_edit(user, obj) -> bool:
    """Owners edit their personal/proposed indicators; admins edit any indicator in use."""
    return bool(obj is not None and obj.can_edit(user))


@predicate("library.own")
def is_owner(user, obj) -> bool:
    """The owner proposes a personal indicator for review and withdraws the proposal."""
    return bool(obj is not None and obj.is_owned_by(user))
