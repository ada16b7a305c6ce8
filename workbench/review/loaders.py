"""Loaders for guarded views: the submission inside its engagement, the reader's notification."""

from __future__ import annotations

from workbench import db
from workbench.core.errors import NotFound
from workbench.engagements.models import Engagement
from workbench.engagements.services import load_engagement
from workbench.review import submissions
from workbench.review.models import Notification


def load_submission(engagement_id: int, submission_id: int, **_) -> Engagement:
    """The engagement, after checking the submission belongs to it (the permission hides both)."""
    engagement = load_engagement(engagement_id)
    submissions.get(db.session(), engagement, submission_id)
    return engagement


def load_notification(notification_id: int, **_) -> Notification:
    """The notification; its visible_to hides it (404) from everyone but its recipient."""
    row = db.session().get(Notification, notification_id)
    if row is None:
        raise NotFound("通知不存在")
    return row
