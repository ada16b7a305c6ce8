"""The audit log through the API (issue 21): the pages' rows and filters, cursor pagination."""

from __future__ import annotations

from workbench.core import audit
from workbench.engagements.models import Engagement


def _record(db, demo, count: int, *, engagement: Engagement, action: str = "facts.update"):
    for n in range(count):
        audit.record(db, actor=demo.users["demo-lead"], action=action, obj=engagement,
                     engagement_id=engagement.id, summary=f"第{n}条", after={"n": n})  # fmt: skip
    db.flush()


def test_pages_of_an_engagements_log_follow_each_other_without_gaps(client, db, demo, token_for):
    e = demo.engagement
    _record(db, demo, 7, engagement=e, action="member.duty")
    lead = token_for(demo.users["demo-lead"])
    url = f"/api/v1/engagements/{e.id}/audit?action=member.duty&limit=3"
    seen, next_cursor, pages = [], None, 0
    while True:
        answer = client.get(url + (f"&cursor={next_cursor}" if next_cursor else ""), headers=lead)
        assert answer.status_code == 200
        seen += [item["summary"] for item in answer.json["items"]]
        next_cursor, pages = answer.json["next_cursor"], pages + 1
        if next_cursor is None:
            break
        if pages == 1:  # a row written between two pages does not shift the next page
            _record(db, demo, 1, engagement=e, action="member.duty")
    assert pages == 3 and seen == [f"第{n}条" for n in range(6, -1, -1)]
    item = client.get(url, headers=lead).json["items"][0]
    assert (item["action"], item["action_name"], item["object_name"]) == (
        "member.duty", "修改成员分工", "项目",
    )  # fmt: skip
    assert item["after"] == {"n": 0} and item["actor_name"] == "李项目"


def test_filters_and_bad_input_are_the_pages(client, db, demo, token_for):
    lead = token_for(demo.users["demo-lead"])
    base = f"/api/v1/engagements/{demo.engagement.id}/audit"
    for query, field in (("since=2026-13-01", "since"), ("object_id=abc", "object_id"),
                         ("since=2026-03-02&until=2026-03-01", "until"),
                         ("cursor=bm90LWEtY3Vyc29y", "cursor"), ("cursor=%%%", "cursor"),
                         ("limit=0", "limit")):  # fmt: skip
        answer = client.get(f"{base}?{query}", headers=lead)
        assert answer.status_code in (400, 422), query
        assert field in str(answer.json), query
    far = client.get(f"{base}?since=2099-01-01", headers=lead)
    assert far.status_code == 200 and far.json == {"items": [], "next_cursor": None}


def test_who_reads_which_log(client, db, demo, token_for):
    from tests.permissions_roles import fresh_engagement

    other = fresh_engagement(db, demo, "另一项目日志")
    _record(db, demo, 1, engagement=other, action="member.duty")
    evaluator = token_for(demo.users["demo-evaluator"])
    mine = client.get(f"/api/v1/engagements/{demo.engagement.id}/audit", headers=evaluator)
    assert mine.status_code == 200
    assert all(i["engagement_id"] == demo.engagement.id for i in mine.json["items"])
    assert client.get("/api/v1/audit", headers=evaluator).status_code == 403
    admin = token_for(demo.users["demo-admin"])
    agency = client.get("/api/v1/audit?action=member.duty&limit=200", headers=admin)
    assert agency.status_code == 200 and other.id in {
        i["engagement_id"] for i in agency.json["items"]
    }
    bureau = token_for(demo.users["demo-bureau"])
    assert client.get(f"/api/v1/engagements/{demo.engagement.id}/audit",
                      headers=bureau).status_code == 403  # fmt: skip
