"""The plan's context (evaluation_plan.docx): schedule phases, sample plan, team (pure).

The schedule groups the ten stages into five phases and prints the plan's own planned dates
(the plan settings' timetable); where a phase has none it says 待定. The engagement's actual
progress belongs to the report, never to the plan. The engagement's planned start and end stand
in for the first phase's start and the last phase's end when the timetable leaves them blank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from workbench.reports.context import (
    CENT,
    HUNDRED,
    PENDING,
    Inputs,
    cn_date,
    fmt2,
    paragraphs,
    project_dict,
    score_rows,
)
from workbench.reports.naming import names_for
from workbench.reports.sections import list_items
from workbench.surveys.statistics.sampling import sample_size, z_for  # pure, unlike services

# (phase, stages, main work)
PHASES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("前期准备", ("commission", "plan", "indicators"),
     "接受委托，组建评价工作组，签署回避声明和保密承诺，制定评价工作方案和指标体系"),
    ("现场评价", ("fieldwork", "survey"),
     "发送资料清单，开展内业审核、现场核查、访谈座谈和满意度调查"),
    ("分析评价", ("scoring",), "逐项评分，汇总得分，形成初步评价结论"),
    ("报告撰写", ("report", "consultation", "bureau_review"),
     "撰写评价报告并三级复核，征求被评价单位意见，提交委托方审核"),
    ("资料归档", ("archive",), "整理工作底稿和评价资料，建立档案"),
)  # fmt: skip
PHASE_NAMES = tuple(name for name, _stages, _work in PHASES)
Window = tuple[date | None, date | None]


@dataclass(frozen=True)
class Phase:
    name: str
    content: str
    period: str
    planned_end: date | None


def _span(start: date, end: date) -> str:
    if start == end:
        return cn_date(start)
    tail = f"{end.month}月{end.day}日" if end.year == start.year else cn_date(end)
    return f"{cn_date(start)}—{tail}"


def _period(start: date | None, end: date | None) -> str:
    if start and end:
        return _span(start, end)
    if start:
        return f"{cn_date(start)}起"
    if end:
        return f"{cn_date(end)}前完成"
    return PENDING


def phases(
    schedule: dict[str, Window], start: date | None = None, end: date | None = None
) -> list[Phase]:
    """The five phases with the plan's planned dates (待定 where the plan has none)."""
    out = []
    for i, (name, _stages, work) in enumerate(PHASES):
        first, last = schedule.get(name, (None, None))
        if i == 0 and first is None:
            first = start
        if i == len(PHASES) - 1 and last is None:
            last = end
        out.append(Phase(name, work, _period(first, last), last))
    return out


def deliverables(
    plan_phases: list[Phase], kind: str = "绩效评价", term: str = "评价"
) -> list[tuple[str, str]]:
    """The deliverables with their due dates (planned end of the phase that produces them)."""
    due = {phase.name: cn_date(phase.planned_end) or PENDING for phase in plan_phases}
    return [
        (f"{kind}工作方案", due["前期准备"]),
        (f"{kind}指标体系及评分标准", due["前期准备"]),
        (f"{kind}评分表", due["分析评价"]),
        (f"{kind}报告（征求意见稿）", due["报告撰写"]),
        ("征求意见采纳情况表", due["报告撰写"]),
        (f"{kind}报告（正式稿）", due["报告撰写"]),
        (f"{term}档案", due["资料归档"]),
    ]


def allocate(target: int, strata: list[tuple[str, int]]) -> list[int]:
    """Split `target` over strata in proportion to their populations (largest remainder)."""
    total = sum(pop for _, pop in strata)
    if not strata or total <= 0:
        return [0] * len(strata)
    exact = [Decimal(target) * pop / total for _, pop in strata]
    shares = [int(x) for x in exact]
    order = sorted(range(len(strata)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in order[: target - sum(shares)]:
        shares[i] += 1
    return shares


def sample_plan(inputs: Inputs) -> dict | None:
    """The sample-size calculation n₀ = Z²·p(1−p)/e² with the finite-population correction."""
    if not inputs.has_survey:
        return None
    s = inputs.sample
    z = Decimal(str(z_for(s.confidence))).quantize(CENT, ROUND_HALF_UP)
    n0 = sample_size(margin=s.margin, proportion=s.proportion, z=float(z))
    n = sample_size(margin=s.margin, proportion=s.proportion, z=float(z), population=s.population)
    target = s.target or n
    shares = allocate(target, s.strata)
    return {
        "paragraphs": paragraphs(inputs, "sample"),
        "confidence": f"{(s.confidence * HUNDRED).normalize():f}%",
        "z": f"{z:.2f}",
        "p": f"{s.proportion.normalize():f}",
        "margin": f"{(s.margin * HUNDRED).normalize():f}%",
        "n0": str(n0),
        "population": f"{s.population:,}" if s.population else "",
        "n": str(n),
        "target": str(target),
        "strata": [
            {"name": name, "population": f"{pop:,}", "sample": str(share)}
            for (name, pop), share in zip(s.strata, shares, strict=True)
        ],
    }


def plan_context(inputs: Inputs) -> dict:
    """evaluation_plan.docx: scope, basis, methods, indicator table, sample plan, schedule, team."""
    p = inputs.project
    rows = [dict(r, score="") for r in score_rows(inputs.leaves, standard=True)]
    plan_phases = phases(inputs.plan_schedule, p.planned_start, p.planned_end)
    keys = ("object", "scope", "methods", "standards", "indicators", "quality")
    names = names_for(p.type)
    kind = "事前绩效评估" if p.ex_ante else "绩效评价"
    return {
        "project": project_dict(p) | {"date": cn_date(inputs.plan_date or p.today)},
        "title": f"{p.name}{kind}工作方案",
        "version_label": inputs.label,
        "sections": {key: paragraphs(inputs, key) for key in keys},
        "basis": list_items(inputs.sections.get("basis", "")),
        "score_rows": rows,
        "weight_sum": fmt2(inputs.totals.total_weight),
        "sample_plan": sample_plan(inputs),
        "schedule": [
            {"stage": ph.name, "period": ph.period, "content": names.worded(ph.content)}
            for ph in plan_phases
        ],
        "team": [
            {
                "name": m.name,
                "title": "；".join(part for part in (m.title, m.qualifications) if part) or "—",
                "role": m.role_name,
                "duty": m.duty or "—",
            }
            for m in inputs.team
        ],
        "experts": [
            {
                "name": e.name,
                "title": e.title or "—",
                "organisation": e.organisation or "—",
                "field": e.field or "—",
            }
            for e in inputs.experts
        ],
        "deliverables": [
            {"name": name, "due": due} for name, due in deliverables(plan_phases, kind, names.term)
        ],
    }
