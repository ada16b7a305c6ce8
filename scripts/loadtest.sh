#!/usr/bin/env bash
# Load test against a cluster started here: PostgreSQL, Redis, an S3-compatible server (moto), two
# gunicorn app nodes and one `workbench worker` (tests/cluster/stack.py), the demo at reference scale,
# locust headless with the simulated people alternating between the nodes.
# Usage: scripts/loadtest.sh [USERS=16] [SECONDS=60], e.g. scripts/loadtest.sh 50 300.
# Settings: LOAD_NODES (2), LOAD_WORKERS (gunicorn workers in all, shared among the nodes; default
# 2 × CPUs + 1), LOAD_WORKER_CLASS (sync), LOAD_THREADS (gthread only, 4), LOAD_SPAWN_RATE (2 users a
# second), LOAD_MAX_RATIO (3). Exits non-zero on any failed request or when the worst page p95 is more
# than LOAD_MAX_RATIO × the p95 of the layout floor (/about: the full layout, nothing of its own,
# requested in the same mix); the ratio to /healthz is printed beside it, then each node's own figures
# from its access log (bench/load/summary.py, bench/load/cluster_run.py).
# At 50 users the target is 0 errors: `LOAD_MAX_RATIO=inf scripts/loadtest.sh 50 120` judges only those.
# Needs root (runs PostgreSQL as the postgres user), redis-server, and the load lock: `make load-deps`
# (into .venv, which this script puts first on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] && export PATH="$PWD/.venv/bin:$PATH"
exec python3 bench/load/cluster_run.py "${1:-16}" "${2:-60}"
