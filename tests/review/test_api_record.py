"""The review loop's record through the API: comments and replies, rectification items."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlmodel import col, func, select

from tests.review.conftest import comment
from tests.review.test_followup_after_archive import PDF, archived, items  # noqa: F401 - fixtures
from workbench.core.audit import AuditEntry
from workbench.core.timeutil import today_local
from workbench.review.models import (
    Notification,
    RectificationItem,
    RectificationReport,
    ReviewComment,
    Submission,
)


def _audits(db, engagement, action) -> list[AuditEntry]:
    return list(
        db.exec(
            select(AuditEntry).where(
                AuditEntry.engagement_id == engagement.id, AuditEntry.action == action
            )
        ).all()
    )


def _notified(db, user, kind) -> list[Notification]:
    return list(
        db.exec(
            select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
        ).all()
    )


def _items(db, engagement) -> int:
    return db.exec(
        select(func.count())
        .select_from(RectificationItem)
        .where(RectificationItem.engagement_id == engagement.id)
    ).one()


# --- comments and replies --------------------------------------------------------------------


def test_comments_listed_added_and_withdrawn_by_the_bureau(
    engagement, submitted, client, db, people, token_for
):
    bureau, lead = token_for(people.bureau), token_for(people.lead)
    url = f"/api/v1/submissions/{submitted.id}/comments"
    added = client.post(
        url, json={"body": "请补充数据来源", "section": "overview", "paragraph": 1}, headers=bureau
    )
    assert added.status_code == 201, added.json
    body = added.json
    assert (body["anchor"], body["quote"], body["reply"]) == (
        "（一）项目概况 第 1 段",
        "项目覆盖全市126所学校。",
        None,
    )
    assert body["author_name"] == people.bureau.display_name
    assert len(_audits(db, engagement, "review.comment")) == 1
    assert (
        client.post(url, json={"body": "x", "section": "nope"}, headers=bureau).status_code == 422
    )
    assert client.post(url, json={"body": "x"}, headers=lead).status_code == 403
    assert (
        client.post(url, json={"body": "x"}, headers=token_for(people.bureau2)).status_code == 404
    )

    listed = client.get(url, headers=lead)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json["items"]] == [body["id"]]
    assert client.get(url, headers=token_for(people.unit)).status_code == 403

    gone = client.delete(f"{url}/{body['id']}", headers=bureau)
    assert gone.status_code == 204
    assert db.get(ReviewComment, body["id"]) is None
    assert len(_audits(db, engagement, "review.comment_delete")) == 1


def test_the_firm_replies_to_a_returned_versions_comments(
    engagement, submitted, client, db, demo, people, token_for
):
    lead = token_for(people.lead)
    first = comment(db, engagement, people, submitted)
    base = f"/api/v1/submissions/{submitted.id}/comments/{first.id}/reply"
    tag = client.get(base, headers=lead).headers["ETag"]
    # Under review: the page offers no reply yet, nor does the API.
    pending = client.put(base, json={"answer": "已补充"}, headers={**lead, "If-Match": tag})
    assert pending.status_code == 409 and "审核中" in pending.json["error"]
    refused = client.post(
        f"/api/v1/submissions/{submitted.id}/decision",
        json={"decision": "return", "note": "请修改"},
        headers=token_for(people.bureau),
    )
    assert refused.status_code == 200

    read = client.get(base, headers=lead)
    assert read.json == {
        "comment_id": first.id,
        "answer": "",
        "answered_by_id": None,
        "answered_by_name": "",
        "answered_at": None,
    }
    tag = read.headers["ETag"]
    assert client.put(base, json={"answer": "已补充"}, headers=lead).status_code == 428
    assert client.put(base, json={}, headers={**lead, "If-Match": tag}).status_code == 422
    assert (
        client.put(
            base, json={"answer": "x"}, headers={**token_for(people.bureau), "If-Match": tag}
        ).status_code
        == 403
    )
    done = client.put(
        base, json={"answer": "已在第二段补充数据来源"}, headers={**lead, "If-Match": tag}
    )
    assert done.status_code == 200, done.json
    assert done.json["answer"] == "已在第二段补充数据来源"
    assert done.json["answered_by_name"] == people.lead.display_name
    assert done.headers["ETag"] != tag
    stale = client.put(base, json={"answer": "覆盖"}, headers={**lead, "If-Match": tag})
    assert stale.status_code == 412
    [entry] = _audits(db, engagement, "review.answer")
    assert entry.actor_id == people.lead.id and entry.after == {"answer": "已在第二段补充数据来源"}

    listed = client.get(
        f"/api/v1/submissions/{submitted.id}/comments", headers=token_for(people.bureau)
    )
    [shown] = listed.json["items"]
    assert shown["reply"]["answer"] == "已在第二段补充数据来源"

    # Another engagement's comment is not one of this submission's: 404, nothing written.
    other = db.exec(
        select(ReviewComment).where(ReviewComment.engagement_id == demo.engagement.id)
    ).first()
    assert other is not None
    foreign = f"/api/v1/submissions/{submitted.id}/comments/{other.id}/reply"
    assert client.get(foreign, headers=lead).status_code == 404
    answer = client.put(
        foreign, json={"answer": "x"}, headers={**lead, "If-Match": f'W/"{other.version}"'}
    )
    assert answer.status_code == 404
    assert client.get(base, headers=token_for(people.bureau2)).status_code == 404


# --- rectification items ---------------------------------------------------------------------


def test_items_need_the_approved_final_report(engagement, submitted, client, db, people, token_for):
    url = f"/api/v1/engagements/{engagement.id}/rectification"
    early = client.post(url, json={"problem": "资金拨付不及时"}, headers=token_for(people.lead))
    assert early.status_code == 409 and "审核通过后" in early.json["error"]
    assert _items(db, engagement) == 0


def test_create_list_and_edit_items(engagement, approved, client, db, people, token_for):
    lead = {**token_for(people.lead), "Idempotency-Key": "rectification-1"}
    url = f"/api/v1/engagements/{engagement.id}/rectification"
    body = {"problem": "资金拨付不及时", "requirement": "建立拨付时限制度",
            "feedback_due": "2030-02-01", "rectify_due": "2030-03-01"}  # fmt: skip
    created = client.post(url, json=body, headers=lead)
    assert created.status_code == 201, created.json
    item = created.json
    assert (item["state"], item["state_name"], item["feedback_due"]) == (
        "open",
        "待反馈",
        "2030-02-01",
    )
    assert created.headers["ETag"] == f'W/"{item["version"]}"'
    again = client.post(url, json=body, headers=lead)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json == item and _items(db, engagement) == 1
    assert len(_audits(db, engagement, "review.rectification_create")) == 1
    assert len(_notified(db, people.bureau, "review.rectification")) == 1
    assert len(_notified(db, people.unit, "review.rectification")) == 1

    plain = token_for(people.lead)
    for bad in ({**body, "feedback_due": "2030-13-01"}, {**body, "rectify_due": "2030-01-01"},
                {**body, "extra": 1}, {"problem": ""}):  # fmt: skip
        assert client.post(url, json=bad, headers=plain).status_code == 422, bad
    assert client.post(url, json=body, headers=token_for(people.evaluator)).status_code == 403
    assert client.post(url, json=body, headers=token_for(people.bureau)).status_code == 403
    # Dates left out are the create form's defaults; a passed feedback date shows as overdue.
    default = client.post(url, json={"problem": "绩效目标不够细化"}, headers=plain).json
    assert default["rectify_due"] > default["feedback_due"]
    past = (today_local() - timedelta(days=3)).isoformat()
    late = client.post(url, json={"problem": "台账不全", "feedback_due": past}, headers=plain).json
    assert (late["state"], late["state_name"]) == ("overdue_feedback", "逾期未反馈")

    # A cursor walk: newest first, no row twice.
    first = client.get(f"{url}?limit=2", headers=token_for(people.bureau)).json
    assert [i["id"] for i in first["items"]] == [late["id"], default["id"]]
    rest = client.get(f"{url}?limit=2&cursor={first['next_cursor']}", headers=plain).json
    assert [i["id"] for i in rest["items"]] == [item["id"]] and rest["next_cursor"] is None
    assert client.get(f"{url}?cursor=nope", headers=plain).status_code == 422
    assert client.get(url, headers=token_for(people.unit)).status_code == 403
    assert client.get(url, headers=token_for(people.bureau2)).status_code == 404

    one = f"/api/v1/rectification/{item['id']}"
    tag = client.get(one, headers=plain).headers["ETag"]
    change = {"problem": "资金拨付滞后", "rectify_due": "2030-04-01"}
    assert client.patch(one, json=change, headers=plain).status_code == 428
    assert (
        client.patch(one, json=change, headers={**plain, "If-Match": 'W/"99"'}).status_code == 412
    )
    assert (
        client.patch(
            one, json={"feedback_due": "2030-02-30"}, headers={**plain, "If-Match": tag}
        ).status_code
        == 422
    )
    assert (
        client.patch(
            one, json=change, headers={**token_for(people.bureau), "If-Match": tag}
        ).status_code
        == 403
    )
    assert (
        client.patch(
            one, json=change, headers={**token_for(people.unit), "If-Match": tag}
        ).status_code
        == 403
    )
    edited = client.patch(one, json=change, headers={**plain, "If-Match": tag})
    assert edited.status_code == 200, edited.json
    assert (edited.json["problem"], edited.json["requirement"], edited.json["rectify_due"]) == (
        "资金拨付滞后",
        "建立拨付时限制度",
        "2030-04-01",
    )
    assert edited.headers["ETag"] != tag
    [entry] = _audits(db, engagement, "review.rectification_update")
    assert entry.before["problem"] == "资金拨付不及时" and entry.after["problem"] == "资金拨付滞后"

    removed = client.delete(f"/api/v1/rectification/{default['id']}", headers=plain)
    assert removed.status_code == 204 and db.get(RectificationItem, default["id"]) is None
    assert client.delete(one, headers=token_for(people.unit)).status_code == 403


@pytest.fixture()
def item(approved, db, engagement, people) -> RectificationItem:
    from workbench.review import rectification

    found = rectification.add_item(
        db,
        actor=people.lead,
        engagement=engagement,
        problem="资金拨付不及时",
        requirement="建立拨付时限制度",
        feedback_due=date(2030, 2, 1),
        rectify_due=date(2030, 3, 1),
    )
    db.flush()
    return found


def test_the_unit_reports_and_the_bureau_confirms(
    engagement, item, client, db, demo, people, token_for, make_user
):
    unit, lead, bureau = token_for(people.unit), token_for(people.lead), token_for(people.bureau)
    url = f"/api/v1/rectification/{item.id}/reports"
    listed = client.get(f"/api/v1/engagements/{engagement.id}/rectification/unit", headers=unit)
    assert listed.status_code == 200
    [shown] = listed.json["items"]
    assert "feedback_note" not in shown and shown["state"] == "open"
    tag = f'W/"{shown["version"]}"'
    feedback = {"kind": "feedback", "text": "已制定整改方案"}
    assert client.post(url, json=feedback, headers=unit).status_code == 428
    assert client.post(url, json=feedback, headers={**lead, "If-Match": tag}).status_code == 403
    assert client.post(url, json={"kind": "x", "text": "y"}, headers=unit).status_code == 422
    reported = client.post(url, json=feedback, headers={**unit, "If-Match": tag})
    assert reported.status_code == 201, reported.json
    out = reported.json
    assert (out["status"], out["state_name"]) == ("feedback_received", "已反馈，整改中")
    assert [(r["kind_name"], r["text"]) for r in out["reports"]] == [("整改反馈", "已制定整改方案")]
    assert len(_audits(db, engagement, "review.rectification_unit_report")) == 1
    assert len(_notified(db, people.lead, "review.rectification_unit_report")) == 1
    assert len(_notified(db, people.bureau, "review.rectification_unit_report")) == 1

    tag = reported.headers["ETag"]
    done = {"kind": "done", "text": "制度已印发"}
    no_file = client.post(url, json=done, headers={**unit, "If-Match": tag})
    assert no_file.status_code == 422 and no_file.json["errors"][0]["field"] == "files"
    with_file = client.post(
        url,
        data={**done, "files": [(io.BytesIO(PDF), "制度.pdf")]},
        headers={**unit, "If-Match": tag},
        content_type="multipart/form-data",
    )
    assert with_file.status_code == 201, with_file.json
    [evidence] = with_file.json["reports"][-1]["files"]
    assert evidence["name"] == "制度.pdf"
    file_url = f"/api/v1/engagements/{engagement.id}/rectification/files/{evidence['id']}"
    for who in (unit, lead, bureau):
        download = client.get(file_url, headers=who)
        assert download.status_code == 200 and download.data == PDF
        download.close()

    progress = f"/api/v1/rectification/{item.id}/progress"
    tag = client.get(f"/api/v1/rectification/{item.id}", headers=bureau).headers["ETag"]
    assert (
        client.post(
            progress, json={"status": "rectified"}, headers={**bureau, "If-Match": tag}
        ).status_code
        == 422
    )
    assert (
        client.post(
            progress, json={"status": "rectified", "note": "x"}, headers={**unit, "If-Match": tag}
        ).status_code
        == 403
    )
    confirmed = client.post(
        progress,
        json={"status": "rectified", "note": "经核实已整改"},
        headers={**bureau, "If-Match": tag},
    )
    assert confirmed.status_code == 200, confirmed.json
    assert (confirmed.json["state"], confirmed.json["rectified_note"]) == (
        "rectified",
        "经核实已整改",
    )
    back = client.post(
        progress,
        json={"status": "feedback_received"},
        headers={**bureau, "If-Match": confirmed.headers["ETag"]},
    )
    assert back.status_code == 409
    [entry] = _audits(db, engagement, "review.rectification_progress")
    assert entry.actor_id == people.bureau.id and entry.after["status"] == "rectified"
    seen = client.get(f"/api/v1/engagements/{engagement.id}/rectification/unit", headers=unit)
    assert seen.json["items"][0]["rectified_note"] == "经核实已整改"
    closed = client.post(
        url, json=feedback, headers={**unit, "If-Match": confirmed.headers["ETag"]}
    )
    assert closed.status_code == 422

    # Another unit's item: the engagement is not theirs, so the item does not exist for them.
    stranger = make_user("unit")
    other = client.post(
        url, json=feedback, headers={**token_for(stranger), "If-Match": confirmed.headers["ETag"]}
    )
    assert other.status_code == 404
    demo_item = RectificationItem(
        engagement_id=demo.engagement.id, problem="别的项目的问题", feedback_due=date(2030, 1, 1),
        rectify_due=date(2030, 2, 1), created_by_id=people.lead.id,
    )  # fmt: skip
    db.add(demo_item)
    db.flush()
    assert (
        client.post(
            f"/api/v1/rectification/{demo_item.id}/reports",
            json=feedback,
            headers={**token_for(stranger), "If-Match": f'W/"{demo_item.version}"'},
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/rectification/{item.id}", headers=token_for(people.bureau2)
        ).status_code
        == 404
    )
    reports = db.exec(
        select(func.count())
        .select_from(RectificationReport)
        .where(col(RectificationReport.item_id).in_([item.id, demo_item.id]))
    ).one()
    assert reports == 2


def test_the_follow_up_continues_after_the_archive(
    archived,  # noqa: F811 - the fixture imported above
    items,  # noqa: F811
    client,
    db,
    people,
    token_for,
):
    engagement = archived
    lead, unit = token_for(people.lead), token_for(people.unit)
    created = client.post(
        f"/api/v1/engagements/{engagement.id}/rectification",
        json={"problem": "绩效目标不够细化"},
        headers=lead,
    )
    assert created.status_code == 201, created.json
    [item] = items
    one = f"/api/v1/rectification/{item.id}"
    tag = client.get(one, headers=lead).headers["ETag"]
    edited = client.patch(one, json={"requirement": "细化指标"}, headers={**lead, "If-Match": tag})
    assert edited.status_code == 200, edited.json
    reported = client.post(
        f"{one}/reports",
        json={"kind": "feedback", "text": "归档后报送"},
        headers={**unit, "If-Match": edited.headers["ETag"]},
    )
    assert reported.status_code == 201, reported.json
    [entry] = _audits(db, engagement, "review.rectification_unit_report")
    assert entry.after["after_archive"] is True
    # The replies of the review loop are read-only once archived, as on the submission page.
    final = db.exec(select(Submission).where(Submission.engagement_id == engagement.id)).first()
    note = ReviewComment(submission_id=final.id, engagement_id=engagement.id, body="意见",
                         author_id=people.bureau.id)  # fmt: skip
    db.add(note)
    db.flush()
    locked = client.put(
        f"/api/v1/submissions/{final.id}/comments/{note.id}/reply",
        json={"answer": "归档后回复"},
        headers={**lead, "If-Match": f'W/"{note.version}"'},
    )
    assert locked.status_code == 409 and locked.json["error"] == "项目已归档，内容只读"
    listed = client.get(f"/api/v1/engagements/{engagement.id}/rectification", headers=lead)
    assert [i["id"] for i in listed.json["items"]][-1] == item.id


def test_openapi_documents_the_record_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "put" in paths["/submissions/{sid}/comments/{cid}/reply"]
    patch = paths["/rectification/{item_id}"]["patch"]
    assert {"412", "428"} <= set(patch["responses"])
    assert "post" in paths["/rectification/{item_id}/reports"]
