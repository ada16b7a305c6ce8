"""Who may do what in the review domain (named predicates; objects are engagements or scopes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.core.permissions import predicate


@dataclass
class Scope:
    """An object inside an engagement, hidden (404) from whoever cannot see that engagement."""

    engagement: Any
    obj: Any

    def visible_to(self, user: Any) -> bool:
        return self.engagement.visible_to(user)


def _engagement(obj: Any) -> Any:
    return obj.engagement if isinstance(obj, Scope) else obj


def is_bureau_of(user: Any, engagement: Any) -> bool:
    """A reviewer of the bureau that commissioned the engagement."""
    return bool(
        user.is_bureau and user.org_id == engagement.bureau_id and user.serves(engagement.agency_id)
    )


@predicate("review.inbox")
def _inbox(user: Any, obj: Any) -> bool:
    return user.is_bureau


@predicate("review.view")
def _view(user: Any, obj: Any) -> bool:
    """The review pages: the bureau's reviewers and the agency team (never the unit or experts)."""
    engagement = _engagement(obj)
    return is_bureau_of(user, engagement) or engagement.works_on(user)


@predicate("review.bureau")
def _bureau(user: Any, obj: Any) -> bool:
    return is_bureau_of(user, _engagement(obj))


@predicate("review.follow_up")
def _follow_up(user: Any, obj: Any) -> bool:
    """Rectification progress: the lead and the bureau record what concerns them."""
    engagement = _engagement(obj)
    return engagement.can_manage(user) or is_bureau_of(user, engagement)


@predicate("review.manage")
def _manage(user: Any, obj: Any) -> bool:
    return _engagement(obj).can_manage(user)


@predicate("review.team")
def _team(user: Any, obj: Any) -> bool:
    """The agency side: the engagement's team or an admin of its agency."""
    return _engagement(obj).works_on(user)


@predicate("review.own")
def _own(user: Any, obj: Any) -> bool:
    """A user's own object (notifications): visible_to already hid everyone else's."""
    return obj.visible_to(user)


@predicate("review.unit")
def _unit(user: Any, obj: Any) -> bool:
    """The evaluated unit's contact on the engagement: reports its own rectification."""
    return "unit" in _engagement(obj).roles_of(user)


@predicate("review.rectification_file")
def _rectification_file(user: Any, obj: Any) -> bool:
    """A unit's rectification evidence: the unit, the agency side and the bureau."""
    engagement = _engagement(obj)
    return (
        "unit" in engagement.roles_of(user)
        or engagement.works_on(user)
        or is_bureau_of(user, engagement)
    )
