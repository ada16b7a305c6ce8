"""PostgreSQL restarted under traffic: requests fail cleanly for a moment, then the app recovers.

Needs WORKBENCH_TEST_DATABASE_URL (a PostgreSQL server) and WORKBENCH_TEST_PGDATA (its data
folder, for `pg_ctl restart`); skipped otherwise. The app keeps running: pool_pre_ping replaces
the dead pooled connections, no restart of the app is needed.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

PGDATA = os.environ.get("WORKBENCH_TEST_PGDATA")
URL = os.environ.get("WORKBENCH_TEST_DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not (PGDATA and URL.startswith("postgresql")),
    reason="needs WORKBENCH_TEST_DATABASE_URL (PostgreSQL) and WORKBENCH_TEST_PGDATA",
)


def _pg_ctl(*args: str) -> None:
    pgbin = os.environ.get("WORKBENCH_TEST_PGBIN")
    pg_ctl = os.path.join(pgbin, "pg_ctl") if pgbin else shutil.which("pg_ctl") or "pg_ctl"
    command = [pg_ctl, "-D", PGDATA, "-w", *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    # The server log goes to a file: an inherited pipe would keep run() waiting for its end.
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60
    )


# Every request with a bearer token looks the token up in the database: 401 means it was reached.
PROBE = ("/api/v1/engagements", {"Authorization": "Bearer not-a-token"})


def _probe(client) -> int:
    path, headers = PROBE
    return client.get(path, headers=headers).status_code


def test_app_recovers_after_postgres_restart(app, engine):
    client = app.test_client()
    assert _probe(client) == 401
    with engine.connect() as conn:  # a pooled connection that the restart will kill
        conn.exec_driver_sql("SELECT 1")
    _pg_ctl("restart", "-m", "fast", "-l", os.path.join(PGDATA, "server.log"))
    # The next requests find dead pooled connections; pre-ping replaces them transparently.
    statuses = [_probe(client) for _ in range(5)]
    assert statuses[-1] == 401
    assert all(status in {401, 500} for status in statuses)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1


def test_requests_fail_cleanly_while_postgres_is_down(app, engine):
    app.testing = False  # answer like production: a clean error page, not a traceback
    client = app.test_client()
    try:
        _pg_ctl("stop", "-m", "fast")
        try:
            path, headers = PROBE
            response = client.get(path, headers=headers)
            assert response.status_code == 500
            assert "Traceback" not in response.get_data(as_text=True)
        finally:
            _pg_ctl("start", "-l", os.path.join(PGDATA, "server.log"))
        assert _probe(client) == 401  # the same app, not restarted
    finally:
        app.testing = True
