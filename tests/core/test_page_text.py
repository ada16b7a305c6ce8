"""What users read: the demo's pages, crawled as every role, show no internal keys nor Werkzeug's
English sentences; the error pages speak Chinese in the layout; every page has an icon."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

DEMO_USERS = [
    "demo-admin",
    "demo-lead",
    "demo-evaluator",
    "demo-reviewer",
    "demo-expert",
    "demo-bureau",
    "demo-bureau2",
    "demo-unit",
]
PAGES_PER_ROLE = 120

# Keys the code uses that a page must label (stage keys, deliverable kinds, note fields).
STAGE_KEYS = [
    "commission",
    "plan",
    "indicators",
    "fieldwork",
    "survey",
    "scoring",
    "report",
    "consultation",
    "bureau_review",
    "archive",
]
KIND_KEYS = ["opinion_table", "score_sheet", "ex_ante_report"]
RAW_PATTERNS = [
    re.compile(r"(?<![\w/.-])(" + "|".join(STAGE_KEYS + KIND_KEYS) + r")(?![\w/.-])"),
    re.compile(r"\b(metric|value|n)=\S"),
    re.compile(r"\{'[a-z_]+': "),  # a Python dict printed into the page
]
# Werkzeug's descriptions and titles (werkzeug.exceptions), as a page would print them.
WERKZEUG_SENTENCES = [
    "The requested URL was not found on the server",
    "You don't have the permission to access",
    "The method is not allowed for the requested URL",
    "The data value transmitted exceeds the capacity limit",
    "The server encountered an internal error",
    "The browser (or proxy) sent a request that this server could not understand",
    "The CSRF token",
    "Method Not Allowed",
    "Request Entity Too Large",
    "Too Many Requests",
    "Internal Server Error",
    "Not Found",
    "Forbidden",
]


class _Visible(HTMLParser):
    """The page's visible text (no script/style/template, no attribute values) and its links."""

    SKIP = {"script", "style", "template", "textarea", "code", "kbd"}  # code: commands to type

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        values = dict(attrs)
        if tag == "a" and values.get("href") and "download" not in values:
            self.links.append(values["href"])

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data.strip())


def _problems(text: str) -> list[str]:
    found = [s for s in WERKZEUG_SENTENCES if s in text]
    for pattern in RAW_PATTERNS:
        found += [m.group(0) for m in pattern.finditer(text)]
    return found


def _visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.text)


def _worth_visiting(href: str) -> bool:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return False
    # The audit log quotes the stored before/after values (its labels: core/audit_labels.py).
    skip = ("/logout", "/static/", "/api/", "/download", "/export", "/pdf", "/file", "/audit")
    return not any(s in parts.path for s in skip)


def _crawl(client, start: str = "/") -> dict[str, list[str]]:
    """Pages reachable by links from the dashboard → the raw keys or English each shows."""
    queue, seen, bad = [start], {start}, {}
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        url = queue.pop(0)
        response = client.get(url)
        visited += 1
        if not response.content_type.startswith("text/html"):
            continue
        parser = _Visible()
        parser.feed(response.get_data(as_text=True))
        problems = _problems("\n".join(parser.text))
        if problems:
            bad[url] = sorted(set(problems))
        for href in parser.links:
            href = urldefrag(href)[0]
            if href and href not in seen and _worth_visiting(href):
                seen.add(href)
                queue.append(href)
    assert visited > 3, f"the crawl from {start} reached only {visited} pages"
    return bad


@pytest.mark.parametrize("username", DEMO_USERS)
def test_demo_pages_show_no_internal_keys_or_english(demo, login, username):
    bad = _crawl(login(username))
    assert bad == {}


@pytest.mark.parametrize(
    ("method", "path", "code", "words"),
    [
        ("GET", "/no-such-page", 404, "未找到"),
        ("DELETE", "/login", 405, "请求方式"),
    ],
)
def test_error_pages_are_chinese_in_the_layout(client, method, path, code, words):
    response = client.open(path, method=method)
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert words in html and "绩效评价工作台" in html and 'rel="icon"' in html
    assert _problems(_visible(html)) == []


def test_refused_page_is_chinese(demo, login):
    response = login("demo-unit").get("/admin/users")
    assert response.status_code == 403
    text = _visible(response.get_data(as_text=True))
    assert "没有执行此操作的权限" in text and _problems(text) == []


def test_too_large_upload_says_the_limit_in_chinese(app_with):
    app = app_with(MAX_UPLOAD_MB=1)
    body = b"username=" + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = app.test_client().post(
        "/login", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    text = _visible(response.get_data(as_text=True))
    assert "超过了大小限制（1 MB）" in text and _problems(text) == []


def test_missing_and_hidden_objects_share_one_404_body(demo, login):
    client = login("demo-bureau2")
    hidden = client.get(f"/engagements/{demo.engagement.id}")
    missing = client.get("/engagements/999999")
    assert hidden.status_code == missing.status_code == 404
    # Only the language switch's return address differs: it echoes the path the user typed.
    assert _visible(hidden.get_data(as_text=True)) == _visible(missing.get_data(as_text=True))
    assert "未找到" in _visible(hidden.get_data(as_text=True))


def test_csrf_failure_is_explained_in_chinese(app_with):
    app = app_with(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/login", data={"username": "a", "password": "b"})
    assert response.status_code == 400
    text = _visible(response.get_data(as_text=True))
    assert "请刷新页面后重新提交" in text and _problems(text) == []


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO header
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data
    svg.close()
    response.close()


def test_generation_request_is_audited_by_the_deliverable_name(ctx, db, demo):
    from sqlmodel import select

    from workbench.core.audit import AuditEntry
    from workbench.reports.services import jobs as report_jobs

    report_jobs.request_generation(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, kind="score_sheet"
    )
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "deliverable.request")).one()
    assert entry.summary == "申请生成评分表"
