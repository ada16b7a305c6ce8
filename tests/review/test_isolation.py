"""Scope: another bureau sees nothing of the engagement; the bureau sees only what was submitted."""

import re

from tests.review.conftest import make_version
from workbench.review import rectification


def _urls(app, values: dict) -> list[tuple[str, str]]:
    """Every review route of the engagement (pages and API), with real object ids."""
    found = []
    for rule in app.url_map.iter_rules():
        if not (rule.endpoint.startswith("review.") or rule.endpoint.startswith("api.")):
            continue
        if not rule.arguments or not rule.arguments <= set(values):
            continue
        if rule.endpoint.startswith("api.") and not any(
            word in rule.rule for word in ("submission", "quality", "rectification")
        ):
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def test_another_bureau_gets_404_on_everything_of_the_engagement(
    engagement, app, approved, db, demo, people, login, token_for
):
    engagement = engagement
    [item] = rectification.create_items(db, actor=people.lead, engagement=engagement, text="问题")
    values = {
        "engagement_id": engagement.id,
        "id": engagement.id,
        "submission_id": approved.id,
        "sid": approved.id,
        "comment_id": 1,
        "cid": 1,
        "item_id": item.id,
    }
    urls = _urls(app, values)
    # 25 pages (the unit's rectification page and report, both rectification lists as Excel,
    # the rectification list from Excel: page and upload, confirmation, template) and 17 API
    # operations (submissions, decision, rating; comments and replies; rectification items)
    assert len(urls) == 42, urls
    page, headers = login("demo-bureau2"), token_for(people.bureau2)
    for method, url in urls:
        if url.startswith("/api/"):
            response = page.open(url, method=method, headers=headers, json={})
        else:
            response = page.open(url, method=method, data={})
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.headers.get("X-Permission-Denied") == "404", (method, url)
    inbox = page.get("/review/inbox").get_data(as_text=True)
    assert engagement.title not in inbox and 'id="inbox-empty"' in inbox


def test_the_bureau_sees_only_submitted_versions(
    engagement, files, db, demo, people, login, token_for
):
    engagement = engagement
    hidden = make_version(db, engagement, kind="plan", user=people.lead,
                          sections={"s": {"title": "未提交的方案", "html": "<p>内部草稿</p>"}})  # fmt: skip
    shown = make_version(db, engagement, user=people.lead)
    from workbench.review import submissions

    row = submissions.submit(db, actor=people.lead, engagement=engagement, kind="draft_report")
    db.flush()
    bureau = login("demo-bureau")
    page = bureau.get(f"/engagements/{engagement.id}/review").get_data(as_text=True)
    assert "评价报告初稿" in page and "评价工作方案" not in page and 'id="versions"' not in page
    assert hidden.filename not in page and "未提交，委托方不可见" not in page
    lead_page = (
        login("demo-lead").get(f"/engagements/{engagement.id}/review").get_data(as_text=True)
    )
    assert hidden.filename not in lead_page and "未提交，委托方不可见" in lead_page
    detail = bureau.get(f"/engagements/{engagement.id}/review/submissions/{row.id}")
    assert detail.status_code == 200 and "项目覆盖全市126所学校" in detail.get_data(as_text=True)
    assert "内部草稿" not in detail.get_data(as_text=True)
    download = bureau.get(f"/engagements/{engagement.id}/review/submissions/{row.id}/file")
    assert download.status_code == 200 and download.get_data() == storage_bytes(shown)
    download.close()
    listed = bureau.get(
        f"/api/v1/engagements/{engagement.id}/submissions", headers=token_for(people.bureau)
    ).get_json()
    assert [i["version_id"] for i in listed["items"]] == [shown.id]
    # No route reaches a version by its id: the bureau only follows submissions.
    assert not any("version" in r.rule for r in bureau.application.url_map.iter_rules()
                   if r.endpoint.startswith("review."))  # fmt: skip


def storage_bytes(version) -> bytes:
    from workbench.core import storage

    return storage.read(version.sha256)


def test_unit_and_expert_see_no_review_pages(engagement, submitted, demo, login):
    engagement = engagement
    for user in ("demo-unit", "demo-expert"):
        client = login(user)
        for url in (
            f"/engagements/{engagement.id}/review",
            f"/engagements/{engagement.id}/review/submissions/{submitted.id}",
            f"/engagements/{engagement.id}/review/rating",
        ):
            response = client.get(url)
            assert response.status_code == 403 and response.headers["X-Permission-Denied"] == "403"
        tabs = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
        assert f'href="/engagements/{engagement.id}/review"' not in tabs


def test_bureau_pages_show_no_internal_tabs_or_fees(engagement, approved, demo, login, people, db):
    from tests.review.test_rating import FULL
    from workbench.review import rating

    rating.record(db, actor=people.bureau, engagement=engagement, scores=FULL)
    db.flush()
    client = login("demo-bureau")
    for url in ("", "/review", "/review/rating", f"/review/submissions/{approved.id}"):
        page = client.get(f"/engagements/{engagement.id}{url}").get_data(as_text=True)
        base = f"/engagements/{engagement.id}"
        assert f'href="{base}/review"' in page
        assert f'href="{base}/archive"' not in page and f'href="{base}/team"' not in page
        assert "质量保证金" not in page and "38400" not in page and "48,000" not in page
