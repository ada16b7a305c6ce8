"""The large 部门整体 engagement: generation, its documents and its two heaviest pages.

A temporary SQLite database gets the migrations, the demo and `workbench demo --scale department`
(300 indicators, 3 surveys with 20,000 answers, 400 working papers, 6 report charts). Rows:
- the generator itself (target ≤ 60 s; baseline: loading the demo in the same run);
- the report end to end as the generate button builds it (collect from the database, charts
  drawn fresh, render; target ≤ 1.5 s) against a bare docxtpl render of the same template with the
  finished context (charts already drawn), as bench_report.py does;
- the 评分表 and the 评价方案 the same way (target ≤ 1 s each; baseline: bare docxtpl);
- the indicator page and the scoring page (median, test client, logged in as demo-lead) against
  the layout floor page (/about, else /healthz; target ≤ 10× the floor).
Usage: python bench/bench_department.py [--quick]
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# The in-memory generation is measured; LibreOffice's TOC page numbers would measure LibreOffice.
os.environ.setdefault("WORKBENCH_TOC_PAGES", "outline")

from docx.shared import Mm
from docxtpl import InlineImage
from helpers import bench_row, counting
from sqlmodel import Session

from workbench import create_app, migrate
from workbench.db import ENGINE_KEY, make_engine
from workbench.demo import department
from workbench.demo.loader import load_demo
from workbench.domains import modules
from workbench.reports import collect, context, context_plan, render
from workbench.reports.models import DeliverableKind
from workbench.reports.services import generation
from workbench.reports.services import outline as outlined

PASSWORD = "demo12345"
PAGE_RATIO = 10
REPORT_S, DOCUMENT_S, GENERATION_S = 1.5, 1.0, 60.0


def _build(folder: Path) -> tuple[str, float, float]:
    """A fresh database with the demo and the department scale; (url, demo s, department s)."""
    url = f"sqlite:///{folder / 'workbench.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    modules("models")
    with Session(engine, expire_on_commit=False) as db:
        started = time.perf_counter()
        load_demo(db, password=PASSWORD)
        db.commit()
        demo_s = time.perf_counter() - started
        started = time.perf_counter()
        department.populate(db, echo=lambda _m: None)
        db.commit()
        department_s = time.perf_counter() - started
    engine.dispose()
    return url, demo_s, department_s


def _bare(template_name: str, ctx: dict) -> bytes:
    """docxtpl alone: the template rendered with a finished context, saved to memory."""
    template = render._Template(str(render.template_path(template_name)))
    ctx = dict(ctx)
    if "charts" in ctx:
        ctx["charts"] = [
            {"title": c["title"], "image": InlineImage(template, io.BytesIO(c["image"]),
                                                       width=Mm(150))}
            for c in ctx["charts"]
        ]  # fmt: skip
    template.render(ctx, jinja_env=render._environment(), autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def _contexts(db: Session, engagement) -> dict[str, tuple[str, dict]]:
    """The finished context of each document (charts drawn), as `generation.build` makes it."""
    report = collect.inputs(db, engagement, deliverable="report")
    plan = collect.inputs(db, engagement, deliverable="plan")
    signers = collect.score_signers(db, engagement)
    return {
        "report": (
            "evaluation_report",
            outlined.report_context(db, engagement, report, generation.report_charts(report)),
        ),
        "score_sheet": ("score_sheet", context.score_sheet_context(report, signoffs=signers)),
        "plan": ("evaluation_plan", context_plan.plan_context(plan)),
    }


def _median_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _median_ms(client, path: str, rounds: int) -> float:
    """Median of `rounds` requests after one to warm caches, as a running server would be."""
    if client.get(path).status_code != 200:
        raise RuntimeError(f"{path} did not answer 200")
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    return statistics.median(times)


def _result(name: str, value: float, unit: str, baseline: float, target: str) -> dict:
    return bench_row(name, value, unit, baseline, target, digits=3 if unit == "s" else 2)


def _documents(app, engine, repeat: int) -> list[dict]:
    rows = []
    with app.app_context(), Session(engine, expire_on_commit=False) as db:
        engagement = department.existing(db)
        generation.build(db, engagement, kind=DeliverableKind.report)  # warm imports and fonts
        charts = len(generation.report_charts(collect.inputs(db, engagement, deliverable="report")))

        def report() -> bytes:
            generation._CHART_CACHE.clear()
            return generation.build(db, engagement, kind=DeliverableKind.report).data

        contexts = _contexts(db, engagement)
        report_s = _median_s(report, repeat)
        bare_s = _median_s(lambda: _bare(*contexts["report"]), repeat)
        rows.append(_result(f"department report end to end, {charts} charts drawn (s)", report_s,
                         "s", bare_s, f"≤ {REPORT_S} s"))  # fmt: skip
        for kind, label in (("score_sheet", "score sheet 评分表"), ("plan", "plan 评价方案")):
            value = _median_s(lambda k=kind: generation.build(db, engagement, kind=k).data, repeat)
            baseline = _median_s(lambda k=kind: _bare(*contexts[k]), repeat)
            rows.append(_result(f"department {label} (s)", value, "s", baseline,
                             f"≤ {DOCUMENT_S:.0f} s"))  # fmt: skip
    return rows


def _pages(app, engine, rounds: int) -> list[dict]:
    with app.app_context(), Session(engine) as db:
        engagement_id = department.existing(db).id
    client = app.test_client()
    login = client.post("/login", data={"username": "demo-lead", "password": PASSWORD})
    if login.status_code != 302:
        raise RuntimeError("bench login failed")
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    floor_path = "/about" if "about.about" in endpoints else "/healthz"
    floor = _median_ms(client, floor_path, rounds)
    rows = []
    base = f"/engagements/{engagement_id}"
    for name, path in (
        ("indicator page", f"{base}/indicators"),
        ("scoring page", f"{base}/scoring"),
    ):
        with counting(engine) as counter:
            client.get(path)
        value = _median_ms(client, path, rounds)
        print(f"  {name}: {counter['n']} queries, {value:.2f} ms = {value / floor:.1f}× "
              f"{floor_path} ({floor:.2f} ms)", file=sys.stderr)  # fmt: skip
        rows.append(_result(f"page {name} (department, 300 indicators, median, vs {floor_path})",
                         value, "ms", floor, f"≤ {PAGE_RATIO}×"))  # fmt: skip
    return rows


def run(quick: bool) -> list[dict]:
    repeat, rounds = (3, 5) if quick else (5, 20)
    with tempfile.TemporaryDirectory() as folder:
        url, demo_s, department_s = _build(Path(folder))
        rows = [_result("department scale generation (s)", department_s, "s", demo_s,
                     f"≤ {GENERATION_S:.0f} s")]  # fmt: skip
        app = create_app({"INSTANCE_PATH": Path(folder), "DATABASE_URL": url,
                          "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})  # fmt: skip
        engine = app.extensions[ENGINE_KEY]
        rows += _documents(app, engine, repeat)
        rows += _pages(app, engine, rounds)
    return rows


if __name__ == "__main__":
    for row in run("--quick" in sys.argv):
        print(
            f"{row['name']:<72} {row['value']:>9} {row['unit']}  baseline {row['baseline']}"
            f"  ratio {row['ratio']}  target {row['target']}"
        )
