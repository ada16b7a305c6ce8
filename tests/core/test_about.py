"""关于工作台 (/about): the full layout for any signed-in user, static facts, no data of its own.

It is the floor of page benchmarks (bench/bench_pages.py, bench/load), so its queries are asserted
to be exactly the layout's: the one statement that loads the signed-in user with the bell's
unread count, the same statement a signed-in user's 404 page (the layout and a message) runs.
"""

from __future__ import annotations

from importlib import metadata

import pytest

from workbench.core.about import facts

ROLES = ["demo-admin", "demo-lead", "demo-expert", "demo-bureau", "demo-unit"]


def test_about_needs_a_login(client):
    r = client.get("/about")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


@pytest.mark.parametrize("username", ROLES)
def test_about_renders_the_layout_and_the_facts(login, demo, username):
    page = login(username).get("/about")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<title>关于工作台 · 绩效评价工作台</title>" in html
    assert 'id="about-version">0.1.0</dd>' in html
    assert 'id="about-licence">专有软件</dd>' in html
    # The layout: navigation, the notification bell, the user menu (with the link to this page).
    assert 'class="navbar navbar-expand-lg' in html and "我的项目" in html
    assert 'id="bell"' in html
    assert demo.users[username].display_name in html and "退出登录" in html
    assert '<a class="dropdown-item" href="/about">关于工作台</a>' in html


def test_facts_come_from_the_package_metadata():
    assert facts() == {
        "version": metadata.version("workbench"),
        "licence": metadata.metadata("workbench")["License"],
    }


@pytest.mark.parametrize("username", ["demo-admin", "demo-lead", "demo-unit"])
def test_about_runs_only_the_layouts_queries(login, demo, count_queries, username):
    c = login(username)
    c.get("/about")  # first request of the session: nothing cached either way
    with count_queries() as about:
        assert c.get("/about").status_code == 200
    with count_queries() as layout:
        assert c.get("/no-such-page").status_code == 404
    assert about.statements == layout.statements
    assert about.count == 1, about.statements
    assert 'FROM "user"' in about.statements[0] or "FROM user" in about.statements[0]
    assert "FROM notification" in about.statements[0]
