#!/usr/bin/env bash
# Load test: a PostgreSQL server started here (as .ci/run does), the demo at reference scale,
# gunicorn on 127.0.0.1 and locust headless. Usage: scripts/loadtest.sh [USERS=16] [SECONDS=60]
# e.g. scripts/loadtest.sh 50 300. Settings: LOAD_WORKER_CLASS, LOAD_WORKERS, LOAD_THREADS (default:
# those of workbench/gunicorn_conf.py, sync × 2 CPUs + 1), LOAD_SPAWN_RATE
# (2 users a second), LOAD_MAX_RATIO (3). Exits non-zero on any failed request or when the worst page
# p95 is more than LOAD_MAX_RATIO × the p95 of the layout floor (/about: the full layout, nothing of
# its own, requested in the same mix); the ratio to /healthz is printed beside it (bench/load/summary.py).
# At 50 users the target is 0 errors: `LOAD_MAX_RATIO=inf scripts/loadtest.sh 50 120` judges only those.
# Needs root (runs PostgreSQL as the postgres user) and the load lock: `make load-deps` (into .venv,
# which this script puts first on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] && export PATH="$PWD/.venv/bin:$PATH"
USERS="${1:-16}"
DURATION="${2:-60}"
# Free ports found now: a fixed one can be the local end of some other connection on a busy machine.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PGPORT="${LOAD_PGPORT:-$(free_port)}"
HTTP_PORT="${LOAD_HTTP_PORT:-$(free_port)}"
# The production settings of workbench/gunicorn_conf.py unless overridden here.
export WORKBENCH_WORKER_CLASS="${LOAD_WORKER_CLASS:-sync}"
WORKERS="${LOAD_WORKERS:-$((2 * $(nproc) + 1))}"
THREADS="${LOAD_THREADS:-4}"
SPAWN_RATE="${LOAD_SPAWN_RATE:-2}"  # people arrive over time, not all in the same second
WORK="$(mktemp -d /tmp/workbench-load.XXXXXX)"
chmod 755 "$WORK"  # the postgres user must reach its data folder
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
PGDATA="$WORK/pg"
GUNICORN_PID=""

cleanup() {
  if [ -n "$GUNICORN_PID" ]; then kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true; fi
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
  cp "$WORK/gunicorn.log" /tmp/workbench-load-gunicorn.log 2>/dev/null || true  # kept for a look afterwards
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== PostgreSQL on 127.0.0.1:$PGPORT"
mkdir -p "$PGDATA"
chown postgres:postgres "$PGDATA"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start \
  -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null
runuser -u postgres -- "$PGBIN/psql" -h /tmp -p "$PGPORT" -U postgres -qc "CREATE DATABASE workbench_load" >/dev/null

export WORKBENCH_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/workbench_load"
export WORKBENCH_INSTANCE_PATH="$WORK/instance"
export WORKBENCH_LOGIN_LIMIT="100000 per minute"  # every simulated user logs in from 127.0.0.1

echo "== database and reference-scale demo"
workbench db upgrade
workbench demo --scale reference | tail -n 2

eval "$(python3 - <<'PY'
from sqlalchemy import func, select
from sqlmodel import SQLModel

from workbench import create_app
from workbench.accounts.models import User
from workbench.accounts.services import create_token
from workbench.db import session_scope

app = create_app()
with app.app_context(), session_scope() as db:
    tables = SQLModel.metadata.tables
    engagement = tables["engagement"]
    eid = db.execute(select(engagement.c.id).where(engagement.c.code == "SCALE-000001")).scalar_one()
    indicator = tables["indicator"]
    # an indicator scored from its actual value (the load mix saves that value)
    iid = db.execute(
        select(func.min(indicator.c.id)).where(
            indicator.c.engagement_id == eid, indicator.c.rule.in_(["linear", "ratio"])
        )
    ).scalar_one() or db.execute(
        select(func.min(indicator.c.id)).where(indicator.c.engagement_id == eid)
    ).scalar_one()
    survey = tables.get("survey")
    sid = 0
    if survey is not None:
        sid = db.execute(select(func.min(survey.c.id)).where(survey.c.engagement_id == eid)).scalar_one() or 0
    lead = db.execute(select(User).where(User.username == "demo-lead")).scalar_one()
    _row, token = create_token(db, user=lead, label="load test")
    print(f"export LOAD_ENGAGEMENT={eid} LOAD_INDICATOR={iid} LOAD_SURVEY={sid} LOAD_TOKEN={token}")
PY
)"

echo "== gunicorn on 127.0.0.1:$HTTP_PORT ($WORKERS $WORKBENCH_WORKER_CLASS workers$([ "$WORKBENCH_WORKER_CLASS" = gthread ] && echo " × $THREADS threads"))"
WORKBENCH_BIND="127.0.0.1:$HTTP_PORT" WORKBENCH_WORKERS="$WORKERS" WORKBENCH_THREADS="$THREADS" \
  gunicorn -c python:workbench.gunicorn_conf --error-logfile "$WORK/gunicorn.log" \
  --access-logfile "$WORK/access.log" --access-logformat '%(m)s %(U)s %(s)s %(D)s' \
  "workbench:create_app()" &
GUNICORN_PID=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 || {
  echo "FAIL: gunicorn did not answer on 127.0.0.1:$HTTP_PORT"; tail -n 20 "$WORK/gunicorn.log"; exit 1; }

echo "== locust: $USERS users (spawned $SPAWN_RATE a second) for $DURATION s"
python3 -m locust -f bench/load/locustfile.py --headless --users "$USERS" \
  --spawn-rate "$SPAWN_RATE" --run-time "${DURATION}s" --host "http://127.0.0.1:$HTTP_PORT" \
  --csv "$WORK/locust" --only-summary --loglevel WARNING >/dev/null 2>"$WORK/locust.log" || true
set +e
python3 bench/load/summary.py "$WORK/locust" "$WORK/access.log"
status=$?
if [ -s "$WORK/locust_failures.csv" ] && [ "$(wc -l <"$WORK/locust_failures.csv")" -gt 1 ]; then
  cat "$WORK/locust_failures.csv"
  grep -A 40 "unhandled error" "$WORK/gunicorn.log" | head -n 120 || true
fi
exit $status
