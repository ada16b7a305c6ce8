"""One hub and two firms as real `workbench serve` processes on loopback, driven through their pages.

甲 publishes an indicator, 乙 subscribes and accepts it, edits its copy; 甲 publishes a new
version and 乙 accepts it with its own edit kept as a version. Shared statistics stay hidden below
the minimum group and appear once enough engagements stand behind them. The hub is stopped during
a sync (recorded, pages keep working, the next sync resumes), and 乙's key is revoked (401, and a
clear message on 乙's page).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import httpx
import pytest

from tests import live_server
from tests.live_server import Client, form_fields

pytestmark = pytest.mark.long
MEMBERS = ("甲评价机构", "乙评价机构")


def _query(folder: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(folder / "workbench.db") as conn:
        return conn.execute(sql, args).fetchall()


def _submit(client: Client, page: str, action: str, extra=(), drop=()) -> live_server.Answer:
    """Post the form of `page` that posts to `action`, with fields changed or added."""
    html = client.get(page).text
    drop = set(drop) | {key for key, _value in extra}
    fields = [(k, v) for k, v in form_fields(html, action) if k not in drop]
    answer = client.post(action, fields + list(extra))
    assert answer.status in (200, 302), (action, answer.status, answer.text[:500])
    return answer


def _after(client: Client, answer: live_server.Answer) -> str:
    """The page a redirect leads to (with its flashed messages)."""
    return (
        client.get(answer.location.removeprefix(client.base)).text
        if answer.location
        else answer.text
    )


def _edit_library(client: Client, library_id: int, definition: str, note: str) -> None:
    page = f"/library/{library_id}/edit"
    answer = _submit(
        client,
        page,
        page,
        extra=[("definition", definition), ("change_note", note)],
        drop={"definition", "change_note"},
    )
    assert answer.status == 302, answer.text[:800]


def _sync(client: Client) -> str:
    return _after(client, _submit(client, "/hub", "/hub/sync"))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("hub-live")
    folders = {name: root / name for name in ("hub", "a", "b")}
    for folder in folders.values():
        folder.mkdir()
    instances = {name: live_server.prepare(folder) for name, folder in folders.items()}
    ports = {name: live_server.free_port() for name in folders}
    member = {"HUB_ALLOW_LOOPBACK_HTTP": "true"}
    servers = {
        "hub": live_server.start(
            instances["hub"], ports["hub"], threads=4, settings={"HUB_MODE": "true"}
        ),
        "a": live_server.start(instances["a"], ports["a"], threads=4, settings=member),
        "b": live_server.start(instances["b"], ports["b"], threads=4, settings=member),
    }
    yield folders, instances, ports, servers
    for server in servers.values():
        live_server.stop(server)


def test_publish_subscribe_accept_revoke_and_the_hub_away(world):
    folders, instances, ports, servers = world
    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    hub = Client(base["hub"])
    hub.login("demo-admin")
    keys = {}
    for name in MEMBERS:
        page = _submit(hub, "/hub/members", "/hub/members", extra=[("name", name)])
        keys[name] = re.search(r"wbh_[A-Za-z0-9_\-]+", page.text).group(0)

    firms = {"a": Client(base["a"]), "b": Client(base["b"])}
    for client, name in zip(firms.values(), MEMBERS, strict=True):
        client.login("demo-admin")
        answer = _submit(
            client,
            "/hub",
            "/hub/connection",
            extra=[
                ("url", base["hub"]),
                ("key", keys[name]),
                ("region", "浙江省"),
                ("share_stats", "y"),
            ],
            drop={"url", "key", "region"},
        )
        assert answer.status == 302, answer.text[:800]
    a, b = firms["a"], firms["b"]

    # 甲 publishes a shipped sector indicator under its name.
    [(chosen, chosen_name)] = _query(
        folders["a"],
        "SELECT id, name FROM library_indicator WHERE status = 'shared' AND kind = 'sector' "
        "ORDER BY id LIMIT 1",
    )
    done = _after(
        a,
        _submit(a, "/hub/publish", "/hub/publish", extra=[("indicator_ids", str(chosen))]),
    )
    assert "已发布到枢纽" in done

    # 乙 syncs, sees it as a new item from 甲, and accepts it.
    assert "同步完成" in _sync(b)
    updates = b.get("/hub/updates").text
    assert chosen_name in updates and "甲评价机构" in updates and "新指标" in updates
    update_id = re.search(r"/hub/updates/(\d+)\"", updates).group(1)
    _submit(b, f"/hub/updates/{update_id}", f"/hub/updates/{update_id}/accept")
    [(copy_id, copy_version)] = _query(
        folders["b"], "SELECT id, current_version FROM library_indicator WHERE key LIKE 'hub.%'"
    )
    assert copy_version == 1

    # 乙 edits its copy; 甲 edits the original and syncs, which publishes version 2.
    _edit_library(b, copy_id, "乙机构按本省口径改写的指标解释，适用于本省。", "按本省口径")
    _edit_library(a, chosen, "甲机构修订后的指标解释，补充了数据来源。", "补充数据来源")
    assert "推送本机构更新 1 项" in _sync(a)

    # 乙 syncs: a conflict; accepting keeps 乙's edit as its own version.
    assert "有更新 1 项" in _sync(b)
    detail = b.get(f"/hub/updates/{update_id}").text
    assert "冲突：本机构已修改" in detail and "补充了数据来源" in detail
    _submit(b, f"/hub/updates/{update_id}", f"/hub/updates/{update_id}/accept")
    versions = _query(
        folders["b"],
        "SELECT number, definition FROM library_indicator_version WHERE indicator_id = ? "
        "ORDER BY number",
        copy_id,
    )
    assert [number for number, _ in versions] == [1, 2, 3]
    assert versions[1][1].startswith("乙机构按本省口径") and versions[2][1].startswith(
        "甲机构修订后"
    )

    # Shared statistics: one engagement per firm is below the minimum group of 5.
    [(used,)] = _query(
        folders["b"],
        "SELECT library_indicator_id FROM indicator i JOIN library_indicator l "
        "ON l.id = i.library_indicator_id WHERE l.pack_key IS NOT NULL ORDER BY i.id LIMIT 1",
    )
    _sync(a)
    _sync(b)
    page = b.get(f"/library/{used}").text
    assert 'id="industry-none"' in page and "全行业：在" not in page

    # The hub goes away during a sync: recorded, pages keep working, the cursor stays.
    live_server.stop(servers["hub"])
    [(cursor_before,)] = _query(folders["a"], "SELECT cursor FROM hub_connection")
    assert "无法连接枢纽" in _sync(a)
    status = a.get("/hub")
    assert status.status == 200 and "无法连接枢纽" in status.text
    assert a.get(f"/library/{used}").status == 200
    assert _query(folders["a"], "SELECT cursor FROM hub_connection") == [(cursor_before,)]

    # Back, with a minimum group of 2: the next sync resumes and both firms' figures show.
    servers["hub"] = live_server.start(
        instances["hub"],
        ports["hub"],
        threads=4,
        settings={"HUB_MODE": "true", "HUB_MIN_GROUP": "2"},
    )
    assert "同步完成" in _sync(a)
    page = a.get(f"/library/{used}").text
    assert "全行业：在 2 个项目中" in page and "本机构：在" in page
    [(leaf,)] = _query(
        folders["a"],
        "SELECT id FROM indicator WHERE engagement_id = ? AND library_indicator_id = ?",
        instances["a"].engagement_id,
        used,
    )
    leaf_page = a.get(f"/engagements/{instances['a'].engagement_id}/indicators/{leaf}/edit").text
    assert "全行业：在 2 个项目中" in leaf_page

    # 乙's key is revoked: the hub answers 401 and 乙's page says why.
    [(member_id,)] = _query(folders["hub"], "SELECT id FROM hub_member WHERE name = ?", MEMBERS[1])
    _submit(hub, "/hub/members", f"/hub/members/{member_id}/revoke")
    answer = httpx.get(
        f"{base['hub']}/hub/v1/changes", headers={"Authorization": f"Bearer {keys[MEMBERS[1]]}"}
    )
    assert answer.status_code == 401
    assert "已被撤销" in _sync(b)
    assert "已被撤销" in b.get("/hub").text
