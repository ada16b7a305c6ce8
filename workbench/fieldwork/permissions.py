"""Who may see and do what in fieldwork (named predicates) and the scope object loaders return.

- working papers and evidence: read by the team, the agency admin and the engagement's experts;
  written by the team (lead, evaluators, reviewers) and the agency admin; bureau reviewers and
  unit contacts never see them;
- document requests: managed by the lead (and admin); a unit contact sees only the requests sent
  to them, and uploads against their items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.core.permissions import predicate
from workbench.engagements.models import Engagement, MemberRole


@dataclass
class Scope:
    """What a loader found: the engagement and the object inside it (404 when the engagement is hidden)."""

    engagement: Engagement
    paper: Any = None
    request: Any = None

    def visible_to(self, user: Any) -> bool:
        return self.engagement.visible_to(user)


def engagement_of(obj: Any) -> Engagement:
    return obj.engagement if isinstance(obj, Scope) else obj


def can_read(user: Any, obj: Any) -> bool:
    engagement = engagement_of(obj)
    return engagement.visible_to(user) and (
        engagement.works_on(user) or MemberRole.expert in engagement.roles_of(user)
    )


def can_write(user: Any, obj: Any) -> bool:
    return engagement_of(obj).works_on(user)


def is_contact(user: Any, obj: Any) -> bool:
    """A unit member to whom the scoped request was sent."""
    engagement = engagement_of(obj)
    request = obj.request if isinstance(obj, Scope) else None
    return (
        MemberRole.unit in engagement.roles_of(user)
        and request is not None
        and request.is_sent
        and request.contact_user_id == user.id
    )


predicate("fieldwork.read")(can_read)
predicate("fieldwork.write")(can_write)


@predicate("fieldwork.template")
def _template(user: Any, template: Any) -> bool:
    """An agency's working-paper template is maintained by that agency's admins."""
    return template.visible_to(user)


@predicate("fieldwork.manage")
def _manage(user: Any, obj: Any) -> bool:
    return engagement_of(obj).can_manage(user)


@predicate("fieldwork.requests")
def _requests(user: Any, obj: Any) -> bool:
    """The request list: readers of papers, and the unit's contacts (who see only theirs)."""
    engagement = engagement_of(obj)
    return can_read(user, obj) or MemberRole.unit in engagement.roles_of(user)


@predicate("fieldwork.request")
def _request(user: Any, obj: Any) -> bool:
    return can_read(user, obj) or is_contact(user, obj)


@predicate("fieldwork.request_upload")
def _request_upload(user: Any, obj: Any) -> bool:
    return can_write(user, obj) or is_contact(user, obj)


def may_review(user: Any, engagement: Engagement) -> bool:
    """Second-level review: the engagement's reviewers and leads, or the agency admin."""
    return engagement.reviews(user)


def may_approve(user: Any, engagement: Engagement) -> bool:
    """Third-level approval: the project lead (or the agency admin acting for the lead)."""
    return engagement.can_manage(user)
