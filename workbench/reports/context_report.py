"""The report contexts: evaluation_report.docx and ex_ante_report.docx (pure).

Generated facts (project figures, targets, the indicator system, the stage dates and working
papers) come before each narrative section's own paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workbench.reports import ex_ante
from workbench.reports import sections as text
from workbench.reports.context import (
    UNSCORED,
    Inputs,
    LeafRow,
    Paper,
    Project,
    SurveyRow,
    SurveySummary,
    Totals,
    Visit,
    closing_dict,
    cn_date,
    fmt2,
    group_score,
    level1_groups,
    paragraphs,
    pct,
    project_dict,
    rate,
    score_rows,
    totals_dict,
    wan,
)
from workbench.reports.prose import ScoreFacts, score_sentence
from workbench.reports.survey_appendix import AppendixSurvey


def _generated_overview(p: Project) -> list[str]:
    parts = [f"{p.name}预算年度为{p.budget_year}年"]
    if p.budget_amount is not None:
        parts.append(f"预算资金{wan(p.budget_amount)}")
    if p.funds_available is not None:
        parts.append(f"实际到位资金{wan(p.funds_available)}")
    if p.funds_spent is not None:
        parts.append(f"实际支出{wan(p.funds_spent)}")
    if p.funds_spent is not None and p.funds_available:
        parts.append(f"预算执行率{pct(rate(p.funds_spent, p.funds_available))}")
    out = ["，".join(parts) + "。"]
    return out + ([p.description.strip()] if p.description.strip() else [])


def _goal(leaf: LeafRow) -> str:
    """ "资金到位率目标值100%（计划1,250.00万元）": a ratio's target is its base, not the rate."""
    if leaf.rule == "ratio" and leaf.name.endswith("率") and not leaf.target.endswith("%"):
        return f"{leaf.name}目标值100%（计划{leaf.target}）"
    return f"{leaf.name}目标值{leaf.target}"


def _generated_goals(leaves: list[LeafRow]) -> list[str]:
    lines = []
    for name, group in level1_groups(leaves).items():
        targets = [_goal(leaf) for leaf in group if leaf.target]
        if targets:
            lines.append(f"{name}指标：" + "；".join(targets) + "。")
    return (["项目主要绩效指标及目标值如下："] + lines) if lines else []


def _generated_method(leaves: list[LeafRow], totals: Totals, table: str = "表1") -> list[str]:
    level2 = {(leaf.level1, leaf.level2) for leaf in leaves}
    return [
        f"评价指标体系由{len(level1_groups(leaves))}个一级指标、{len(level2)}个二级指标和"
        f"{len(leaves)}个三级指标构成，总分值{fmt2(totals.total_weight)}分，指标体系及得分见{table}。"
    ]


# What a working paper's review status says about it, in the order the sentence lists them.
_PAPER_STATES = (
    ("approved", "经编制、复核并由项目负责人批准（三级复核完成）{n}份"),
    ("reviewed", "已复核、待项目负责人批准{n}份"),
    ("prepared", "已编制、待复核{n}份"),
    ("returned", "复核退回修改中{n}份"),
)


def _papers_sentence(papers: list[Paper], term: str) -> str:
    """How many papers exist and how far each got in the review chain (never more than true)."""
    by_stage: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for paper in papers:
        by_stage[paper.stage] = by_stage.get(paper.stage, 0) + 1
        by_status[paper.status] = by_status.get(paper.status, 0) + 1
    detail = "，".join(f"{stage}{count}份" for stage, count in by_stage.items())
    text = (
        f"{term}过程中共形成工作底稿{len(papers)}份（{detail}），索引号"
        f"{papers[0].index}至{papers[-1].index}"
    )
    if by_status.get("approved") == len(papers):
        return text + "，均已经编制、复核并由项目负责人批准（三级复核）。"
    states = [form.format(n=by_status[key]) for key, form in _PAPER_STATES if by_status.get(key)]
    return text + ("。其中" + "，".join(states) + "。" if states else "。")


def _generated_process(visits: list[Visit], papers: list[Paper], term: str = "评价") -> list[str]:
    out = []
    for visit in visits:
        if visit.left is None:
            out.append(f"{cn_date(visit.entered)}起，{visit.name}阶段：{visit.work}（进行中）。")
        elif visit.left == visit.entered:
            out.append(f"{cn_date(visit.entered)}，{visit.name}阶段：{visit.work}。")
        else:
            out.append(
                f"{cn_date(visit.entered)}至{cn_date(visit.left)}，{visit.name}阶段：{visit.work}。"
            )
    if papers:
        out.append(_papers_sentence(papers, term))
    return out


def _explanation(leaf: LeafRow) -> str:
    """The leaf's score in a sentence (prose.py); the arithmetic stays in the score sheet."""
    facts = leaf.facts or ScoreFacts(
        rule=None,
        weight=leaf.weight,
        score=leaf.score,
        target=leaf.target,
        actual=leaf.actual,
        justification=leaf.justification,
        not_applicable=leaf.not_applicable,
        na_reason=leaf.na_reason,
    )
    return score_sentence(facts)


def level1_analysis(inputs: Inputs) -> list[dict]:
    result = []
    for name, group in level1_groups(inputs.leaves).items():
        weight, score = group_score(group)
        result.append(
            {
                "name": name,
                "weight": fmt2(weight),
                "score": fmt2(score),
                "rate": pct(rate(score, weight)) or "—",
                "summary": paragraphs(inputs, text.level1_key(name)),
                "indicators": [
                    {
                        "name": leaf.name,
                        "weight": fmt2(leaf.weight),
                        "score": fmt2(leaf.score, UNSCORED),
                        "explanation": _explanation(leaf),
                        "findings": [
                            {
                                "text": f.text,
                                "deduction": fmt2(f.amount),
                                "paper_index": f.paper_index,
                            }
                            for f in leaf.findings
                        ],
                    }
                    for leaf in group
                    if not leaf.not_applicable
                ],
            }
        )
    return result


def survey_dict(survey: SurveySummary | None) -> dict | None:
    if survey is None:
        return None

    def row(r: SurveyRow) -> dict:
        ci = f"{pct(r.ci_low)}～{pct(r.ci_high)}" if r.ci_low is not None else ""
        return {
            "name": r.name,
            "n": str(r.n),
            "rate": pct(r.rate),
            "score_index": fmt2(r.score_index),
            "ci": ci,
        }

    alpha = survey.alpha
    note = (
        ""
        if alpha is None
        else ("信度良好" if alpha >= Decimal("0.7") else "信度偏低，结论仅供参考")
    )
    return {
        "population": survey.population,
        "method": survey.method,
        "sample_target": str(survey.sample_target or survey.collected),
        "collected": str(survey.collected),
        "valid": str(survey.valid),
        "validity_rate": pct(survey.validity_rate),
        "alpha": fmt2(alpha),
        "alpha_note": note,
        "rows": [row(r) for r in survey.rows],
        "overall": row(survey.overall),
        "notes": list(survey.notes),
    }


def ex_ante_conclusion(inputs: Inputs) -> ex_ante.Conclusion:
    """The ticked conclusion and its sentence: only from a complete score the lead signed."""
    unscored = [leaf for leaf in inputs.leaves if not leaf.not_applicable and leaf.score is None]
    return ex_ante.conclude(
        project=inputs.project.name,
        total=inputs.totals.total,
        unscored=len(unscored),
        signed=inputs.scores_signed,
        bands=inputs.ex_ante_bands,
    )


# The chapters of an ex-ante report that need the team's own text (key → heading).
EX_ANTE_REQUIRED = {
    "basic": "一、评估对象基本情况（项目背景、主要内容、资金测算与来源）",
    "work": "二、评估工作开展情况（评估依据、方法、过程）",
    "suggestions": "四、相关建议",
}


def ex_ante_missing(inputs: Inputs) -> list[str]:
    """What the ex-ante report would print with nothing behind it (generation is refused)."""
    missing = [heading for key, heading in EX_ANTE_REQUIRED.items() if not paragraphs(inputs, key)]
    names = list(level1_groups(inputs.leaves))
    if not names:
        missing.append("三、综合评估情况与结论：尚无评估指标")
    missing += [
        f"三、综合评估情况与结论：“{name}”的评估分析"
        for name in names
        if not paragraphs(inputs, text.level1_key(name))
    ]
    return missing


def ex_ante_context(inputs: Inputs) -> dict:
    """ex_ante_report.docx: five dimensions, the conclusion box and the sections."""
    p = inputs.project
    dimensions = []
    for name, group in level1_groups(inputs.leaves).items():
        weight, score = group_score(group)
        dimensions.append(
            {
                "name": name,
                "weight": fmt2(weight),
                "score": fmt2(score) if all(leaf.score is not None or leaf.not_applicable
                                            for leaf in group) else UNSCORED,
                "paragraphs": paragraphs(inputs, text.level1_key(name)),
            }
        )  # fmt: skip
    keys = ("basic", "conclusion", "suggestions", "other")
    sections = {key: paragraphs(inputs, key) for key in keys}
    sections["basic"] = _generated_overview(p) + sections["basic"]
    sections["work"] = _generated_process(inputs.visits, inputs.papers, "评估") + paragraphs(
        inputs, "work"
    )
    conclusion = ex_ante_conclusion(inputs)
    return {
        "project": project_dict(p),
        "title": f"{p.name}事前绩效评估报告",
        "version_label": inputs.label,
        "sections": sections,
        "score_rows": [
            {"level1": r["level1"], "name": r["name"], "weight": r["weight"], "score": r["score"]}
            for r in score_rows(inputs.leaves)
        ],
        **totals_dict(inputs.totals, inputs.leaves),
        "conclusion": conclusion.name,
        "conclusion_text": conclusion.sentence,
        "dimensions": dimensions,
        "closing": closing_dict(inputs),
    }


@dataclass(frozen=True)
class ChartSpec:
    """A chart to draw: the charts-module function, its keyword arguments, the caption."""

    title: str
    function: str  # level1_rate_chart | satisfaction_chart | bar_chart
    arguments: tuple[tuple[str, Any], ...]


def chart_specs(inputs: Inputs) -> list[ChartSpec]:
    """一级 score rates, 二级 score rates (when there are several) and the satisfaction spread:
    the primary survey's, or with several surveys each one's and their overall rates compared."""
    specs = []
    groups = level1_groups(inputs.leaves)
    rates = [rate(*reversed(group_score(group))) for group in groups.values()]
    if groups and all(r is not None for r in rates):
        specs.append(
            ChartSpec(
                "一级指标得分率",
                "level1_rate_chart",
                (("names", tuple(groups)), ("rates", tuple(rates))),
            )
        )
    level2: dict[str, list[LeafRow]] = {}
    for leaf in inputs.leaves:
        level2.setdefault(f"{leaf.level1}—{leaf.level2}", []).append(leaf)
    pairs = [(name, group_score(group)) for name, group in level2.items()]
    pairs = [(name, rate(score, weight)) for name, (weight, score) in pairs if weight]
    if len(pairs) > 1:
        specs.append(
            ChartSpec(
                "二级指标得分率",
                "bar_chart",
                (
                    ("labels", tuple(name for name, _ in pairs)),
                    ("values", tuple(value for _, value in pairs)),
                    ("title", "二级指标得分率"),
                    ("unit", "%"),
                    ("kind", "barh"),
                    ("ymax", 110),
                ),
            )
        )
    charted = [s for s in inputs.survey_appendix if s.levels and s.counts and s.chart_items]
    if len(charted) > 1:
        return specs + _survey_specs(charted)
    survey = inputs.survey
    if survey is not None and survey.levels and survey.counts:
        specs.append(
            _satisfaction_spec(
                "满意度分布", [r.name for r in survey.rows], survey.levels, survey.counts
            )
        )
    return specs


def _satisfaction_spec(
    caption: str, items: list[str], levels: list[str], counts: list, *, title: str | None = None
) -> ChartSpec:
    """One survey's satisfaction spread; `title` drawn above it (the chart's default otherwise)."""
    arguments = (
        ("items", tuple(items)),
        ("levels", tuple(levels)),
        ("counts", tuple(tuple(row) for row in counts)),
    )
    return ChartSpec(
        caption, "satisfaction_chart", arguments + ((("title", title),) if title else ())
    )


def _survey_specs(surveys: list[AppendixSurvey]) -> list[ChartSpec]:
    """Several surveys: each one's satisfaction spread, then their overall rates side by side."""
    specs = [
        _satisfaction_spec(
            f"{s.title}满意度分布", s.chart_items, s.levels, s.counts, title=f"{s.title}满意度分布"
        )
        for s in surveys
    ]
    rated = [(s.title, s.overall.rate) for s in surveys if s.overall and s.overall.rate is not None]
    if len(rated) > 1:
        specs.append(
            ChartSpec(
                "各项调查总体满意率",
                "bar_chart",
                (
                    ("labels", tuple(title for title, _ in rated)),
                    ("values", tuple(rate for _, rate in rated)),
                    ("title", "各项调查总体满意率"),
                    ("unit", "%"),
                    ("kind", "bar"),
                    ("ymax", 110),
                ),
            )
        )
    return specs
