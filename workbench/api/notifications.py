"""The caller's own notifications (the bell) and notice preferences through the API.

The same services as the 通知 page and the profile's 通知设置 (`review.notifications`,
`notices.preferences`). A notification is its recipient's alone: anyone else's id is not found
(404). Marking read is the user's own inbox state and, as on the page, leaves no audit entry;
saving the preferences is audited by its service.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.notifications_schemas import (
    NoticeKindOut,
    NoticePreferencesIn,
    NoticePreferencesOut,
    NotificationOut,
    NotificationPage,
    NotificationsReadOut,
)
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.permissions import guarded_object, requires
from workbench.notices import services as notices
from workbench.notices.kinds import KINDS, label
from workbench.review.models import Notification
from workbench.review.services import notifications  # (registers review.own)


def load_notification(notification_id: int, **_) -> Notification:
    """The notification; its visible_to hides it (404) from everyone but its recipient."""
    row = db.session().get(Notification, notification_id)
    if row is None:
        raise NotFound("通知不存在")
    return row


def _out(row: Notification) -> NotificationOut:
    return NotificationOut(
        **row.model_dump(include=set(NotificationOut.model_fields)),
        kind_name=label(row.kind),
        read=row.read_at is not None,
    )


def _unread_only() -> bool:
    flag = request.args.get("unread", "").strip().lower()
    if flag not in ("", "0", "1", "true", "false"):
        raise ValidationFailed.of_field("unread", "unread 应为 true 或 false")
    return flag in ("1", "true")


@operation(
    "/notifications",
    "GET",
    summary="我的通知（新的在前；分页：limit, cursor；筛选：unread=true 只看未读），附未读总数",
    response=NotificationPage,
    tag="notifications",
)
@requires("authenticated")
def list_notifications():
    session = db.session()
    stmt = notifications.inbox_query(user=current_user, unread_only=_unread_only())
    rows, next_cursor = cursor.page(session, stmt, Notification.id)
    return respond(
        NotificationPage(
            items=[_out(r) for r in rows],
            next_cursor=next_cursor,
            unread=notifications.unread_count(session, current_user),
        )
    )


@operation(
    "/notifications/{notification_id}/read",
    "POST",
    summary="把我的一条通知标为已读（已读的保持不变）；他人的通知 404",
    response=NotificationOut,
    tag="notifications",
)
@requires("review.own", load=load_notification)
def read_notification(notification_id: int):
    row = notifications.mark_read(db.session(), actor=current_user, notification=guarded_object())
    return respond(_out(row))


@operation(
    "/notifications/read-all",
    "POST",
    summary="把我的全部未读通知标为已读，返回标记的条数",
    response=NotificationsReadOut,
    tag="notifications",
)
@requires("authenticated")
def read_all_notifications():
    session = db.session()
    marked = notifications.mark_all_read(session, actor=current_user)
    return respond(
        NotificationsReadOut(
            marked=marked, unread=notifications.unread_count(session, current_user)
        )
    )


def _preferences() -> NoticePreferencesOut:
    off = notices.muted(db.session(), user_id=current_user.id)
    return NoticePreferencesOut(
        kinds=[
            NoticeKindOut(key=k.key, label=k.label, audience=k.audience, enabled=k.key not in off)
            for k in KINDS
        ]
    )


@operation(
    "/notification-preferences",
    "GET",
    summary="我的通知设置：每类通知、谁会收到、是否接收（与个人资料页相同）",
    response=NoticePreferencesOut,
    tag="notifications",
)
@requires("authenticated")
def get_notice_preferences():
    return respond(_preferences())


@operation(
    "/notification-preferences",
    "PUT",
    summary=(
        "保存通知设置 {enabled: [要接收的通知类别 key]}：未列出的类别均不再接收；"
        "有不存在的类别时 422，不做任何修改"
    ),
    body=NoticePreferencesIn,
    response=NoticePreferencesOut,
    tag="notifications",
)
@requires("authenticated")
def put_notice_preferences():
    body = parse_body(NoticePreferencesIn)
    notices.save(db.session(), actor=current_user, enabled=body.enabled)
    return respond(_preferences())
