"""Review pages: the blueprint, loaders, the notification bell; routes live in views_*.py."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from workbench import db
from workbench.accounts.services import register_user_figure, user_figure
from workbench.core.errors import NotFound
from workbench.core.templating import register_nav, register_tab
from workbench.engagements.models import Engagement
from workbench.engagements.services import load_engagement
from workbench.review import notifications, submissions
from workbench.review import permissions as _permissions  # noqa: F401 - registers predicates
from workbench.review.models import Notification

bp = Blueprint("review", __name__, template_folder="templates")

UNREAD = "unread_notifications"
register_user_figure(UNREAD, notifications.unread_count_column)


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


@bp.app_context_processor
def _bell() -> dict:
    """`unread_notifications()` for review/_bell.html (queried only where the bell is shown)."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        known = user_figure(UNREAD)  # loaded with the user (see accounts.auth)
        return (
            known if known is not None else notifications.unread_count(db.session(), current_user)
        )

    return {"unread_notifications": unread_notifications}


register_nav("审核收件箱", "review.inbox", "review.inbox")
register_nav("质量考核表", "review.rubrics_list", "admin", admin=True)
register_tab("委托方审核", "review.overview", "review.view")
register_tab("归档", "review.archive", "review.team")

from workbench.review import (  # noqa: E402, F401 - the routes register on bp
    views_followup,
    views_rating,
    views_rectification_import,
    views_submissions,
    views_unit,
)
