"""GET /readyz: ready when the database, the file store and the job queue answer; 503 naming the
part that does not, so a load balancer takes the node out."""

from __future__ import annotations

import pytest

from workbench.core import health


def test_ready_when_everything_answers(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json == {
        "status": "ready", "checks": {"database": "ok", "storage": "ok", "queue": "ok"}
    }  # fmt: skip


@pytest.mark.parametrize(
    ("part", "message"),
    [("database", "数据库无法连接"), ("storage", "文件存储不可写"), ("queue", "任务队列无法连接")],
)
def test_a_failing_part_answers_503_and_names_it(client, monkeypatch, part, message):
    def broken():
        raise OSError("down")

    monkeypatch.setitem(health.CHECKS, part, (broken, message))
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json["status"] == "unavailable"
    assert r.json["checks"][part] == message
    assert {name for name, state in r.json["checks"].items() if state == "ok"} == {
        "database",
        "storage",
        "queue",
    } - {part}


def test_an_unwritable_store_is_found(app, client, tmp_path, monkeypatch):
    missing = tmp_path / "gone"
    monkeypatch.setitem(app.config, "STORAGE_DIR", missing)
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json["checks"]["storage"] == "文件存储不可写"
