"""Two app nodes, one worker, and the shared servers as real processes (tests/cluster/stack.py).

Each node has its own instance folder: whatever one node knows that the other must see has to be
in PostgreSQL, Redis or the object store. The nodes trust one proxy hop (as behind nginx) and each
client says who it is in X-Forwarded-For, as nginx would.

Runs where redis-server, PostgreSQL and moto's server are installed (`.ci/run` installs them and
sets WORKBENCH_REQUIRE_CLUSTER=1, which makes a missing one a failure, not a skip), once: in the
suite's pass on SQLite.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time

import httpx
import pytest
from sqlalchemy import select, text

from tests.cluster import stack
from tests.live_server import PASSWORD, form_fields
from workbench.db import make_engine

MISSING = stack.missing()
# The cluster has a PostgreSQL of its own: the suite's pass on PostgreSQL need not start it again.
ONCE = not os.environ.get("WORKBENCH_TEST_DATABASE_URL")
if ONCE and MISSING and os.environ.get("WORKBENCH_REQUIRE_CLUSTER"):
    raise RuntimeError(f"the cluster test needs {', '.join(MISSING)}")
pytestmark = [
    pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}"),
    pytest.mark.skipif(
        not ONCE, reason="runs in the SQLite pass (the cluster brings its own PostgreSQL)"
    ),
]

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    found = stack.up(
        nodes=2, login_limit="5 per minute", work=tmp_path_factory.mktemp("cluster"),
        settings={"WORKBENCH_TRUSTED_PROXIES": "1"},
    )  # fmt: skip
    yield found
    found.stop()


@pytest.fixture(scope="module")
def record(cluster):
    """The demo engagement, one of its working papers and an API token of the lead."""
    from sqlalchemy.orm import Session

    from workbench.accounts.models import User
    from workbench.accounts.services import create_token
    from workbench.demo.loader import DEMO_TITLE
    from workbench.engagements.models import Engagement
    from workbench.fieldwork.models import WorkingPaper

    engine = make_engine(cluster.env["WORKBENCH_DATABASE_URL"])
    with Session(engine) as db:
        engagement = db.scalars(select(Engagement).where(Engagement.title == DEMO_TITLE)).one()
        paper = db.scalars(
            select(WorkingPaper.id)
            .where(WorkingPaper.engagement_id == engagement.id)
            .order_by(WorkingPaper.id)
        ).first()
        lead = db.scalars(select(User).where(User.username == "demo-lead")).one()
        _row, token = create_token(db, user=lead, label="cluster")
        db.commit()
        found = {"engagement": engagement.id, "paper": paper, "token": token, "engine": engine}
    yield found
    engine.dispose()


def browser(address: str) -> httpx.Client:
    """One person's browser: its cookies go to whichever node it asks (as behind one address)."""
    return httpx.Client(headers={"X-Forwarded-For": address}, timeout=120)


def login(
    client: httpx.Client, base: str, username: str, password: str = PASSWORD
) -> httpx.Response:
    page = client.get(f"{base}/login")
    fields = [(k, v) for k, v in form_fields(page.text) if k not in {"username", "password"}]
    return client.post(
        f"{base}/login", data=dict(fields + [("username", username), ("password", password)])
    )


def api(record) -> dict[str, str]:
    return {"Authorization": f"Bearer {record['token']}", "X-Forwarded-For": "10.1.0.1"}


def test_every_node_is_ready_on_the_shared_servers(cluster):
    for node in cluster.nodes.values():
        answer = httpx.get(f"{node.base}/readyz")
        assert answer.status_code == 200, answer.text
        assert answer.json()["checks"] == {"database": "ok", "storage": "ok", "queue": "ok"}


def test_a_file_uploaded_through_a_is_downloaded_through_b(cluster, record):
    a, b = cluster.nodes["A"], cluster.nodes["B"]
    content = PNG + os.urandom(512 * 1024)
    answer = httpx.post(
        f"{a.base}/api/v1/workpapers/{record['paper']}/evidence",
        headers=api(record),
        files={"files": ("现场照片.png", content, "image/png")},
        data={"confirm_clear_signoffs": "true", "source": "现场拍摄"},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text
    item = answer.json()["items"][0]
    assert item["sha256"] == hashlib.sha256(content).hexdigest()

    download = httpx.get(
        f"{b.base}/api/v1/engagements/{record['engagement']}/evidence/{item['id']}/file",
        headers=api(record),
    )
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["ETag"].strip('"') == item["sha256"]
    # Neither node kept the file on its own disk: it is in the object store.
    for node in cluster.nodes.values():
        assert not [p for p in node.folder.rglob("*") if p.is_file() and p.name == item["sha256"]]


def test_a_session_opened_on_a_holds_on_b(cluster, record):
    a, b = cluster.nodes["A"], cluster.nodes["B"]
    with browser("10.2.0.1") as client:
        assert login(client, a.base, "demo-lead").status_code == 302
        page = client.get(f"{b.base}/engagements/{record['engagement']}")
        assert page.status_code == 200
        assert "demo-lead" in page.text or "退出" in page.text
        client.post(f"{b.base}/logout", data={"csrf_token": _csrf(page.text)})
        assert client.get(f"{a.base}/engagements/{record['engagement']}").status_code == 302


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_a_login_throttled_on_a_is_throttled_on_b(cluster):
    a, b = cluster.nodes["A"], cluster.nodes["B"]
    with browser("10.3.0.1") as client:
        statuses = [
            login(client, a.base, "demo-expert", "wrong-password").status_code for _ in range(5)
        ]
        assert statuses == [200] * 5  # the form again, with its message
        refused = login(client, b.base, "demo-expert")  # the right password, on the other node
        assert refused.status_code == 429
        assert "登录尝试过于频繁" in refused.text
    with browser("10.3.0.2") as other:  # another person is not held back
        assert login(other, b.base, "demo-lead").status_code == 302


def test_a_report_started_on_b_is_generated_by_the_worker_and_seen_on_a(cluster, record):
    a, b = cluster.nodes["A"], cluster.nodes["B"]
    eid = record["engagement"]
    engine = record["engine"]
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM deliverable_version")).scalar_one()
    with browser("10.4.0.1") as client:
        assert login(client, b.base, "demo-lead").status_code == 302
        page = client.get(f"{b.base}/engagements/{eid}/plan")
        started = client.post(
            f"{b.base}/engagements/{eid}/documents/plan", data={"csrf_token": _csrf(page.text)}
        )
        assert started.status_code == 302
        cluster.kill_node("B")  # the node that took the request is gone: the worker does the work
        with engine.connect() as conn:
            job = conn.execute(text("SELECT max(id) FROM report_job")).scalar_one()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status = client.get(f"{a.base}/engagements/{eid}/jobs/{job}")
            if status.headers.get("HX-Refresh") == "true":
                break
            assert status.status_code == 200
            time.sleep(0.5)
        else:
            pytest.fail(f"the job did not finish: {status.text}\n{cluster.logs()}")
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM deliverable_version")).scalar_one()
            == before + 1
        )
    cluster.start_node("B")


def test_node_a_killed_mid_request_node_b_keeps_serving(cluster, record):
    a, b = cluster.nodes["A"], cluster.nodes["B"]
    eid = record["engagement"]
    outcome: dict[str, object] = {}

    def generate() -> None:  # a Word report drawn in the request: seconds of work on node A
        try:
            outcome["answer"] = httpx.post(
                f"{a.base}/api/v1/engagements/{eid}/documents/report",
                headers=api(record),
                timeout=60,
            )
        except httpx.HTTPError as error:
            outcome["error"] = error

    worker = threading.Thread(target=generate)
    worker.start()
    time.sleep(0.3)
    cluster.kill_node("A")
    worker.join(timeout=60)
    assert "error" in outcome or outcome["answer"].status_code in {200, 201}
    for _ in range(20):
        assert httpx.get(f"{b.base}/readyz").status_code == 200
        listed = httpx.get(f"{b.base}/api/v1/engagements/{eid}/documents", headers=api(record))
        assert listed.status_code == 200
    with browser("10.5.0.1") as client:
        assert login(client, b.base, "demo-lead").status_code == 302
        assert client.get(f"{b.base}/engagements/{eid}/report").status_code == 200
        # No version row without its file: every stored document is readable through B.
        for version in listed.json()["items"]:
            download = client.get(f"{b.base}/engagements/{eid}/documents/{version['id']}/download")
            assert download.status_code == 200, version
            assert hashlib.sha256(download.content).hexdigest() == version["sha256"]
