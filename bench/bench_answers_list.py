"""The survey answers list at reference scale and with one survey of a million answers, timed
against the layout floor (`/about`) in the same run.

A temporary SQLite instance gets the migrations, the demo and `workbench demo --scale reference`
(whose survey holds 2,000 answers); then ONE more survey in the scaled engagement gets N answers
(quick: 20,000; full: 1,000,000), cloned from the reference answers with their own source keys
and bulk inserted
(INSERT … SELECT, 2,000 at a time). Its answers are judged once (the first look; timed and reported, no target),
then the Flask test client, logged in as demo-lead, requests the list: the reference survey's
first page, the large survey's first page, a deep page (page 2,000, or the last page when there
are fewer) and a deep page of its 已剔除 tab. The floor is `/about` (the full layout, no data of its
own; `/healthz` where it does not exist yet), requested in turn with each page so that both meet
the same load of a shared machine. Rows give the median in ms with the ratio to the floor; target
≤ 10×. Query counts per page are printed.
Usage: python bench/bench_answers_list.py [--quick]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from helpers import counting
from sqlalchemy import String, cast, func, insert, literal
from sqlmodel import Session, select

from workbench import create_app, migrate
from workbench.db import ENGINE_KEY, make_engine
from workbench.demo.loader import load_demo
from workbench.demo.scale import CODE_PREFIX, SCALES, populate
from workbench.engagements.models import Engagement
from workbench.surveys.models import Survey, SurveyResponse
from workbench.surveys.views.results import PER_PAGE

PASSWORD = "demo12345"
TARGET_RATIO = 10
DEEP_PAGE = 2_000


def _build(folder: Path, answers: int) -> tuple[str, int, int, int]:
    """The reference-scale demo plus one survey of `answers` answers; (url, engagement, reference
    survey, large survey)."""
    url = f"sqlite:///{folder / 'workbench.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as db:
        load_demo(db, password=PASSWORD)
        db.commit()
        populate(db, scale=SCALES["reference"], echo=lambda _m: None)
        db.commit()
        engagement_id = db.exec(
            select(Engagement.id).where(Engagement.code == f"{CODE_PREFIX}000001")
        ).one()
        reference = db.exec(
            select(Survey).where(Survey.engagement_id == engagement_id).order_by(Survey.id)
        ).first()
        large = _large_survey(db, reference, answers)
        db.commit()
    engine.dispose()
    return url, engagement_id, reference.id, large


def _large_survey(db: Session, reference: Survey, answers: int) -> int:
    """A copy of the reference survey holding `answers` answers cloned from its own."""
    fields = {
        k: v for k, v in reference.model_dump().items() if k not in ("id", "token", "version")
    }
    survey = Survey(**fields, token=f"bench-{time.time_ns()}")
    survey.title = f"{reference.title}（{answers:,} 份）"
    db.add(survey)
    db.flush()
    table = SurveyResponse.__table__
    copied = [
        c for c in table.c if c.name not in ("id", "survey_id", "source_key", "excluded", "reasons")
    ]
    per_round = db.exec(
        select(func.count()).select_from(table).where(table.c.survey_id == reference.id)
    ).one()
    for start in range(0, answers, per_round):
        # The reference answers again, in SQL (INSERT … SELECT), each with a key of its own.
        key = literal(f"bench-{start}-") + cast(table.c.id, String)
        rows = (
            select(literal(survey.id), key, *copied)
            .where(table.c.survey_id == reference.id)
            .order_by(table.c.id)
            .limit(min(per_round, answers - start))
        )
        db.execute(insert(table).from_select(["survey_id", "source_key", *copied], rows))
    return survey.id


def _paired_ms(client, floor_path: str, path: str, rounds: int) -> tuple[float, float]:
    """Medians of the floor and the page, requested in turn so both meet the same machine load."""
    for warm in (floor_path, path):  # warm caches, as a running server would be
        if client.get(warm).status_code != 200:
            raise RuntimeError(f"{warm} answered an error")
    floor, page = [], []
    for _ in range(rounds):
        for target, times in ((floor_path, floor), (path, page)):
            started = time.perf_counter()
            response = client.get(target)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, target
    return statistics.median(floor), statistics.median(page)


def run(quick: bool) -> list[dict]:
    answers = 20_000 if quick else 1_000_000
    rounds = 10 if quick else 30
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        url, engagement_id, reference_id, large_id = _build(Path(folder), answers)
        print(f"  built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
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
        if (
            client.post("/login", data={"username": "demo-lead", "password": PASSWORD}).status_code
            != 302
        ):
            raise RuntimeError("bench login failed")
        routes = {rule.rule for rule in app.url_map.iter_rules()}
        floor_path = "/about" if "/about" in routes else "/healthz"
        base = f"/engagements/{engagement_id}/surveys"
        started = time.perf_counter()
        client.get(f"{base}/{large_id}/responses")  # the first look judges every answer
        judged_s = time.perf_counter() - started
        with app.app_context(), Session(engine) as db:
            excluded = db.exec(
                select(func.count())
                .select_from(SurveyResponse)
                .where(SurveyResponse.survey_id == large_id, SurveyResponse.excluded == True)  # noqa: E712
            ).one()
        deep = min(DEEP_PAGE, max(1, (answers + PER_PAGE - 1) // PER_PAGE))
        deep_excluded = min(DEEP_PAGE, max(1, (excluded + PER_PAGE - 1) // PER_PAGE))
        pages = {
            "reference survey (2,000 answers), page 1": f"{base}/{reference_id}/responses",
            f"{answers:,} answers, page 1": f"{base}/{large_id}/responses",
            f"{answers:,} answers, page {deep:,}": f"{base}/{large_id}/responses?page={deep}",
            f"{answers:,} answers, 已剔除 page {deep_excluded:,}": (
                f"{base}/{large_id}/responses?show=excluded&page={deep_excluded}"
            ),
        }
        rows = [
            {
                "name": f"answers list: judging {answers:,} answers once (first look)",
                "value": round(judged_s, 2),
                "unit": "s",
                "baseline": None,
                "ratio": None,
                "target": "—",
            }
        ]
        for name, path in pages.items():
            with counting(engine) as counter:
                client.get(path)
            floor, value = _paired_ms(client, floor_path, path, rounds)
            print(
                f"  {name}: {counter['n']} queries, {value:.2f} ms ({floor_path} {floor:.2f} ms)",
                file=sys.stderr,
            )
            rows.append(
                {
                    "name": f"answers list {name} (median)",
                    "value": round(value, 2),
                    "unit": "ms",
                    "baseline": round(floor, 2),
                    "ratio": round(value / floor, 1) if floor else None,
                    "target": f"≤ {TARGET_RATIO}×",
                }
            )
        return rows


if __name__ == "__main__":
    # python bench/bench_answers_list.py [--quick]
    for row in run("--quick" in sys.argv):
        print(row)
