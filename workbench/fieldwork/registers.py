"""Engagement-wide registers kept in Excel today: the findings list (问题清单) and the requested
items of every document request (资料清单), each read in a fixed, small number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from workbench.accounts.models import User
from workbench.engagements.models import Engagement
from workbench.engagements.services import users_by_id
from workbench.fieldwork.findings import KIND_NAMES, FindingKind
from workbench.fieldwork.models import Evidence, Finding, FindingEvidence, WorkingPaper
from workbench.fieldwork.request_models import DocumentRequest, RequestItem
from workbench.fieldwork.requests import items_of, list_requests
from workbench.indicators.models import Indicator


@dataclass(frozen=True)
class FindingRow:
    """One finding with the paper it was recorded on, its indicator, recorder and evidence count."""

    finding: Finding
    paper_id: int
    index_no: str
    paper_title: str
    indicator: Indicator | None
    recorder: User | None
    evidence: int

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[FindingKind(self.finding.kind)]

    @property
    def indicator_path(self) -> str:
        i = self.indicator
        return f"{i.level1}/{i.level2}/{i.name}" if i else ""


def list_findings(db: Session, *, engagement: Engagement) -> list[FindingRow]:
    """Every finding of the engagement's papers, in paper index order then recording order
    (three queries: findings with their paper and evidence count, indicators, recorders)."""
    linked = (
        select(func.count())
        .where(FindingEvidence.finding_id == Finding.id)
        .correlate(Finding)
        .scalar_subquery()
    )
    # The paper's columns only: its JSON values and spec are not needed for the list.
    rows = db.exec(
        select(Finding, WorkingPaper.index_no, WorkingPaper.title, linked)
        .join(WorkingPaper, col(WorkingPaper.id) == Finding.paper_id)
        .where(WorkingPaper.engagement_id == engagement.id)
        # As the papers list: stage letter and area ("D-03"), then the numeric sequence.
        .order_by(func.substr(WorkingPaper.index_no, 1, 4), col(WorkingPaper.seq), col(Finding.id))
    ).all()
    wanted = {f.indicator_id for f, *_ in rows if f.indicator_id}
    found = (
        {i.id: i for i in db.exec(select(Indicator).where(col(Indicator.id).in_(wanted))).all()}
        if wanted
        else {}
    )
    people = users_by_id(db, {f.created_by_id for f, *_ in rows if f.created_by_id})
    return [
        FindingRow(
            finding=f,
            paper_id=f.paper_id,
            index_no=index_no,
            paper_title=title,
            indicator=found.get(f.indicator_id) if f.indicator_id else None,
            recorder=people.get(f.created_by_id) if f.created_by_id else None,
            evidence=count,
        )
        for f, index_no, title, count in rows
    ]


@dataclass(frozen=True)
class PaperRef:
    """A paper a request is recorded on or files its receipts to, as the request page names it."""

    id: int
    index_no: str
    title: str

    @property
    def label(self) -> str:
        return f"{self.index_no} {self.title}"


@dataclass(frozen=True)
class ItemRow:
    """One requested item with its request, what has come in for it and the request's papers."""

    request: DocumentRequest
    number: int  # the item's place in its request, as the request page numbers it
    item: RequestItem
    contact: User | None
    files: int
    last_upload: datetime | None
    paper: PaperRef | None
    receipt_paper: PaperRef | None


def list_request_items(db: Session, *, engagement: Engagement, user: User) -> list[ItemRow]:
    """Every item of the requests the user sees on the requests page (a unit contact: those sent
    to them), request by request in the page's order (five queries)."""
    requests = list_requests(db, engagement=engagement, user=user)
    items = items_of(db, [r.id for r in requests])
    item_ids = [i.id for its in items.values() for i in its]
    uploads: dict[int, tuple[int, datetime]] = {}
    if item_ids:
        uploads = {
            item_id: (count, last)
            for item_id, count, last in db.exec(
                select(Evidence.request_item_id, func.count(), func.max(Evidence.created_at))
                .where(col(Evidence.request_item_id).in_(item_ids))
                .group_by(col(Evidence.request_item_id))
            ).all()
        }
    paper_ids = {p for r in requests for p in (r.paper_id, r.receipt_paper_id) if p}
    papers = (
        {
            pid: PaperRef(pid, index_no, title)
            for pid, index_no, title in db.exec(
                select(WorkingPaper.id, WorkingPaper.index_no, WorkingPaper.title).where(
                    col(WorkingPaper.id).in_(paper_ids)
                )
            ).all()
        }
        if paper_ids
        else {}
    )
    people = users_by_id(db, {r.contact_user_id for r in requests if r.contact_user_id})
    return [
        ItemRow(
            request=r,
            number=number,
            item=item,
            contact=people.get(r.contact_user_id) if r.contact_user_id else None,
            files=uploads.get(item.id, (0, None))[0],
            last_upload=uploads.get(item.id, (0, None))[1],
            paper=papers.get(r.paper_id) if r.paper_id else None,
            receipt_paper=papers.get(r.receipt_paper_id) if r.receipt_paper_id else None,
        )
        for r in requests
        for number, item in enumerate(items[r.id], start=1)
    ]
