"""Every list of /api/v1 pages by cursor (issue 21): newest id first, `limit` and `cursor`, no row
skipped or repeated; the lists that had `page`/`per_page` still answer them as before."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.permissions_roles import fresh_engagement
from workbench.fieldwork import papers
from workbench.review.models import ReviewComment


@pytest.fixture()
def lead(demo, token_for):
    return token_for(demo.users["demo-lead"])


def _walk(client, headers, url: str) -> list[int]:
    """Every id of the list, a page of 2 at a time."""
    ids, next_cursor, joiner = [], None, "&" if "?" in url else "?"
    for _ in range(500):
        page = client.get(
            f"{url}{joiner}limit=2" + (f"&cursor={next_cursor}" if next_cursor else ""),
            headers=headers,
        )
        assert page.status_code == 200, page.json
        assert len(page.json["items"]) <= 2
        ids += [i["id"] for i in page.json["items"]]
        next_cursor = page.json["next_cursor"]
        if next_cursor is None:
            return ids
    raise AssertionError("the cursor never ended")


def test_engagements_by_cursor_and_still_by_page(client, db, demo, lead):
    made = [fresh_engagement(db, demo, f"游标{n}").id for n in range(3)]
    ids = _walk(client, lead, "/api/v1/engagements")
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))
    assert ids[:3] == made[::-1]
    first = client.get("/api/v1/engagements?limit=2", headers=lead).json
    assert first["total"] == len(ids) and first["page"] is None
    by_page = client.get("/api/v1/engagements?page=1&per_page=2", headers=lead).json
    assert (by_page["page"], by_page["per_page"], by_page["total"]) == (1, 2, len(ids))
    assert by_page["next_cursor"] is None and len(by_page["items"]) == 2
    rest = client.get("/api/v1/engagements?page=2&per_page=200", headers=lead).json
    assert rest["items"] == []
    found = client.get("/api/v1/engagements?q=游标1", headers=lead).json["items"]
    assert [e["id"] for e in found] == [made[1]]
    bad = client.get("/api/v1/engagements?cursor=%%%", headers=lead)
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "cursor"


def test_workpapers_by_cursor_with_the_filters_and_still_by_page(client, db, demo, lead):
    engagement = fresh_engagement(db, demo, "底稿游标")
    made = [
        papers.create_paper(
            db, actor=demo.users["demo-evaluator"], engagement=engagement,
            template_key="site_visit", title=f"底稿{n}",
        ).id
        for n in range(5)
    ]  # fmt: skip
    db.flush()
    url = f"/api/v1/engagements/{engagement.id}/workpapers"
    assert _walk(client, lead, url) == made[::-1]
    assert client.get(url + "?limit=2", headers=lead).json["total"] == 5
    assert _walk(client, lead, url + "?stage=nonexistent") == []
    by_page = client.get(url + "?page=2&per_page=2", headers=lead).json
    assert (by_page["page"], by_page["total"], len(by_page["items"])) == (2, 5, 2)


def test_the_library_by_cursor_and_still_by_page(client, lead):
    first = client.get("/api/v1/library?limit=3", headers=lead).json
    assert len(first["items"]) == 3 and first["next_cursor"] and first["total"] >= 261
    ids = [i["id"] for i in first["items"]]
    second = client.get(f"/api/v1/library?limit=3&cursor={first['next_cursor']}", headers=lead)
    assert max(i["id"] for i in second.json["items"]) < min(ids)
    by_page = client.get("/api/v1/library?page=1&per_page=3", headers=lead).json
    assert (by_page["page"], by_page["per_page"], len(by_page["items"])) == (1, 3, 3)


@pytest.mark.parametrize(
    "path",
    ["surveys", "documents", "submissions", "team", "experts", "evidence", "requests", "findings"],
)
def test_each_list_of_the_demo_engagement_pages_by_cursor(client, demo, lead, path):
    url = f"/api/v1/engagements/{demo.engagement.id}/{path}"
    whole = client.get(url + "?limit=200", headers=lead).json
    assert whole["next_cursor"] is None
    ids = [i["id"] for i in whole["items"]]
    assert ids == sorted(ids, reverse=True)
    assert _walk(client, lead, url) == ids


def test_a_submissions_comments_page_by_cursor(client, db, demo, token_for):
    comment = db.exec(select(ReviewComment)).first()  # the demo's bureau commented on a version
    bureau = token_for(demo.users["demo-bureau"])
    url = f"/api/v1/submissions/{comment.submission_id}/comments"
    whole = client.get(url + "?limit=200", headers=bureau).json
    ids = [i["id"] for i in whole["items"]]
    assert ids and ids == sorted(ids, reverse=True)
    assert _walk(client, bureau, url) == ids
