"""The `fieldwork` stage gate: papers approved for every indicator, no drafts, every item answered.

- every applicable leaf indicator is judged by at least one approved paper: the paper records a
  finding for it (a checked point, a value, a deduction or a judged 评价要点), not merely lists it
  (leaves fed by the satisfaction survey are left to the survey stage, which comes after fieldwork);
- no paper of fieldwork or an earlier stage is a draft or returned (survey and report papers are
  written later and are checked by their own stages);
- every document request item is received, or waived with a reason;
- at least one paper exists.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, bindparam
from sqlmodel import Session, col, select

from workbench.engagements.models import Engagement
from workbench.engagements.stages import ORDER, Blocker, Stage, registry
from workbench.fieldwork import stage_papers  # noqa: F401  (registers each stage's paper items)
from workbench.fieldwork.models import Finding, PaperIndicator, WorkingPaper
from workbench.fieldwork.request_models import DocumentRequest, ItemStatus, RequestItem
from workbench.fieldwork.review_rules import STATUS_NAMES, UNFINISHED, Status
from workbench.indicators.models import Indicator

SHOWN = 10  # blockers listed one by one per kind; the rest are summarised
_UP_TO_FIELDWORK = [s.value for s in ORDER[: ORDER.index(Stage.fieldwork) + 1]]


def _capped(blockers: list[Blocker], what: str, link: str) -> list[Blocker]:
    if len(blockers) <= SHOWN:
        return blockers
    rest = len(blockers) - SHOWN
    return blockers[:SHOWN] + [Blocker(f"……另有 {rest} 项{what}", link)]


def survey_fed(indicator) -> bool:
    """An indicator (or a row with `rule` and `survey_link`) scored from a survey."""
    return indicator.rule == "satisfaction" or bool(indicator.survey_link)


@cache
def _queries() -> tuple[Select, Select, Select]:
    """The gate's three queries, built once (the flowchart runs them on every view); the
    engagement is a parameter. Building and hashing statements costs more than running them."""
    engagement_id = bindparam("engagement_id")
    papers = (
        select(
            WorkingPaper.id,
            WorkingPaper.index_no,
            WorkingPaper.title,
            WorkingPaper.status,
            WorkingPaper.stage,
        )
        .where(WorkingPaper.engagement_id == engagement_id)
        .order_by(col(WorkingPaper.index_no))
    )
    listed = (  # an approved paper lists the leaf
        select(PaperIndicator.indicator_id)
        .join(WorkingPaper, col(WorkingPaper.id) == PaperIndicator.paper_id)
        .where(
            PaperIndicator.indicator_id == Indicator.id,
            WorkingPaper.engagement_id == engagement_id,
            WorkingPaper.status == Status.approved,
        )
        .exists()
    )
    judged = (  # an approved paper records a finding for the leaf
        select(Finding.indicator_id)
        .join(WorkingPaper, col(WorkingPaper.id) == Finding.paper_id)
        .where(
            Finding.indicator_id == Indicator.id,
            WorkingPaper.engagement_id == engagement_id,
            WorkingPaper.status == Status.approved,
        )
        .exists()
    )
    unsupported = (  # only leaves no approved paper judges, only the columns shown
        select(
            Indicator.id,
            Indicator.level1,
            Indicator.level2,
            Indicator.name,
            Indicator.rule,
            Indicator.survey_link,
            listed.label("listed"),
        )
        .where(
            Indicator.engagement_id == engagement_id,
            col(Indicator.not_applicable).is_(False),
            ~judged,
        )
        .order_by(col(Indicator.position), col(Indicator.id))
    )
    items = (  # only items that can block, and only the columns the message needs
        select(
            RequestItem.name,
            RequestItem.status,
            RequestItem.waive_reason,
            DocumentRequest.id,
            DocumentRequest.title,
        )
        .join(DocumentRequest, col(DocumentRequest.id) == RequestItem.request_id)
        .where(
            DocumentRequest.engagement_id == engagement_id,
            col(RequestItem.status).in_([ItemStatus.requested, ItemStatus.waived]),
        )
        .order_by(col(DocumentRequest.id), col(RequestItem.position))
    )
    return papers, unsupported, items


@registry.gate(Stage.fieldwork)
def fieldwork_gate(db: Session, engagement: Engagement) -> list[Blocker]:
    """What keeps the fieldwork stage from being completed."""
    base = f"/engagements/{engagement.id}"
    papers_query, unsupported_query, items_query = _queries()
    params = {"engagement_id": engagement.id}
    papers = db.exec(papers_query, params=params).all()
    found: list[Blocker] = []
    if not papers:
        found.append(Blocker("尚未编制任何工作底稿", f"{base}/papers"))
    unsupported = db.exec(unsupported_query, params=params).all()
    missing = [
        Blocker(
            f"指标“{leaf.level1}/{leaf.level2}/{leaf.name}”"
            + (
                "虽列入已批准的底稿，但底稿未对其作出判断（须为该指标记录核查发现、数值或要点判断）"
                if leaf.listed
                else "尚无已批准的工作底稿对其作出判断"
            ),
            f"{base}/papers?indicator_id={leaf.id}",
        )
        for leaf in unsupported
        if not survey_fed(leaf)
    ]
    found += _capped(missing, "指标缺少已批准底稿", f"{base}/papers")
    unfinished = [
        Blocker(
            f"底稿 {index_no} {title}：{STATUS_NAMES[Status(status)]}，须完成编制和复核",
            f"{base}/papers/{paper_id}",
        )
        for paper_id, index_no, title, status, stage in papers
        if status in UNFINISHED and stage in _UP_TO_FIELDWORK
    ]
    found += _capped(unfinished, "底稿未完成", f"{base}/papers")
    items = db.exec(items_query, params=params).all()
    open_items = [
        Blocker(
            f"资料清单“{request_title}”中的“{name}”尚未收到，须收到或说明原因后免于提供",
            f"{base}/requests/{request_id}",
        )
        for name, status, waive_reason, request_id, request_title in items
        # a waiver needs its reason (blank in any script's spaces counts as none)
        if status == ItemStatus.requested or not waive_reason.strip()
    ]
    found += _capped(open_items, "资料未收到", f"{base}/requests")
    return found
