"""List pages on a reference-scale database, timed against the layout floor in the same run.

A temporary SQLite instance gets the migrations, the demo and `workbench demo --scale reference`
(80 indicators, 2,000 survey answers, 60 working papers with evidence in one more engagement).
The Flask test client, logged in as demo-lead, requests each page (dashboard, engagement list API,
library search, the scaled engagement's flowchart, indicator page and scoring page, and the papers
and survey answer lists where those domains exist). The floor is /about: the full layout (navigation,
bell, user menu) for the signed-in user and nothing of its own, measured the same way; each page's
row has the floor as its baseline and its ratio to it. /healthz (the trivial endpoint, renders
nothing) is measured too: the floor's own row has it as baseline, and each page's ratio to it is
printed with the query counts (the figure earlier runs were judged by). All are requested in turn,
round after round, so a busy moment of the machine weighs on the floor and the pages alike.
Targets: the indicator page, the scoring page and the survey answers list ≤ 10× the floor; every
other page's median ≤ 300 ms. Usage: python bench/bench_pages.py [--quick] [--url URL]; with --url
the pages are timed on that database as it is (say, after `workbench demo --scale large`).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from helpers import counting
from sqlalchemy import func, select
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
FLOOR = "/about"
# Pages judged by their ratio to the floor (issue 17); the others by TARGET_MS.
TARGET_RATIO = 10
RATIO_PAGES = {"indicator page", "scoring page", "survey answers list"}


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
    if "scoring.index" in rules:
        pages["scoring page"] = f"{base}/scoring"
    if "fieldwork.papers_list" in rules:
        pages["working papers list"] = f"{base}/papers"
    if "surveys.responses_list" in rules and survey_id:
        pages["survey answers list"] = f"{base}/surveys/{survey_id}/responses"
    return pages


def _medians_ms(client, paths: dict[str, tuple[str, dict]], rounds: int) -> dict[str, float]:
    """Median ms of each path, requested in turn round after round: the floor, /healthz and the
    pages share the same moments of a busy machine, so their ratios compare like with like."""
    for path, headers in paths.values():
        response = client.get(path, headers=headers)  # warm caches, as a running server would be
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name, (path, headers) in paths.items():
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, path
    return {name: statistics.median(values) for name, values in times.items()}


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
        pages = _pages(app, engagement_id, survey_id)
        paths = {"/healthz": ("/healthz", {}), FLOOR: (FLOOR, {})}
        for name, path in pages.items():
            paths[name] = (path, bearer if path.startswith("/api/") else {})
        queries = {}
        for name, (path, headers) in paths.items():
            with counting(engine) as counter:
                client.get(path, headers=headers)
            queries[name] = counter["n"]
        medians = _medians_ms(client, paths, rounds)
        healthz, floor = medians["/healthz"], medians[FLOOR]
        print(
            f"  floor {FLOOR}: {queries[FLOOR]} queries, {floor:.2f} ms; /healthz {healthz:.2f} ms",
            file=sys.stderr,
        )
        rows = [
            {
                "name": f"page floor {FLOOR} ({scale}, median)",
                "value": round(floor, 2),
                "unit": "ms",
                "baseline": round(healthz, 2),  # the floor's own row: its cost over /healthz
                "ratio": _ratio(floor, healthz),
                "target": f"≤ {TARGET_MS:.0f} ms",
            }
        ]
        for name in pages:
            value = medians[name]
            print(
                f"  {name}: {queries[name]} queries, {value:.2f} ms = "
                f"{_ratio(value, floor)}× the floor, {_ratio(value, healthz)}× /healthz",
                file=sys.stderr,
            )
            rows.append(
                {
                    "name": f"page {name} ({scale}, median)",
                    "value": round(value, 2),
                    "unit": "ms",
                    "baseline": round(floor, 2),
                    "ratio": _ratio(value, floor),
                    "target": (
                        f"≤ {TARGET_RATIO}×" if name in RATIO_PAGES else f"≤ {TARGET_MS:.0f} ms"
                    ),
                }
            )
        return rows


def _ratio(value: float, baseline: float) -> float | None:
    return round(value / baseline, 1) if baseline else None


if __name__ == "__main__":
    # python bench/bench_pages.py [--quick] [--url DATABASE_URL]   (e.g. after `workbench demo --scale large`)
    given = sys.argv[sys.argv.index("--url") + 1] if "--url" in sys.argv else None
    for row in run("--quick" in sys.argv, given):
        print(row)
