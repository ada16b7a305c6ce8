"""The load test against a cluster: PostgreSQL, Redis, S3 (moto), LOAD_NODES gunicorn app nodes
(default 2) and one worker, started as tests/cluster/stack.py starts them; the demo at reference scale;
locust headless with each simulated person on one node (users alternate between nodes). Prints the
client-side summary (bench/load/summary.py) and then each node's own figures from its access log.

Usage (from scripts/loadtest.sh): python bench/load/cluster_run.py USERS SECONDS
Settings: LOAD_NODES (2), LOAD_WORKERS (gunicorn workers in all, shared among the nodes; default
2 × CPUs + 1, as workbench/gunicorn_conf.py sets for one node), LOAD_WORKER_CLASS, LOAD_THREADS,
LOAD_SPAWN_RATE (2 a second), LOAD_MAX_RATIO (3).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench" / "load")]

import summary  # noqa: E402

from tests.cluster import stack  # noqa: E402

TOKEN_SCRIPT = """
from sqlalchemy import func, select
from sqlmodel import SQLModel
from workbench import create_app
from workbench.accounts.models import User
from workbench.accounts.services import create_token
from workbench.db import session_scope

app = create_app()
with app.app_context(), session_scope() as db:
    tables = SQLModel.metadata.tables
    engagement, indicator = tables["engagement"], tables["indicator"]
    eid = db.execute(select(engagement.c.id).where(engagement.c.code == "SCALE-000001")).scalar_one()
    scored = indicator.c.rule.in_(["linear", "ratio"])
    iid = db.execute(
        select(func.min(indicator.c.id)).where(indicator.c.engagement_id == eid, scored)
    ).scalar_one() or db.execute(
        select(func.min(indicator.c.id)).where(indicator.c.engagement_id == eid)
    ).scalar_one()
    survey = tables["survey"]
    sid = db.execute(select(func.min(survey.c.id)).where(survey.c.engagement_id == eid)).scalar_one()
    lead = db.execute(select(User).where(User.username == "demo-lead")).scalar_one()
    _row, token = create_token(db, user=lead, label="load test")
    print(f"{eid} {iid} {sid or 0} {token}")
"""


def per_node(nodes: list[stack.Node]) -> None:
    """Each node's requests, server errors and the server time of its pages (its access log)."""
    print(f"{'node':<8}{'requests':>10}{'5xx':>6}{'pages p50 ms':>14}{'pages p95 ms':>14}")
    for node in nodes:
        lines = [
            line.split()
            for line in node.access_log.read_text(errors="replace").splitlines()
            if len(line.split()) == 4
        ]
        errors = sum(1 for parts in lines if parts[2].startswith("5"))
        pages = sorted(
            int(parts[3]) / 1000
            for parts in lines
            if parts[0] == "GET" and not parts[1].startswith(("/api/", "/healthz", "/static"))
        )
        p50 = pages[len(pages) // 2] if pages else 0.0
        p95 = pages[int(len(pages) * 0.95)] if pages else 0.0
        print(f"{node.name:<8}{len(lines):>10}{errors:>6}{p50:>14.1f}{p95:>14.1f}")


def main(users: int, seconds: int) -> int:
    count = int(os.environ.get("LOAD_NODES", "2"))
    workers = int(os.environ.get("LOAD_WORKERS", str(2 * os.cpu_count() + 1)))
    threads = os.environ.get("LOAD_THREADS", "4")
    worker_class = os.environ.get("LOAD_WORKER_CLASS", "sync")
    cluster = stack.up(
        nodes=0,
        login_limit="100000 per minute",  # every simulated person logs in from 127.0.0.1
        settings={"WORKBENCH_WORKER_CLASS": worker_class, "WORKBENCH_THREADS": threads},
        demo=("--scale", "reference"),
    )
    try:
        nodes = [
            cluster.start_node(chr(ord("A") + i), workers=max(1, workers // count), access_log=True)
            for i in range(count)
        ]
        print(
            f"== {count} nodes × {max(1, workers // count)} {worker_class} workers, "
            f"PostgreSQL, Redis, S3 (moto), 1 worker; demo at reference scale"
        )
        made = subprocess.run(
            [sys.executable, "-c", TOKEN_SCRIPT], env=cluster.env_for(cluster.work / "setup"),
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        eid, iid, sid, token = made.stdout.split()[-4:]
        env = {
            **os.environ,
            "LOAD_ENGAGEMENT": eid, "LOAD_INDICATOR": iid, "LOAD_SURVEY": sid, "LOAD_TOKEN": token,
            "LOAD_HOSTS": ",".join(node.base for node in nodes),
        }  # fmt: skip
        prefix = cluster.work / "locust"
        print(f"== locust: {users} users for {seconds} s, alternating between the nodes")
        with open(cluster.work / "locust.log", "wb") as log:
            subprocess.run(
                [sys.executable, "-m", "locust", "-f", str(ROOT / "bench/load/locustfile.py"),
                 "--headless", "--users", str(users),
                 "--spawn-rate", os.environ.get("LOAD_SPAWN_RATE", "2"),
                 "--run-time", f"{seconds}s", "--host", nodes[0].base, "--csv", str(prefix),
                 "--only-summary", "--loglevel", "WARNING"],
                env=env, stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
        for node in nodes:  # gunicorn writes its access log out as it exits
            node.stop()
        merged = cluster.work / "access.log"
        merged.write_text("".join(node.access_log.read_text() for node in nodes))
        status = summary.main(str(prefix), str(merged))
        per_node(nodes)
        if status:
            print(cluster.logs())
        return status
    finally:
        cluster.stop()


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]), int(sys.argv[2])))
