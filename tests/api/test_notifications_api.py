"""The caller's notifications and notice preferences through the API (issue 21): one's own inbox
only, cursor pages, the unread filter, marking read, and settings audited by their service."""

from __future__ import annotations

import pytest
from sqlmodel import select

from workbench.core.audit import AuditEntry
from workbench.notices.kinds import KINDS
from workbench.notices.models import NoticeMute
from workbench.review import notifications
from workbench.review.models import Notification


@pytest.fixture()
def as_(demo, token_for):
    made: dict[str, dict] = {}

    def _headers(role: str) -> dict:
        if role not in made:
            made[role] = token_for(demo.users[f"demo-{role}"])
        return made[role]

    return _headers


@pytest.fixture()
def inbox(db, demo):
    """Five fresh notifications for demo-evaluator (oldest first) and one for demo-reviewer."""
    evaluator = demo.users["demo-evaluator"]
    for row in db.exec(select(Notification).where(Notification.user_id == evaluator.id)).all():
        db.delete(row)
    made = [
        notifications.notify(
            db, users=[evaluator], engagement=demo.engagement, kind="paper.returned",
            title=f"工作底稿被退回修改：D-0{n}", body="请修改", link=f"/engagements/1/papers/{n}",
        )[0]
        for n in range(1, 6)
    ]  # fmt: skip
    other = notifications.notify(
        db, users=[demo.users["demo-reviewer"]], engagement=None, kind="review.returned",
        title="别人的通知",
    )[0]  # fmt: skip
    db.flush()
    return made, other


def test_my_notifications_page_by_cursor_and_filter_unread(client, db, demo, as_, inbox):
    made, other = inbox
    notifications.mark_read(db, actor=demo.users["demo-evaluator"], notification=made[0])
    db.flush()
    first = client.get("/api/v1/notifications?limit=2", headers=as_("evaluator"))
    assert first.status_code == 200
    assert [i["id"] for i in first.json["items"]] == [made[4].id, made[3].id]
    assert first.json["unread"] == 4
    item = first.json["items"][0]
    assert item == {
        "id": made[4].id, "kind": "paper.returned", "kind_name": "工作底稿被退回修改",
        "engagement_id": demo.engagement.id, "title": "工作底稿被退回修改：D-05", "body": "请修改",
        "link": "/engagements/1/papers/5", "created_at": item["created_at"], "read_at": None,
        "read": False,
    }  # fmt: skip
    seen, next_cursor = [], first.json["next_cursor"]
    while next_cursor:
        page = client.get(f"/api/v1/notifications?limit=2&cursor={next_cursor}",
                          headers=as_("evaluator")).json  # fmt: skip
        seen += [i["id"] for i in page["items"]]
        next_cursor = page["next_cursor"]
    assert seen == [made[2].id, made[1].id, made[0].id]
    unread = client.get("/api/v1/notifications?unread=true", headers=as_("evaluator")).json
    assert [i["id"] for i in unread["items"]] == [m.id for m in reversed(made[1:])]
    assert other.id not in {i["id"] for i in unread["items"]}
    bad = client.get("/api/v1/notifications?unread=maybe", headers=as_("evaluator"))
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "unread"
    assert client.get("/api/v1/notifications?cursor=x", headers=as_("evaluator")).status_code == 422
    assert client.get("/api/v1/notifications").status_code == 401


def test_marking_read_one_and_all_touches_only_my_own(client, db, demo, as_, inbox):
    made, other = inbox
    url = f"/api/v1/notifications/{made[2].id}/read"
    read = client.post(url, headers=as_("evaluator"))
    assert read.status_code == 200 and read.json["read"] is True and read.json["read_at"]
    again = client.post(url, headers=as_("evaluator"))
    assert again.status_code == 200 and again.json["read_at"] == read.json["read_at"]
    # Someone else's notification is not there for me, and stays unread.
    theirs = client.post(f"/api/v1/notifications/{other.id}/read", headers=as_("evaluator"))
    assert theirs.status_code == 404
    assert (
        client.post("/api/v1/notifications/999999/read", headers=as_("evaluator")).status_code
        == 404
    )
    db.refresh(other)
    assert other.read_at is None

    everything = client.post("/api/v1/notifications/read-all", headers=as_("evaluator"))
    assert everything.status_code == 200 and everything.json == {"marked": 4, "unread": 0}
    assert client.post("/api/v1/notifications/read-all",
                       headers=as_("evaluator")).json == {"marked": 0, "unread": 0}  # fmt: skip
    db.refresh(other)
    assert other.read_at is None


def test_preferences_are_the_profile_pages_and_saving_them_is_audited(client, db, demo, as_):
    shown = client.get("/api/v1/notification-preferences", headers=as_("lead"))
    assert shown.status_code == 200
    assert [k["key"] for k in shown.json["kinds"]] == [k.key for k in KINDS]
    assert all(k["enabled"] for k in shown.json["kinds"])
    keep = ["paper.returned", "review.returned"]
    saved = client.put("/api/v1/notification-preferences", json={"enabled": keep},
                       headers=as_("lead"))  # fmt: skip
    assert saved.status_code == 200
    assert [k["key"] for k in saved.json["kinds"] if k["enabled"]] == keep
    lead = demo.users["demo-lead"]
    muted = set(db.exec(select(NoticeMute.kind).where(NoticeMute.user_id == lead.id)).all())
    assert muted == {k.key for k in KINDS} - set(keep)
    entry = db.exec(
        select(AuditEntry).where(AuditEntry.action == "user.notice_preferences",
                                 AuditEntry.actor_id == lead.id)
    ).one()  # fmt: skip
    assert len(entry.after["muted"]) == len(KINDS) - 2

    wrong = client.put("/api/v1/notification-preferences", json={"enabled": ["paper.returned",
                       "no.such"]}, headers=as_("lead"))  # fmt: skip
    assert wrong.status_code == 422 and wrong.json["errors"] == [
        {"field": "kinds", "message": "没有“no.such”这种通知"}
    ]
    after = set(db.exec(select(NoticeMute.kind).where(NoticeMute.user_id == lead.id)).all())
    assert after == muted  # nothing half-saved
    # The settings are each user's own: the evaluator's are untouched.
    mine = client.get("/api/v1/notification-preferences", headers=as_("evaluator")).json
    assert all(k["enabled"] for k in mine["kinds"])
    assert client.put("/api/v1/notification-preferences", json={"enabled": "x"},
                      headers=as_("lead")).status_code == 422  # fmt: skip
