"""Read models of the fieldwork pages: everything the paper page shows, gathered in a few queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.engagements.models import Engagement
from workbench.engagements.services import users_by_id
from workbench.fieldwork.evidence import evidence_of
from workbench.fieldwork.findings import element_count, findings_of
from workbench.fieldwork.models import Evidence, Finding, PaperSignoff, WorkingPaper
from workbench.fieldwork.papers import indicators_by_paper, paper_fields
from workbench.fieldwork.permissions import can_write, may_approve, may_review
from workbench.fieldwork.request_models import DocumentRequest
from workbench.fieldwork.requests import items_of
from workbench.fieldwork.review import NoteThread, current_hash, threads
from workbench.fieldwork.review_rules import (
    LEVELS,
    SIGNER_NAMES,
    Level,
    Refusal,
    Status,
    return_refusal,
    sign_refusal,
)
from workbench.fieldwork.spec import FieldSpec
from workbench.fieldwork.values import missing_required, show, table_view
from workbench.indicators.models import Indicator


@dataclass
class FieldView:
    spec: FieldSpec
    text: str = ""
    table: dict[str, Any] | None = None


@dataclass
class PaperPage:
    paper: WorkingPaper
    fields: list[FieldView]
    indicators: list[Indicator]
    findings: list[tuple[Finding, list[Evidence]]]
    evidence: list[Evidence]
    signoffs: dict[Level, PaperSignoff]
    history: list[PaperSignoff]
    threads: list[NoteThread]
    people: dict[int, User]
    content_hash: str
    refusals: dict[Level, Refusal | None] = field(default_factory=dict)
    may_return: bool = False
    writable: bool = False
    requests: list[tuple[DocumentRequest, list]] = field(default_factory=list)
    element_counts: dict[int, int | None] = field(default_factory=dict)
    stale: set[Level] = field(default_factory=set)  # signed over content changed since

    @property
    def resign_level(self) -> Level | None:
        """A stale level the user may sign again now (the holder confirming the edited paper)."""
        for level in LEVELS:
            if level in self.stale and self.refusals.get(level) is None:
                return level
        return None

    @property
    def clears_on_edit(self) -> list[str]:
        """「张三（复核人）」… : whose signatures an edit of the paper would clear."""
        return [
            f"{self.people[s.user_id].display_name if s.user_id in self.people else ''}"
            f"（{SIGNER_NAMES[level]}）"
            for level, s in self.signoffs.items()
            if level != Level.prepare
        ]

    @property
    def next_level(self) -> Level | None:
        """The level the paper waits for, given its status."""
        return {
            Status.draft: Level.prepare,
            Status.returned: Level.prepare,
            Status.prepared: Level.review,
            Status.reviewed: Level.approve,
        }.get(Status(self.paper.status))


def paper_page(
    db: Session, *, engagement: Engagement, paper: WorkingPaper, user: User
) -> PaperPage:
    """The paper page: fields, indicators, findings, evidence, sign-offs and notes."""
    specs = paper_fields(paper)
    views = [
        FieldView(spec, table=table_view(spec, paper.values.get(spec.key) or []))
        if spec.type == "table"
        else FieldView(spec, text=show(spec, paper.values.get(spec.key)))
        for spec in specs
    ]
    all_signoffs = db.exec(
        select(PaperSignoff).where(PaperSignoff.paper_id == paper.id).order_by(col(PaperSignoff.id))
    ).all()
    active = {Level(s.level): s for s in all_signoffs if s.cleared_at is None}
    notes = threads(db, paper.id)
    people = users_by_id(
        db,
        {s.user_id for s in all_signoffs}
        | {n.note.author_id for n in notes}
        | {r.author_id for n in notes for r in n.replies}
        | {paper.assignee_id or 0, paper.created_by_id or 0},
    )
    writable = can_write(user, engagement) and not engagement.is_archived
    open_notes = sum(1 for t in notes if t.note.status == "open")
    signers = {lvl: s.user_id for lvl, s in active.items()}
    content_hash = current_hash(db, paper)
    stale = {lvl for lvl, s in active.items() if s.content_hash != content_hash}
    refusals = {
        level: sign_refusal(
            level=level,
            stale=stale,
            status=Status(paper.status),
            signers=signers,
            user_id=user.id,
            may_review=may_review(user, engagement),
            may_approve=may_approve(user, engagement),
            missing=missing_required(specs, paper.values) if level == Level.prepare else (),
            open_notes=open_notes,
        )
        for level in LEVELS
    }
    requests = db.exec(
        select(DocumentRequest)
        .where(
            (col(DocumentRequest.paper_id) == paper.id)
            | (col(DocumentRequest.receipt_paper_id) == paper.id)
        )
        .order_by(col(DocumentRequest.id))
    ).all()
    items = items_of(db, [r.id for r in requests])
    indicators = indicators_by_paper(db, [paper.id])[paper.id]
    return PaperPage(
        paper=paper,
        fields=views,
        indicators=indicators,
        findings=findings_of(db, paper.id),
        evidence=evidence_of(db, engagement=engagement, paper_id=paper.id),
        signoffs=active,
        history=[s for s in all_signoffs if s.cleared_at is not None],
        threads=notes,
        people=people,
        content_hash=content_hash,
        stale=stale,
        refusals=refusals,
        may_return=writable
        and return_refusal(
            status=Status(paper.status), may_review=may_review(user, engagement), reason="x"
        )
        is None,
        writable=writable,
        requests=[(r, items[r.id]) for r in requests],
        element_counts={i.id: element_count(i) for i in indicators if i.rule == "elements"},
    )
