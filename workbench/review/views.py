"""Review pages: the notification bell, the menu and the tabs; the routes live in views_*.py."""

from __future__ import annotations

from flask_login import current_user

from workbench import db
from workbench.accounts.services import register_user_figure, user_figure
from workbench.core.templating import register_nav, register_tab
from workbench.review import (
    notifications,
    views_followup,  # noqa: F401 - its routes on bp
    views_rating,  # noqa: F401 - its routes on bp
    views_rectification_import,  # noqa: F401 - its routes on bp
    views_submissions,  # noqa: F401 - its routes on bp
    views_unit,  # noqa: F401 - its routes on bp
)
from workbench.review import permissions as _permissions  # noqa: F401 - registers predicates
from workbench.review.blueprint import bp

UNREAD = "unread_notifications"
register_user_figure(UNREAD, notifications.unread_count_column)


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
register_tab("整改情况", "review.unit_rectification", "review.unit")
