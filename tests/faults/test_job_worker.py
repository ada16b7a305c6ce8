"""The pages' jobs through real processes: a page server without a worker (as a gunicorn node)
queues them, and a separate `workbench worker` runs them; on the instance's SQLite queue file and
on Redis (a cluster's queue: an import's progress then lives in Redis).

kill -9 of the page server right after a generation was asked for: the worker still makes the
version. kill -9 of the worker in the middle of a generation: the next worker's sweep queues the
job again once its attempt is past the time limit, and the version is made once, with its file.
A survey import's progress is seen from the page server while the worker writes.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests import live_server
from tests.surveys.helpers import sample

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("WORKBENCH_TEST_DATABASE_URL")), reason="the SQLite instance's own queue"
)


@pytest.fixture(params=["sqlite", "redis"])
def queue_settings(request):
    """The queue's settings: the instance's own SQLite file, or a Redis server (as a cluster's)."""
    if request.param == "sqlite":
        yield {}
        return
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = live_server.free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        yield {"QUEUE_URL": f"redis://127.0.0.1:{port}/0"}
    finally:
        server.terminate()
        server.wait(timeout=10)


def _rows(folder: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(folder / "workbench.db") as conn:
        return conn.execute(sql, args).fetchall()


def _wait_for(check, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _token(client: live_server.Client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def _ask_for_score_sheet(instance, port: int) -> None:
    client = live_server.Client(f"http://127.0.0.1:{port}")
    client.login("demo-lead")
    report = f"/engagements/{instance.engagement_id}/report"
    sent = client.post(
        f"/engagements/{instance.engagement_id}/documents/score_sheet",
        [("csrf_token", _token(client, report))],
    )
    assert sent.status == 302, sent.status


def _job(folder: Path) -> tuple:
    return _rows(folder, "SELECT status, attempts, version_id, error FROM report_job")[0]


def _one_version_with_its_file(folder: Path) -> None:
    versions = _rows(
        folder, "SELECT number, sha256 FROM deliverable_version WHERE kind = 'score_sheet'"
    )
    assert len(versions) == 1 and versions[0][0] == 1, versions
    sha = versions[0][1]
    assert (folder / "storage" / sha[:2] / sha[2:4] / sha).stat().st_size > 0
    assert _rows(folder, "SELECT count(*) FROM blob WHERE sha256 = ?", sha) == [(1,)]


def test_a_generation_asked_of_a_killed_page_server_is_made_by_the_worker(tmp_path, queue_settings):
    instance = live_server.prepare(tmp_path)
    port = live_server.free_port()
    server = live_server.start(instance, port, worker=False, settings=queue_settings)
    worker = None
    try:
        _ask_for_score_sheet(instance, port)
        os.kill(server.pid, signal.SIGKILL)  # the job waits in the queue, not in the server
        server.wait(timeout=10)
        assert _job(tmp_path)[0] == "pending"
        worker = live_server.start_worker(instance, settings=queue_settings)
        status = _wait_for(lambda: _job(tmp_path)[0] != "pending" and _job(tmp_path), "the job")
        assert status[:2] == ("done", 1), status
    finally:
        live_server.stop(server)
        if worker is not None:
            live_server.stop(worker)
    _one_version_with_its_file(tmp_path)


def test_a_worker_killed_mid_generation_is_replaced_and_the_version_made_once(tmp_path):
    instance = live_server.prepare(tmp_path)
    port = live_server.free_port()
    settings = {"JOB_TIME_LIMIT": "4"}
    server = live_server.start(instance, port, worker=False, settings=settings)
    slow = live_server.start_worker(
        instance, settings=settings, WORKBENCH_FAULT_TESTS="generation:60"
    )
    worker = None
    try:
        _ask_for_score_sheet(instance, port)
        _wait_for(lambda: _job(tmp_path)[1] == 1, "the slow worker's claim")
        os.kill(slow.pid, signal.SIGKILL)  # in the middle of the job
        slow.wait(timeout=10)
        assert _job(tmp_path)[:3] == ("pending", 1, None)
        time.sleep(4.5)  # the attempt is now past the time limit: taken as lost
        worker = live_server.start_worker(instance, settings=settings)  # sweeps as it starts
        status = _wait_for(lambda: _job(tmp_path)[0] != "pending" and _job(tmp_path), "the job")
        assert status[:2] == ("done", 2), status
    finally:
        live_server.stop(server)
        for process in (slow, worker):
            if process is not None:
                live_server.stop(process)
    _one_version_with_its_file(tmp_path)


def test_a_survey_imports_progress_is_seen_from_the_page_server(tmp_path, queue_settings):
    instance = live_server.prepare(tmp_path)
    port = live_server.free_port()
    settings = {"SURVEY_IMPORT_BACKGROUND_ROWS": "1", **queue_settings}
    server = live_server.start(instance, port, worker=False, settings=settings)
    worker = live_server.start_worker(
        instance, settings=settings, WORKBENCH_FAULT_TESTS="import:8"
    )  # the worker holds the import (its transaction open) for 8 s after writing the rows
    try:
        client = live_server.Client(f"http://127.0.0.1:{port}")
        client.login("demo-evaluator")
        [(survey_id,)] = _rows(
            tmp_path, "SELECT id FROM survey WHERE token = ?", instance.survey_token
        )
        imports = f"/engagements/{instance.engagement_id}/surveys/{survey_id}/imports"
        fields = [("csrf_token", _token(client, imports)), ("kind", "auto")]
        data = sample("wjx_satisfaction_text.xlsx")
        sent = client.post_file(imports, fields, "file", "wjx_satisfaction_text.xlsx", data)
        assert sent.status == 302, sent.text[:500]
        [(import_id,)] = _rows(tmp_path, "SELECT id FROM survey_import")
        page = f"{imports}/{import_id}"
        confirmed = client.post(f"{page}/confirm", [("csrf_token", _token(client, page))])
        assert confirmed.status == 302
        shown = _wait_for(
            lambda: (
                "正在写入答卷：240 / 240" in (text := client.get(f"{page}/progress").text) and text
            ),
            "the worker's progress on the page",
        )
        assert 'hx-trigger="every 1s"' in shown
        answers = "SELECT count(*) FROM survey_response WHERE survey_id = ?"
        assert _rows(tmp_path, answers, survey_id) == [(0,)]  # the worker has not committed
        done = _wait_for(
            lambda: "导入完成" in (text := client.get(f"{page}/progress").text) and text,
            "the import",
        )
        assert "新增 240 份答卷" in done and "hx-trigger" not in done
    finally:
        live_server.stop(server)
        live_server.stop(worker)
    assert _rows(tmp_path, "SELECT status, attempts FROM survey_import") == [("done", 1)]
    assert _rows(tmp_path, answers, survey_id) == [(240,)]
