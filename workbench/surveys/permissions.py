"""Who may see and do what with surveys (named predicates) and the scope loaders return.

- questionnaires, answers and statistics: read by the team, the agency admin and the engagement's
  experts; changed by the team (lead, evaluators, reviewers) and the agency admin;
- waiving the sample size and re-opening a closed survey: the lead (and the agency admin);
- bureau reviewers and unit contacts see surveys only through the report;
- respondents answer through the public link (predicate "public", the token is the key).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.core.permissions import predicate
from workbench.engagements.models import Engagement, MemberRole


@dataclass
class SurveyScope:
    """What a loader found: the engagement and the survey (or import) inside it."""

    engagement: Engagement
    survey: Any = None
    job: Any = None

    def visible_to(self, user: Any) -> bool:
        return self.engagement.visible_to(user)


def engagement_of(obj: Any) -> Engagement:
    return obj.engagement if isinstance(obj, SurveyScope) else obj


@predicate("surveys.read")
def can_read(user: Any, obj: Any) -> bool:
    engagement = engagement_of(obj)
    return engagement.visible_to(user) and (
        engagement.works_on(user) or MemberRole.expert in engagement.roles_of(user)
    )


@predicate("surveys.write")
def can_write(user: Any, obj: Any) -> bool:
    engagement = engagement_of(obj)
    return engagement.works_on(user)


@predicate("surveys.manage")
def can_manage(user: Any, obj: Any) -> bool:
    return engagement_of(obj).can_manage(user)
