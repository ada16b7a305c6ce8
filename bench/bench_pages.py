"""List pages on a reference-scale database, timed against /healthz in the same run.

A temporary SQLite instance gets the migrations, the demo and `workbench demo --scale reference`
(80 indicators, 2,000 survey answers, 60 working papers with evidence in one more engagement).
The Flask test client, logged in as demo-lead, requests each page (dashboard, engagement list API,
library search, the scaled engagement's flowchart and indicator page, and the papers and survey
answer lists where those domains exist); the baseline is /healthz, the trivial endpoint, measured
the same way. Rows give the median in ms; query counts per page are printed.
Target: every page's median ≤ 300 ms. Usage: python bench/bench_pages.py [--quick] [--url URL];
with --url the pages are timed on that database as it is (say, after `workbench demo --scale large`).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, func, select
from sqlmodel import Session, SQLModel

from workbench import create_app, migrate
from workbench.accounts.models import User
from workbench.accounts.services import create_token
from workbench.db import ENGINE_KEY, make_engine
from workbench.demo.loader import load_demo
from workbench.demo.scale import CODE_PREFIX, SCALES, populate
from workbench.domains import modules

PASSWORD = "demo12345"
TARGET_MS = 300.0


def _build(folder: Path) -> tuple[str, int, str, int | None]:
    """A fresh SQLite database with the demo at reference scale; see `_lookup` for the rest."""
    url = f"sqlite:///{folder / 'workbench.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as db:
        load_demo(db, password=PASSWORD)
        db.commit()
        populate(db, scale=SCALES["reference"], echo=lambda _m: None)
        db.commit()
    engine.dispose()
    return (url, *_lookup(url))


def _lookup(url: str) -> tuple[int, str, int | None]:
    """The first scaled engagement's id, an API token of demo-lead and its survey id (if any)."""
    modules("models")  # every domain's tables in the metadata, as the app would have them
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        engagement = SQLModel.metadata.tables["engagement"]
        engagement_id = db.execute(
            select(engagement.c.id).where(engagement.c.code == f"{CODE_PREFIX}000001")
        ).scalar_one()
        lead = db.execute(select(User).where(User.username == "demo-lead")).scalar_one()
        _row, token = create_token(db, user=lead, label="bench")
        survey = SQLModel.metadata.tables.get("survey")
        survey_id = None
        if survey is not None:
            survey_id = db.execute(
                select(func.min(survey.c.id)).where(survey.c.engagement_id == engagement_id)
            ).scalar_one()
        db.commit()
    engine.dispose()
    return engagement_id, token, survey_id


@contextmanager
def _counting(engine):
    counter = {"n": 0}

    def _count(*_args, **_kwargs):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def _pages(app, engagement_id: int, survey_id: int | None) -> dict[str, str]:
    rules = {rule.endpoint for rule in app.url_map.iter_rules()}
    base = f"/engagements/{engagement_id}"
    pages = {
        "dashboard": "/",
        "engagement list API": "/api/v1/engagements",
        "library search page": "/library?q=满意度",
        "flowchart": base,
        "indicator page": f"{base}/indicators",
    }
    if "fieldwork.papers_list" in rules:
        pages["working papers list"] = f"{base}/papers"
    if "surveys.responses_list" in rules and survey_id:
        pages["survey answers list"] = f"{base}/surveys/{survey_id}/responses"
    return pages


def _median_ms(client, path: str, rounds: int, headers: dict) -> tuple[float, int]:
    response = client.get(path, headers=headers)  # warm caches, as a running server would be
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    return statistics.median(times), response.status_code


def run(quick: bool, url: str | None = None) -> list[dict]:
    """Time the pages on a fresh reference-scale database, or on `url` (already populated)."""
    rounds = 5 if quick else 30
    scale = "reference scale" if url is None else "given database"
    with tempfile.TemporaryDirectory() as folder:
        if url is None:
            url, engagement_id, token, survey_id = _build(Path(folder))
        else:
            engagement_id, token, survey_id = _lookup(url)
        app = create_app(
            {
                "INSTANCE_PATH": Path(folder),
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,  # the test client posts the login form directly
            }
        )
        engine = app.extensions[ENGINE_KEY]
        client = app.test_client()
        login = client.post("/login", data={"username": "demo-lead", "password": PASSWORD})
        if login.status_code != 302:
            raise RuntimeError("bench login failed")
        bearer = {"Authorization": f"Bearer {token}"}
        baseline, _ = _median_ms(client, "/healthz", rounds, {})
        rows = []
        for name, path in _pages(app, engagement_id, survey_id).items():
            headers = bearer if path.startswith("/api/") else {}
            with _counting(engine) as counter:
                client.get(path, headers=headers)
            value, _ = _median_ms(client, path, rounds, headers)
            print(f"  {name}: {counter['n']} queries", file=sys.stderr)
            rows.append(
                {
                    "name": f"page {name} ({scale}, median)",
                    "value": round(value, 2),
                    "unit": "ms",
                    "baseline": round(baseline, 2),
                    "ratio": round(value / baseline, 1) if baseline else None,
                    "target": f"≤ {TARGET_MS:.0f} ms",
                }
            )
        return rows


if __name__ == "__main__":
    # python bench/bench_pages.py [--quick] [--url DATABASE_URL]   (e.g. after `workbench demo --scale large`)
    given = sys.argv[sys.argv.index("--url") + 1] if "--url" in sys.argv else None
    for row in run("--quick" in sys.argv, given):
        print(row)
