"""ETag and If-Match on the API's updates (issue 21), first on PATCH /engagements/{id}."""

from __future__ import annotations

from decimal import Decimal

from workbench.core.timeutil import utcnow


def test_an_update_names_the_version_it_was_drawn_from(client, db, demo, token_for):
    lead = token_for(demo.users["demo-lead"])
    url = f"/api/v1/engagements/{demo.engagement.id}"
    read = client.get(url, headers=lead)
    tag = read.headers["ETag"]
    assert tag == f'W/"{demo.engagement.version}"'
    missing = client.patch(url, headers=lead, json={"title": "改名"})
    assert missing.status_code == 428 and "If-Match" in missing.json["error"]
    done = client.patch(url, headers={**lead, "If-Match": tag},
                        json={"title": "改名后的项目", "budget_amount": "1300000.00"})  # fmt: skip
    assert done.status_code == 200, done.json
    assert done.json["title"] == "改名后的项目" and done.json["budget_amount"] == "1300000.00"
    assert done.headers["ETag"] != tag
    # The old tag is stale now: nothing is written.
    stale = client.patch(url, headers={**lead, "If-Match": tag}, json={"title": "覆盖"})
    assert stale.status_code == 412 and "已被他人修改" in stale.json["error"]
    db.expire_all()
    assert demo.engagement.title == "改名后的项目"
    assert demo.engagement.budget_amount == Decimal("1300000.00")
    # Fields left out keep their values; unknown fields and nulls for text are refused.
    fresh = client.get(url, headers=lead).headers["ETag"]
    for bad in ({"title": None}, {"stage": "archive"}, {"budget_year": 1800}):
        answer = client.patch(url, headers={**lead, "If-Match": fresh}, json=bad)
        assert answer.status_code == 422, bad
    for header in ("3", 'W/"x"', "*"):
        answer = client.patch(url, headers={**lead, "If-Match": header}, json={"title": "x"})
        assert answer.status_code == 422, header


def test_only_the_lead_edits_and_the_archive_is_read_only(client, db, demo, token_for):
    url = f"/api/v1/engagements/{demo.engagement.id}"
    evaluator = token_for(demo.users["demo-evaluator"])
    tag = client.get(url, headers=evaluator).headers["ETag"]
    denied = client.patch(url, headers={**evaluator, "If-Match": tag}, json={"title": "x"})
    assert denied.status_code == 403
    demo.engagement.archived_at = utcnow()
    db.add(demo.engagement)
    db.flush()
    lead = token_for(demo.users["demo-lead"])
    tag = client.get(url, headers=lead).headers["ETag"]
    locked = client.patch(url, headers={**lead, "If-Match": tag}, json={"title": "x"})
    assert locked.status_code == 409
