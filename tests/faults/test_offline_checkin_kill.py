"""kill -9 of a check-in half-way: the server is exactly as it was, and the same package then
checks in (issue 18).

A real instance (`live_server.prepare`: migrated, the demo, an open survey). In this process, on
the instance's database and folder (its secret key file signs the package's token): the demo
evaluator checks the engagement out, and the laptop's return package carries a changed paper
title, a new paper with a new evidence file and two answers to the instance's survey. The check-in
runs in a subprocess, `workbench offline checkin` (one unit of work), which pauses after merging,
before its commit (WORKBENCH_FAULT_TESTS="offline-checkin:60"), and is killed with SIGKILL
there. Every row of every table is then as before (no check-in recorded), and a
normal check-in of the same package merges everything: nothing was left locked.

With WORKBENCH_TEST_DATABASE_URL (PostgreSQL) the instance gets a database of its own beside the
suite's, dropped afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, table, text
from sqlmodel import Session

from tests import live_server
from tests.offline.helpers import PASSPHRASE, open_laptop
from workbench import create_app
from workbench.accounts.models import User
from workbench.db import ENGINE_KEY, make_engine
from workbench.engagements.models import Engagement
from workbench.offline import checkout as checkout_service
from workbench.surveys.models import Survey

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

PAUSE = "fault pause: offline-checkin"
TITLE = "离线改过的标题"
NEW_TITLE = "离线新底稿"
PHOTO = b"\xff\xd8\xff offline photo bytes of the kill test"


@pytest.fixture()
def database_url(tmp_path) -> Iterator[str | None]:
    """None (the instance's SQLite file), or a PostgreSQL database of the test's own."""
    url = os.environ.get("WORKBENCH_TEST_DATABASE_URL")
    if not url:
        yield None
        return
    base = make_engine(url).url
    name = f"{base.database}_offline_kill{os.environ.get('PYTEST_XDIST_WORKER', '')}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        drop()
        admin.dispose()


def _snapshot(url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows. On SQLite the read begins by taking the
    write lock (`make_engine`), so a lock left behind would fail it."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            found = {}
            for name in sorted(inspect(conn).get_table_names()):
                result = conn.execute(select(text("*")).select_from(table(name)))
                rows = sorted(repr(tuple(row)) for row in result)
                digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
                found[name] = (len(rows), digest)
            return found
    finally:
        engine.dispose()


def _value(url: str, sql: str, **params):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


def _return_package(instance: live_server.Instance, folder: Path) -> tuple[Path, int, int, str]:
    """Check out as the demo evaluator and export the laptop's edits; returns the package, the
    edited paper's id, the survey's id and the paper's title before."""
    app = create_app(
        {
            "INSTANCE_PATH": instance.folder,
            "DATABASE_URL": instance.database_url,
            "QUEUE_URL": "memory://",
        }
    )
    try:
        with app.app_context(), Session(app.extensions[ENGINE_KEY]) as db:
            user = db.execute(select(User).where(User.username == "demo-evaluator")).scalar_one()
            survey_id = db.execute(
                select(Survey.id).where(Survey.token == instance.survey_token)
            ).scalar_one()
            checkout_service.checkout(
                db,
                actor=user,
                engagement=db.get(Engagement, instance.engagement_id),
                device="笔记本 A",
                passphrase=PASSPHRASE,
                repeat=PASSPHRASE,
                out=folder / "checkout.wbpkg",
            )
            db.commit()
            user_id = user.id
        laptop = open_laptop(folder / "checkout.wbpkg", folder)
        paper = min(laptop.rows("working_paper"), key=lambda row: row["id"])
        before = paper["title"]
        paper["title"] = TITLE
        new_paper = laptop.next_id("working_paper")
        laptop.rows("working_paper").append(
            {**paper, "id": new_paper, "title": NEW_TITLE, "version": 1}
        )
        laptop.rows("evidence").append(
            {
                "id": laptop.next_id("evidence"),
                "engagement_id": instance.engagement_id,
                "paper_id": new_paper,
                "request_item_id": None,
                "sha256": hashlib.sha256(PHOTO).hexdigest(),
                "name": "现场照片.jpg",
                "extension": "jpg",
                "mime": "image/jpeg",
                "size": len(PHOTO),
                "captured_at": "2026-12-01T02:03:04+00:00",
                "source": "现场拍摄",
                "note": "",
                "uploaded_by_id": user_id,
                "uploaded_via": "user",
                "created_at": "2026-12-01T02:05:00+00:00",
            }
        )
        first_answer = laptop.next_id("survey_response")
        for n in range(2):
            laptop.rows("survey_response").append(
                {
                    "id": first_answer + n,
                    "survey_id": survey_id,
                    "source_key": f"offline:laptop-a:{n}",
                    "channel": "offline",
                    "serial": None,
                    "submitted_at": f"2026-12-01T0{n + 1}:00:00+00:00",
                    "answers": {},
                    "missing": {},
                    "other_text": {},
                    "extra": {},
                    "created_at": f"2026-12-01T0{n + 1}:00:00+00:00",
                }
            )
        path = laptop.export(folder, files={hashlib.sha256(PHOTO).hexdigest(): PHOTO})
    finally:
        app.extensions[ENGINE_KEY].dispose()
    return path, paper["id"], survey_id, before


def _checkin(instance: live_server.Instance, path: Path, **env: str) -> subprocess.Popen:
    """`workbench offline checkin` (one unit of work, committed when the merge is done). Its
    temporary folder is the test's: a killed check-in cannot remove its decrypted payload."""
    temp = instance.folder / "tmp"
    temp.mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-c", "from workbench.cli import main; main()", "offline", "checkin"]
        + [str(path), "--user", "demo-evaluator"],
        env={
            **live_server._env(instance, None),
            "TMPDIR": str(temp),
            "WORKBENCH_OFFLINE_PASSPHRASE": PASSPHRASE,
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_pause(process: subprocess.Popen, seconds: float = 120) -> threading.Thread:
    """Read the check-in's stderr until it says it has paused (after merging, before commit);
    the reader goes on to the end of the stream."""
    lines: list[str] = []
    paused, ended = threading.Event(), threading.Event()

    def read() -> None:
        for line in iter(process.stderr.readline, b""):
            lines.append(line.decode(errors="replace"))
            if PAUSE in lines[-1]:
                paused.set()
        ended.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + seconds
    while not paused.wait(0.2):
        if ended.is_set() or time.monotonic() > deadline:
            raise AssertionError(f"the check-in did not reach its pause:\n{''.join(lines)}")
    return reader


def test_a_checkin_killed_before_its_commit_leaves_the_server_unchanged(tmp_path, database_url):
    instance = live_server.prepare(tmp_path, database_url=database_url)
    url = instance.database_url
    path, paper_id, survey_id, title = _return_package(instance, tmp_path)
    paper_sql = "SELECT title FROM working_paper WHERE id = :id"
    answers_sql = "SELECT count(*) FROM survey_response WHERE survey_id = :id"
    answers = _value(url, answers_sql, id=survey_id)
    before = _snapshot(url)
    assert before["offline_checkout"][0] == 1 and before["offline_checkin"][0] == 0

    killed = _checkin(instance, path, WORKBENCH_FAULT_TESTS="offline-checkin:60")
    try:
        reader = _wait_for_pause(killed)
        os.kill(killed.pid, signal.SIGKILL)
        assert killed.wait(timeout=30) == -signal.SIGKILL
        reader.join(timeout=10)
    finally:
        if killed.poll() is None:
            killed.kill()
            killed.wait(timeout=10)
        killed.stdout.close()
        killed.stderr.close()

    after = _snapshot(url)
    assert [name for name in sorted(before | after) if before.get(name) != after.get(name)] == []
    assert after["offline_checkin"][0] == 0
    assert _value(url, paper_sql, id=paper_id) == title != TITLE

    again = _checkin(instance, path)
    _out, err = again.communicate(timeout=180)
    assert again.returncode == 0, err.decode(errors="replace")
    summary = _value(url, "SELECT summary FROM offline_checkin")
    summary = json.loads(summary) if isinstance(summary, str) else summary
    assert summary["added"] == {"底稿": 1, "证据": 1, "问卷答卷": 2}, summary
    assert summary["updated"] == {"底稿": 1} and summary["conflicts"] == 0, summary
    assert summary["files"] == 1, summary
    assert _value(url, paper_sql, id=paper_id) == TITLE
    assert _value(url, "SELECT count(*) FROM working_paper WHERE title = :t", t=NEW_TITLE) == 1
    assert _value(url, answers_sql, id=survey_id) == answers + 2
    assert _value(url, "SELECT count(*) FROM offline_checkin") == 1
    assert _value(url, "SELECT status FROM offline_checkout") == "returned"  # --finish
    sha = hashlib.sha256(PHOTO).hexdigest()
    assert _value(url, "SELECT count(*) FROM evidence WHERE sha256 = :s", s=sha) == 1
    assert _value(url, "SELECT size FROM blob WHERE sha256 = :s", s=sha) == len(PHOTO)
