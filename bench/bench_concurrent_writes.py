"""Simultaneous survey answers through a real `workbench serve`, SQLite against PostgreSQL.

The scenario of tests/faults/test_sqlite_concurrency.py, measured: rounds of 50 respondents who
open the public form and press 提交 at the same moment, against the waitress server on the
embedded SQLite default and, in the same run, on PostgreSQL. Rows give answers stored per second
(the POST phase of every round, wall time), the failed answers (target 0) and SQLite's throughput
as a share of PostgreSQL's. Baseline: /healthz requests per second at the same concurrency on the
same server. PostgreSQL: WORKBENCH_BENCH_DATABASE_URL (an empty database the bench may wipe), or a
throwaway cluster started here when run as root with Debian's postgresql installed.
Usage: python bench/bench_concurrent_writes.py [--quick]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' live-server helpers

from tests import live_server  # noqa: E402

RESPONDENTS = 50


def _healthz_rate(base: str, rounds: int) -> float:
    clients = [live_server.Client(base) for _ in range(RESPONDENTS)]
    started = time.perf_counter()
    for _ in range(rounds):
        answers = live_server.at_once(lambda i: clients[i].get("/healthz"), RESPONDENTS)
        assert all(a.status == 200 for a in answers)
    return rounds * RESPONDENTS / (time.perf_counter() - started)


def _measure(instance: live_server.Instance, rounds: int) -> tuple[float, int, float]:
    """(answers stored per second, failed answers, /healthz per second) on one server."""
    port = live_server.free_port()
    server = live_server.start(instance, port)
    base = f"http://127.0.0.1:{port}"
    try:
        elapsed, failed = 0.0, 0
        for _ in range(rounds):
            ready = live_server.survey_clients(base, instance.survey_token, RESPONDENTS)
            started = time.perf_counter()
            answers = live_server.press_submit(ready, instance.survey_token)
            elapsed += time.perf_counter() - started
            failed += sum(1 for a in answers if a.status != 302)
        floor = _healthz_rate(base, rounds)
    finally:
        live_server.stop(server)
    return rounds * RESPONDENTS / elapsed, failed, floor


@contextmanager
def _postgres() -> Iterator[str | None]:
    url = os.environ.get("WORKBENCH_BENCH_DATABASE_URL")
    if url:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        yield url
        return
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not bins or os.geteuid() != 0 or shutil.which("runuser") is None:
        yield None
        return
    pgbin, data = bins[-1], Path(tempfile.mkdtemp(prefix="bench-pg-"))
    port = live_server.free_port()
    shutil.chown(data, "postgres", "postgres")

    def as_postgres(*args: str) -> None:
        # No pipes: the server that pg_ctl starts would hold them open.
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    as_postgres(str(pgbin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off"
    log = str(data / "server.log")
    as_postgres(str(pgbin / "pg_ctl"), "-D", str(data), "-o", options, "-l", log, "-w", "start")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        as_postgres(str(pgbin / "pg_ctl"), "-D", str(data), "-m", "fast", "stop")
        shutil.rmtree(data, ignore_errors=True)


def run(quick: bool) -> list[dict]:
    rounds = 2 if quick else 6
    rows: list[dict] = []
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder, _postgres() as pg_url:
        engines = {"SQLite": None, "PostgreSQL": pg_url} if pg_url else {"SQLite": None}
        for name, url in engines.items():
            instance_dir = Path(folder) / name
            instance_dir.mkdir()
            instance = live_server.prepare(instance_dir, database_url=url)
            rate, failed, floor = _measure(instance, rounds)
            rates[name] = rate
            rows += [
                {
                    "name": f"{RESPONDENTS} simultaneous survey answers, {name}",
                    "value": round(rate, 1),
                    "unit": "/s",
                    "baseline": round(floor, 1),
                    "ratio": round(rate / floor, 2),
                    "target": "stored; baseline /healthz per second",
                },
                {
                    "name": f"failed answers of {rounds * RESPONDENTS}, {name}",
                    "value": failed,
                    "unit": "",
                    "baseline": 0,
                    "ratio": failed,
                    "target": "0",
                },
            ]
    if "PostgreSQL" in rates:
        rows.append(
            {
                "name": "SQLite answers/s ÷ PostgreSQL answers/s",
                "value": round(rates["SQLite"], 1),
                "unit": "/s",
                "baseline": round(rates["PostgreSQL"], 1),
                "ratio": round(rates["SQLite"] / rates["PostgreSQL"], 2),
                "target": "measured",
            }
        )
    else:
        print("  (PostgreSQL skipped: set WORKBENCH_BENCH_DATABASE_URL or run as root)")
    return rows


if __name__ == "__main__":
    for row in run("--quick" in sys.argv):
        print(row)
