"""Working-paper findings as scoring inputs: deductions and judged 评价要点 per indicator.

Only papers at least 已编制 (prepared, reviewed, approved) count; drafts and returned papers do not
move a score. Per indicator the provider returns a `LeafInputs` with
    deductions: (Decimal, ...)          when any deduction finding exists
    elements: ((share, met), ...)       when any 要点 is judged: shares from the 参数,
                                        met replaced for judged 要点 (the lowest if several)
    findings: ({text, paper_index, paper_id, paper_title, paper_status, amount, kind,
                deduction, element, met, money, finding_id, evidence: [{id, name, sha256}]}, ...)
where `amount` is the points lost through that finding (deduction points, or weight × share ×
(1 − met) for a judged 要点; None for an observation).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlmodel import Session, col, select

from workbench.engagements.models import Engagement
from workbench.fieldwork.models import Evidence, Finding, FindingEvidence, WorkingPaper
from workbench.fieldwork.review_rules import COUNTED
from workbench.indicators.models import Indicator
from workbench.scoring.params import ElementsParams, ParamError, parse_params
from workbench.scoring.sources import NO_INPUTS, LeafInputs, leaf_provider, provider

CENT = Decimal("0.01")


def _shares(indicator: Indicator) -> list[tuple[Decimal, Decimal | None]] | None:
    if indicator.rule != "elements":
        return None
    try:
        params = parse_params("elements", indicator.params)
    except ParamError:
        return None
    return list(params.items) if isinstance(params, ElementsParams) else None


def _evidence(db: Session, finding_ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    if not finding_ids:
        return found
    for finding_id, evidence in db.exec(
        select(FindingEvidence.finding_id, Evidence)
        .join(Evidence, col(Evidence.id) == FindingEvidence.evidence_id)
        .where(col(FindingEvidence.finding_id).in_(finding_ids))
        .order_by(col(Evidence.id))
    ).all():
        found.setdefault(finding_id, []).append(
            {"id": evidence.id, "name": evidence.name, "sha256": evidence.sha256}
        )
    return found


@provider
def paper_findings(db: Session, engagement: Engagement) -> dict[int, LeafInputs]:
    """Findings of counted papers, per indicator id, in the scoring override shape (3 queries)."""
    return _paper_findings(db, engagement)


@leaf_provider(paper_findings)
def paper_findings_of(db: Session, engagement: Engagement, indicator: Indicator) -> LeafInputs:
    """One leaf's entry of `paper_findings` (the leaf page; 1 query when it has no findings)."""
    return _paper_findings(db, engagement, leaf=indicator).get(indicator.id, NO_INPUTS)


def _paper_findings(
    db: Session, engagement: Engagement, *, leaf: Indicator | None = None
) -> dict[int, LeafInputs]:
    stmt = (
        select(Finding, WorkingPaper)
        .join(WorkingPaper, col(WorkingPaper.id) == Finding.paper_id)
        .where(
            WorkingPaper.engagement_id == engagement.id,
            col(WorkingPaper.status).in_([s.value for s in COUNTED]),
            col(Finding.indicator_id).is_not(None),
        )
        .order_by(col(WorkingPaper.index_no), col(Finding.id))
    )
    if leaf is not None:
        stmt = stmt.where(Finding.indicator_id == leaf.id)
    rows = db.exec(stmt).all()
    if not rows:
        return {}
    if leaf is not None:
        indicators = {leaf.id: leaf}  # already loaded by the caller
    else:
        indicators = {
            i.id: i
            for i in db.exec(
                select(Indicator).where(
                    col(Indicator.id).in_({finding.indicator_id for finding, _ in rows})
                )
            ).all()
        }
    evidence = _evidence(db, [finding.id for finding, _ in rows])
    out: dict[int, dict[str, Any]] = {}
    judged: dict[int, dict[int, Decimal]] = {}
    for finding, paper in rows:
        indicator = indicators.get(finding.indicator_id)
        if indicator is None:
            continue
        entry = out.setdefault(indicator.id, {"findings": []})
        amount = None
        shares = _shares(indicator) if finding.kind == "element" else None
        if finding.kind == "deduction" and finding.points is not None:
            entry.setdefault("deductions", []).append(finding.points)
            amount = finding.points
        elif (
            shares and finding.met is not None and 1 <= (finding.element_index or 0) <= len(shares)
        ):
            per = judged.setdefault(indicator.id, {})
            index = finding.element_index
            per[index] = min(per.get(index, finding.met), finding.met)
            lost = indicator.weight * shares[index - 1][0] * (1 - finding.met)
            amount = lost.quantize(CENT, rounding=ROUND_HALF_UP)
        entry["findings"].append(
            {
                "finding_id": finding.id,
                "text": finding.text,
                "kind": finding.kind,
                "paper_index": paper.index_no,
                "paper_id": paper.id,
                "paper_title": paper.title,
                "paper_status": paper.status,
                "amount": amount,
                "deduction": finding.points,
                "element": finding.element_index,
                "met": finding.met,
                "money": finding.money,
                "evidence": evidence.get(finding.id, []),
            }
        )
    for indicator_id, per in judged.items():
        shares = _shares(indicators[indicator_id]) or []
        out[indicator_id]["elements"] = [
            (share, per.get(number, met)) for number, (share, met) in enumerate(shares, start=1)
        ]
    return {indicator_id: _inputs(entry) for indicator_id, entry in out.items()}


def _inputs(entry: dict[str, Any]) -> LeafInputs:
    deductions, elements = entry.get("deductions"), entry.get("elements")
    return LeafInputs(
        deductions=None if deductions is None else tuple(deductions),
        elements=None if elements is None else tuple(elements),
        findings=tuple(entry["findings"]),
    )
