"""Report generation end to end against a bare docxtpl render of the same template.

A reference engagement: 80 indicators (4 一级 × 5 二级 × 4 三级, findings on a quarter of them),
narrative sections, stage dates and 40 working papers, a survey summary of 2,000 responses
(4 items × 5 levels) and the three charts. "End to end" is what the generate button does in
memory: context (pure) + charts (matplotlib) + render (sandboxed docxtpl with the vmerge cells).
The baseline is DocxTemplate.render of the same template with the finished context (charts
already drawn, InlineImage objects ready) and a save to memory, measured in the same run.

Rows: the cold end-to-end time (charts drawn; target ≤ 1.5 s), the end-to-end time when the
charts come from the generator's cache (regenerating after a text edit; target ≤ 2× the bare
render) and, for information, the cold ratio. Usage: python bench/bench_report.py [--quick]
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from docx.shared import Mm
from docxtpl import InlineImage

# The in-memory generation is measured; LibreOffice's TOC page numbers (a separate process,
# about 2 s, skipped where it is not installed) would measure LibreOffice.
os.environ.setdefault("WORKBENCH_TOC_PAGES", "outline")

from workbench.reports import context as ctx
from workbench.reports import context_outline, outlines, render
from workbench.reports import sections as text
from workbench.reports.render import render_docx, template_path
from workbench.reports.services import generation

PROJECT = outlines.shipped("project")

LEVEL1 = ("决策", "过程", "产出", "效益")
LEVELS = ["非常满意", "满意", "一般", "不满意", "非常不满意"]


def reference_inputs(responses: int = 2000) -> ctx.Inputs:
    """The reference engagement as plain inputs (80 leaves, 2,000 survey responses)."""
    leaves = []
    for i, level1 in enumerate(LEVEL1):
        for j in range(5):
            for k in range(4):
                n = len(leaves)
                weight = Decimal("1.25")
                score = (weight * Decimal(80 + (n * 7) % 21) / 100).quantize(ctx.CENT)
                findings = (
                    [ctx.Finding(f"第{n + 1}项指标发现的问题：台账记录不完整，凭证缺失。",
                                 f"D-{i + 1:02d}-{j * 4 + k + 1:02d}", weight - score)]
                    if n % 4 == 0 else []
                )  # fmt: skip
                leaves.append(
                    ctx.LeafRow(level1, f"{level1}二级{j + 1}", f"{level1}指标{j + 1}-{k + 1}",
                                weight, score, explanation=f"{weight} × 达成度 = {score}",
                                target="≥95%", actual="91.2%", findings=findings)
                )  # fmt: skip
    total = sum((leaf.score for leaf in leaves), Decimal(0))
    per_item = responses // 4
    counts = [[per_item * s // 100 for s in (38, 40, 14, 5)] for _ in range(4)]
    for row in counts:
        row.append(per_item - sum(row))
    rows = [
        ctx.SurveyRow(f"满意度题项{i + 1}", per_item, Decimal("78.40"), Decimal("81.21"),
                      Decimal("74.04"), Decimal("82.20"))
        for i in range(4)
    ]  # fmt: skip
    today = date(2025, 3, 20)
    html = text.from_paragraphs(["本项目资金主要用于农村学生营养膳食补助。" * 8] * 3)
    keys = ["overview", "goals", "purpose", "methodology", "process", "conclusion",
            "experience", "problems", "suggestions", "other"]  # fmt: skip
    keys += [text.level1_key(name) for name in LEVEL1]
    return ctx.Inputs(
        project=ctx.Project(
            "2024年度某某补助资金绩效评价",
            "project",
            "PE-2024-0001",
            "某市财政局",
            "某市教育局",
            "某某评价公司",
            2024,
            today,
            Decimal("38600000"),
            Decimal("37025000"),
            Decimal("33767000"),
        ),  # fmt: skip
        leaves=leaves,
        totals=ctx.Totals(total, Decimal(100), Decimal(100), total, "良"),
        sections=dict.fromkeys(keys, html),
        visits=[
            ctx.Visit(
                s,
                s,
                "工作内容",
                today - timedelta(days=60 - 6 * n),
                today - timedelta(days=55 - 6 * n),
            )
            for n, s in enumerate(
                ("commission", "plan", "indicators", "fieldwork", "survey", "scoring")
            )
        ],  # fmt: skip
        papers=[ctx.Paper(f"D-01-{n:02d}", f"底稿{n}", "资料收集与现场评价") for n in range(1, 41)],
        survey=ctx.SurveySummary(
            responses,
            responses - 40,
            rows,
            rows[0],
            Decimal("98.00"),
            Decimal("0.87"),
            levels=LEVELS,
            counts=counts,
        ),  # fmt: skip
        label="初稿",
    )


def end_to_end(inputs: ctx.Inputs) -> bytes:
    """What generation does before storing: context, charts (cached by input), render."""
    context = context_outline.report_context(inputs, generation.report_charts(inputs), PROJECT)
    return render_docx("evaluation_report", context)


def bare(context: dict) -> bytes:
    """docxtpl alone: the template rendered with a finished context, saved to memory.

    The template's own DocxTemplate subclass and Jinja environment are used (its score table
    needs the `vmerge` cell tag and the `cn_number` filter), without render_docx's preparation.
    """
    template = render._Template(str(template_path("evaluation_report")))
    for chart in context["charts"]:
        chart["image"] = InlineImage(template, io.BytesIO(chart["png"]), width=Mm(150))
    template.render(context, jinja_env=render._environment(), autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _precomputed(inputs: ctx.Inputs) -> dict:
    """A plain context of strings (as docxtpl needs it) with the chart PNGs already drawn."""
    charts = [{"title": c["title"], "png": c["image"]} for c in generation.report_charts(inputs)]
    context = context_outline.report_context(inputs, [], PROJECT)
    context["charts"] = charts
    return context


def run(quick: bool) -> list[dict]:
    repeat = 3 if quick else 7
    inputs = reference_inputs()
    end_to_end(inputs)  # warm imports, fonts and the template cache of the OS
    cold = []
    for _ in range(repeat):
        generation._CHART_CACHE.clear()
        started = time.perf_counter()
        end_to_end(inputs)
        cold.append(time.perf_counter() - started)
    cold_s = statistics.median(cold)
    cached_s = _median(lambda: end_to_end(inputs), repeat)
    precomputed = _precomputed(inputs)

    def bare_once() -> bytes:
        copy = {**precomputed, "charts": [dict(c) for c in precomputed["charts"]]}
        return bare(copy)

    bare_s = _median(bare_once, repeat)
    return [
        {"name": "report end to end, charts drawn (s)", "value": round(cold_s, 3), "unit": "s",
         "baseline": round(bare_s, 3), "ratio": round(cold_s / bare_s, 2), "target": "≤ 1.5 s"},
        {"name": "report end to end, charts cached (s)", "value": round(cached_s, 3), "unit": "s",
         "baseline": round(bare_s, 3), "ratio": round(cached_s / bare_s, 2), "target": "≤ 2×"},
    ]  # fmt: skip


if __name__ == "__main__":
    for row in run("--quick" in sys.argv):
        print(
            f"{row['name']:<40} {row['value']:>8} {row['unit']}  bare docxtpl {row['baseline']} s"
            f"  ratio {row['ratio']}  target {row['target']}"
        )
