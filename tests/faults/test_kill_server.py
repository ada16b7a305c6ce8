"""kill -9 of the server during a long write: after a restart the database is all-or-nothing.

A real server (`workbench serve`, waitress) runs in a subprocess on 127.0.0.1 against its own
temporary SQLite instance with the demo. A PUT replacing the demo engagement's indicator tree with
2,000 indicators (several seconds of work in one transaction) is killed with SIGKILL once the
write-ahead log starts growing (or after 2.5 s); the server is restarted and must answer, the
engagement must hold either the old tree or the whole new one, and every stored file must match
its row (no deliverable version or blob row whose file is missing).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests import live_server

NEW_SIZE = 2_000


def _counts(folder: Path, engagement_id: int) -> tuple[int, list[str], list[str]]:
    with sqlite3.connect(folder / "workbench.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (indicators,) = conn.execute(
            "SELECT count(*) FROM indicator WHERE engagement_id = ?", (engagement_id,)
        ).fetchone()
        blobs = [row[0] for row in conn.execute("SELECT sha256 FROM blob")]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        versions = []
        if "deliverable_version" in tables:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(deliverable_version)")}
            if "sha256" in columns:
                versions = [
                    row[0] for row in conn.execute("SELECT sha256 FROM deliverable_version")
                ]
    return indicators, blobs, versions


def _stored_files(folder: Path) -> set[str]:
    root = folder / "storage"
    return {p.name for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_during_indicator_import_is_all_or_nothing(tmp_path):
    instance = live_server.prepare(tmp_path)
    engagement_id, token = instance.engagement_id, instance.token
    before, _blobs, _versions = _counts(tmp_path, engagement_id)
    files_before = _stored_files(tmp_path)
    assert before > 0
    port = live_server.free_port()
    server = live_server.start(instance, port)
    items = [
        {
            "path": [f"一级{i % 3}", f"二级{i % 7}", f"指标{i}"],
            "weight": "0.05",
            "rule": "manual",
            "score": "0.05",
            "justification": "依据充分",
            "definition": "指标解释" * 400,
        }
        for i in range(NEW_SIZE)
    ]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/engagements/{engagement_id}/indicators",
        data=json.dumps({"indicators": items}).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    outcome: dict = {}

    def _send() -> None:
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                outcome["status"] = answer.status
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            outcome["error"] = error

    wal = tmp_path / "workbench.db-wal"
    wal_size = wal.stat().st_size if wal.exists() else 0
    sender = threading.Thread(target=_send)
    sender.start()
    started = time.monotonic()
    while time.monotonic() - started < 2.5 and "status" not in outcome:
        if wal.exists() and wal.stat().st_size > wal_size + 256 * 1024:
            break  # the write transaction is spilling pages: kill mid-write
        time.sleep(0.02)
    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    sender.join(timeout=30)
    assert "status" not in outcome, "the import finished before the kill; nothing was proven"

    server = live_server.start(instance, port)  # restart: SQLite recovers from the WAL on open
    try:
        with urllib.request.urlopen(
            urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/engagements/{engagement_id}/scores",
                headers={"Authorization": f"Bearer {token}"},
            ),
            timeout=30,
        ) as answer:
            assert answer.status == 200
            leaves = json.loads(answer.read())["indicators"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    after, blobs, versions = _counts(tmp_path, engagement_id)
    assert after in {before, NEW_SIZE}  # all or nothing
    assert len(leaves) == after
    files = _stored_files(tmp_path)
    assert set(blobs) <= files  # no row whose file is missing
    assert set(versions) <= files
    assert files - files_before <= set(blobs)  # no new file without its row
