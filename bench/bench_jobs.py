"""Report generation throughput through the queue: one `workbench worker` against two.

A page server without a worker (`workbench serve --no-worker`, as a gunicorn node), the demo
engagement; the demo lead asks for N reports (评价报告·初稿) one after the other through the page,
and `workbench worker` processes (one thread each, already running and warmed up) on the instance's
queue file make them. The figure is reports made per minute, from the first request to the last
version stored; the baseline is the same with one worker, measured in the same run, so the ratio is
what a second worker adds (at most 2 on 2 cores). On the embedded SQLite a generation holds the
single writer from its first statement (it syncs bound indicators before rendering), so a second
worker adds little there; on PostgreSQL (WORKBENCH_BENCH_DATABASE_URL, or a throwaway cluster when
run as root, as bench_concurrent_writes.py) the workers render side by side.
Usage: python bench/bench_jobs.py [--quick]
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' live-server helpers
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_concurrent_writes import _postgres  # noqa: E402

from tests import live_server  # noqa: E402
from workbench.db import make_engine  # noqa: E402

SETTINGS = {"TOC_PAGES": "outline"}  # LibreOffice's page numbers would measure LibreOffice


def _outcomes(instance: live_server.Instance) -> tuple[int, list[str]]:
    """(jobs finished, errors of the failed ones)."""
    engine = make_engine(instance.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT status, error FROM report_job")).all()
    finally:
        engine.dispose()
    return sum(1 for r in rows if r[0] != "pending"), [r[1] for r in rows if r[0] == "failed"]


def _round(instance: live_server.Instance, port: int, reports: int) -> float:
    """Reports per minute made by the workers running now."""
    client = live_server.Client(f"http://127.0.0.1:{port}")
    client.login("demo-lead")
    page = client.get(f"/engagements/{instance.engagement_id}/report").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    before = _outcomes(instance)[0]
    started = time.perf_counter()
    for _ in range(reports):
        sent = client.post(
            f"/engagements/{instance.engagement_id}/documents/report",
            [("csrf_token", token), ("label", "初稿")],
        )
        assert sent.status == 302, sent.status
    while (found := _outcomes(instance))[0] < before + reports:
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    assert not found[1], found[1]
    return reports * 60 / elapsed


def _measure(instance: live_server.Instance, reports: int) -> tuple[float, float]:
    """(reports per minute with one worker, with two)."""
    port = live_server.free_port()
    server = live_server.start(instance, port, worker=False, settings=SETTINGS)
    workers: list[subprocess.Popen] = []
    try:
        workers.append(live_server.start_worker(instance, settings=SETTINGS))
        _round(instance, port, 2)  # warm up: first pages, first charts
        one = _round(instance, port, reports)
        workers.append(live_server.start_worker(instance, settings=SETTINGS))
        _round(instance, port, 4)  # the second worker warms up too
        two = _round(instance, port, reports)
    finally:
        for process in [*workers, server]:
            live_server.stop(process)
    return one, two


def run(quick: bool) -> list[dict]:
    reports = 6 if quick else 20
    rows = []
    with tempfile.TemporaryDirectory() as folder, _postgres() as pg_url:
        engines = {"SQLite": None, "PostgreSQL": pg_url} if pg_url else {"SQLite": None}
        for name, url in engines.items():
            instance_dir = Path(folder) / name
            instance_dir.mkdir()
            one, two = _measure(live_server.prepare(instance_dir, database_url=url), reports)
            rows += [
                {
                    "name": f"reports per minute, 1 worker, {name} ({reports} queued)",
                    "value": round(one, 1),
                    "unit": "/min",
                    "baseline": round(one, 1),
                    "ratio": 1.0,
                    "target": "measured",
                },
                {
                    "name": f"reports per minute, 2 workers, {name} ({reports} queued)",
                    "value": round(two, 1),
                    "unit": "/min",
                    "baseline": round(one, 1),
                    "ratio": round(two / one, 2),
                    "target": "> 1 worker's",
                },
            ]
    return rows


if __name__ == "__main__":
    for row in run("--quick" in sys.argv):
        print(row)
