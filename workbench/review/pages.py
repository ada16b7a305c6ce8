"""Read models of the review pages: what both rectification pages show of the items."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from workbench.core.timeutil import today_local
from workbench.engagements.models import Engagement
from workbench.engagements.services import users_by_id
from workbench.review import unit_followup
from workbench.review.models import RectificationItem
from workbench.review.states import SHOWN_NAMES, UNIT_REPORT_NAMES, follow_up_state


def follow_up_lists(
    session: Session,
    engagement: Engagement,
    items: Sequence[RectificationItem],
    *,
    user_ids: frozenset[int] = frozenset(),
) -> dict:
    """What both rectification pages show of the items: their state, the unit's reports and files."""
    reports = unit_followup.reports_by_item(session, engagement)
    today = today_local()
    return {
        "items": items,
        "states": {
            i.id: follow_up_state(i.status, i.feedback_due, i.rectify_due, today) for i in items
        },
        "shown_names": SHOWN_NAMES,
        "reports": reports,
        "report_files": unit_followup.files_by_report(session, engagement),
        "report_names": UNIT_REPORT_NAMES,
        "users": users_by_id(
            session, user_ids | {r.author_id for rows in reports.values() for r in rows}
        ),
    }
