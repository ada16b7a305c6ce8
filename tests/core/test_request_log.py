"""Request ids on answers and log lines; LOG_FORMAT=json writes one JSON object per line."""

from __future__ import annotations

import json
import logging
import re

import pytest

from workbench.core import health


def test_every_answer_has_a_request_id(client):
    first = client.get("/healthz").headers["X-Request-Id"]
    second = client.get("/healthz").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_the_proxys_id_is_kept_and_a_hostile_one_replaced(client):
    given = "nginx-4f2a9c1e-0001"
    assert client.get("/healthz", headers={"X-Request-Id": given}).headers["X-Request-Id"] == given
    for bad in ("short", "x" * 65, "id with spaces", "<script>alert(1)</script>", "a\u00e9bcdefgh"):
        answered = client.get("/healthz", headers={"X-Request-Id": bad}).headers["X-Request-Id"]
        assert answered != bad and re.fullmatch(r"[0-9a-f]{32}", answered)


@pytest.fixture()
def json_logs(app_with, capsys):
    made = app_with(LOG_FORMAT="json")
    yield made
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, "workbench_json", False)]


def test_json_log_lines_carry_the_request(json_logs, capsys, monkeypatch):
    def broken():
        raise OSError("磁盘已满")

    monkeypatch.setitem(health.CHECKS, "storage", (broken, "文件存储不可写"))
    answer = json_logs.test_client().get("/readyz", headers={"X-Request-Id": "lb-check-000123"})
    assert answer.status_code == 503
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    [line] = [entry for entry in lines if entry.get("request_id") == "lb-check-000123"]
    assert (line["levelname"], line["method"], line["path"]) == ("WARNING", "GET", "/readyz")
    assert "磁盘已满" in line["message"]  # Chinese as written, not \\u escapes
