"""evaluation_report.docx along an outline profile: chapters in the profile's order (pure).

The self-review table compares the unit's self-score with the review score per indicator and in
total. The threshold is on the 100-point total (default 10); an indicator is flagged when its gap
exceeds the same share of its own weight (weight × threshold ÷ 100), so a 10-point indicator is
flagged above 1 point. Every flagged indicator needs a written explanation, and so does a flagged
total (the profile's ``gap_analysis`` section); otherwise generation is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workbench.reports import outlines
from workbench.reports import sections as text
from workbench.reports.context import (
    Inputs,
    LeafRow,
    closing_dict,
    fmt2,
    paragraphs,
    project_dict,
    score_rows,
    totals_dict,
)
from workbench.reports.context_report import (
    _generated_goals,
    _generated_method,
    _generated_overview,
    _generated_process,
    level1_analysis,
    survey_dict,
)
from workbench.reports.survey_appendix import appendix_context
from workbench.scoring import self_gaps as gaps

FLAG = "※"


@dataclass(frozen=True)
class SelfScore:
    """The unit's self-score of one indicator and the explanation of its gap."""

    score: Decimal | None
    note: str = ""


Path = tuple[str, str, str]


def _path(leaf: LeafRow) -> Path:
    return (leaf.level1, leaf.level2, leaf.name)


def self_review(
    leaves: list[LeafRow], self_scores: dict[Path, SelfScore], threshold: Decimal
) -> dict:
    """Rows of 自评/复核/差异 per applicable indicator and the totals, gaps over the threshold flagged."""
    rows, self_sum, review_sum, weight = [], Decimal(0), Decimal(0), Decimal(0)
    for leaf in leaves:
        if leaf.not_applicable:
            continue
        own = self_scores.get(_path(leaf), SelfScore(None))
        found = gaps.indicator_gap(
            weight=leaf.weight, self_score=own.score, review=leaf.score, threshold=threshold
        )
        self_sum += own.score or 0
        review_sum += leaf.score or 0
        weight += leaf.weight
        rows.append(
            {
                "level1": leaf.level1,
                "level2": leaf.level2,
                "name": leaf.name,
                "weight": fmt2(leaf.weight),
                "self_score": fmt2(own.score, "未自评"),
                "score": fmt2(leaf.score, "未评分"),
                "gap": _signed(found.gap, found.flagged),
                "flagged": found.flagged,
                "note": own.note if found.flagged else "",
                "missing_note": found.flagged and not own.note.strip(),
                "limit": fmt2(found.limit),
                "self_missing": own.score is None,
            }
        )
    total = gaps.total_gap(
        self_sum=self_sum, review_sum=review_sum, weight=weight, threshold=threshold
    )
    return {
        "rows": rows,
        "self_sum": fmt2(self_sum),
        "review_sum": fmt2(review_sum),
        "gap": _signed(total.gap, total.flagged),
        "flagged": total.flagged,
        "threshold": f"{threshold.normalize():f}",
        "complete": not any(r["self_missing"] for r in rows),
    }


def _signed(gap: Decimal | None, flagged: bool) -> str:
    return "—" if gap is None else f"{gap:+.2f}" + (FLAG if flagged else "")


def missing(
    inputs: Inputs,
    profile: outlines.Profile,
    self_scores: dict[Path, SelfScore] | None = None,
) -> list[str]:
    """What the profile requires that the record does not hold (generation is refused)."""
    out = []
    sections = {s.key: s for s in outlines.drafting_sections(profile, [])}
    for item in profile.sections:
        if item.required and not paragraphs(inputs, item.key):
            out.append(f"{sections[item.key].chapter}{sections[item.key].heading}：尚未撰写")
    p = inputs.project
    for key in profile.required_facts:
        value = getattr(p, key, None)
        if value is None or value == "":
            out.append(f"基本信息“{outlines.FACTS[key]}”尚未填写")
    if profile.gap_threshold is not None:
        table = self_review(inputs.leaves, self_scores or {}, profile.gap_threshold)
        if not table["complete"]:
            out.append("自评得分：尚有指标未录入单位自评得分")
        out += [
            f"“{r['name']}”自评与复核得分差异{r['gap']}分，超过{r['limit']}分，须说明原因"
            for r in table["rows"]
            if r["missing_note"]
        ]
        if table["flagged"] and not paragraphs(inputs, "gap_analysis"):
            out.append(
                f"自评与复核总分差异{table['gap']}分，超过{table['threshold']}分，"
                "须在“差异情况及原因”中说明"
            )
    return out


def _score_table_number(profile: outlines.Profile) -> int:
    """Tables are numbered in document order; the score table's number (表n)."""
    blocks = [i.block for c in profile.chapters for i in c.items if i.block in _TABLES]
    return blocks.index("score_table") + 1 if "score_table" in blocks else 1


_TABLES = ("score_table", "self_review_table")


def _generated(inputs: Inputs, kind: str, term: str, table: str = "表1") -> list[str]:
    if kind == "overview":
        return _generated_overview(inputs.project)
    if kind == "goals":
        return _generated_goals(inputs.leaves)
    if kind == "methodology":
        return _generated_method(inputs.leaves, inputs.totals, table)
    if kind == "process":
        return _generated_process(inputs.visits, inputs.papers, term)
    return []


def report_context(
    inputs: Inputs,
    charts: list[dict],
    profile: outlines.Profile,
    self_scores: dict[Path, SelfScore] | None = None,
) -> dict:
    """evaluation_report.docx: ``outline`` lists the chapters with their items in order."""
    p = inputs.project
    review = profile.engagement_type == "self_eval_review"
    term = "复核" if review else "评价"
    analysis = level1_analysis(inputs)
    tables = 0
    chapters = []
    for number, chapter in enumerate(profile.chapters, start=1):
        items, sub = [], 0
        for item in chapter.items:
            if item.key:
                heading = ""
                if item.heading:
                    sub += 1
                    heading = f"（{text.cn(sub)}）{item.heading}"
                table = f"表{_score_table_number(profile)}"
                body = _generated(inputs, item.generated, term, table) + paragraphs(
                    inputs, item.key
                )
                items.append(
                    {"kind": "text", "key": item.key, "heading": heading, "paragraphs": body}
                )
            elif item.block == "level1_analysis":
                for l1 in analysis:
                    sub += 1
                    items.append({"kind": "level1", "heading": f"（{text.cn(sub)}）{l1['name']}"
                                  "指标分析", "l1": l1})  # fmt: skip
            else:
                tables += 1
                items.append({"kind": item.block, "caption": f"表{tables}"})
        chapters.append({"title": f"{text.cn(number)}、{chapter.title}", "contents": items})
    # The last chapter's own text stays with the closing block on one page.
    tail: list[str] = []
    last = chapters[-1]["contents"] if chapters else []
    if last and last[-1]["kind"] == "text" and not last[-1]["heading"]:
        tail = last.pop()["paragraphs"]
    threshold = profile.gap_threshold or outlines.DEFAULT_GAP_THRESHOLD
    return {
        "project": project_dict(p),
        "title": f"{p.name}{profile.document_title}",
        "version_label": inputs.label,
        "outline": chapters,
        "closing_tail": tail,
        "term": term,
        "score_rows": score_rows(inputs.leaves),
        **totals_dict(inputs.totals, inputs.leaves),
        "self_review": self_review(inputs.leaves, self_scores or {}, threshold)
        if profile.gap_threshold is not None
        else None,
        "charts": charts,
        "survey": survey_dict(inputs.survey),
        "survey_appendix": appendix_context(inputs.survey_appendix, inputs.planned_sample),
        "appendix_table": tables + 1,
        "closing": closing_dict(inputs),
    }
