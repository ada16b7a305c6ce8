"""Webhooks through real processes: `workbench serve` runs the queue's worker in its own
process; a failed delivery is retried from the queue, and the retry survives kill -9 of the
server (the queue is a SQLite file beside the database, not memory).
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests import live_server
from tests.webhooks.conftest import Receiver
from workbench.accounts.models import User
from workbench.db import make_engine
from workbench.webhooks import signing
from workbench.webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("WORKBENCH_TEST_DATABASE_URL")), reason="the SQLite instance's own queue"
)


def _endpoint(instance, url: str) -> tuple[int, str]:
    engine = make_engine(instance.database_url)
    with Session(engine) as db:
        admin = db.exec(select(User).where(User.username == "demo-admin")).one()
        found = WebhookEndpoint(
            agency_id=admin.org_id, url=url, events=["engagement.stage_advanced"],
            secret=signing.new_secret(), created_by_id=admin.id,
        )  # fmt: skip
        db.add(found)
        db.commit()
        made = (found.id, found.secret)
    engine.dispose()
    return made


def _delivery(folder: Path) -> tuple[str, int] | None:
    with sqlite3.connect(folder / "workbench.db") as conn:
        return conn.execute("SELECT status, attempts FROM webhook_delivery").fetchone()


def _wait(folder: Path, status: str, seconds: float = 40) -> tuple[str, int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = _delivery(folder)
        if found and found[0] == status:
            return found
        time.sleep(0.2)
    raise AssertionError(f"delivery not {status}: {_delivery(folder)}")


def test_a_retry_waits_in_the_queue_through_kill_9(tmp_path):
    instance = live_server.prepare(tmp_path)
    receiver = Receiver()
    receiver.answers = [(500, {})]  # the first attempt fails, the retry succeeds
    endpoint_id, secret = _endpoint(instance, receiver.url + "/hooks")
    settings = {"WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "WEBHOOK_RETRY_SECONDS": "4"}
    port = live_server.free_port()
    server = live_server.start(instance, port, settings=settings)
    try:
        client = live_server.Client(f"http://127.0.0.1:{port}")
        client.login("demo-admin")
        page = client.get(f"/settings/webhooks/{endpoint_id}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        sent = client.post(f"/settings/webhooks/{endpoint_id}/ping", [("csrf_token", token)])
        assert sent.status == 302
        assert _wait(tmp_path, "retrying") == ("retrying", 1)
        os.kill(server.pid, signal.SIGKILL)  # the retry is scheduled 4 s later, in the queue file
        server.wait(timeout=10)
        server = live_server.start(instance, port, settings=settings)
        assert _wait(tmp_path, "delivered") == ("delivered", 2)
    finally:
        live_server.stop(server)
        receiver.close()
    assert [r["path"] for r in receiver.received] == ["/hooks", "/hooks"]
    first, second = ({k.lower(): v for k, v in r["headers"].items()} for r in receiver.received)
    assert first["x-workbench-delivery"] == second["x-workbench-delivery"]
    for request in receiver.received:
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert signing.verify(
            secret, timestamp=headers["x-workbench-timestamp"], body=request["body"],
            signed=headers["x-workbench-signature"], now=int(time.time()),
        )  # fmt: skip
    assert (tmp_path / "queue.sqlite3").exists()
