"""Read models: the filtered, paginated paper list and the overdue request items of a user."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, bindparam, exists, or_
from sqlmodel import Session, col, func, select

from workbench.accounts.models import User
from workbench.engagements.models import Engagement, Member, MemberRole
from workbench.engagements.services import users_by_id
from workbench.fieldwork.models import (
    Evidence,
    Finding,
    PaperIndicator,
    PaperSignoff,
    ReviewNote,
    WorkingPaper,
)
from workbench.fieldwork.papers import indicators_by_paper
from workbench.fieldwork.permissions import may_approve, may_review
from workbench.fieldwork.request_models import DocumentRequest, ItemStatus, RequestItem
from workbench.fieldwork.review import active_signoffs
from workbench.fieldwork.review_rules import Level, Status
from workbench.indicators.models import Indicator


@dataclass
class PaperFilters:
    """The list page's filters (all optional)."""

    stage: str = ""
    indicator_id: int | None = None
    status: str = ""
    preparer_id: int | None = None
    mine: bool = False  # assigned to me
    ready: bool = False  # ready for my review or approval
    q: str = ""


@dataclass
class PaperRow:
    paper: WorkingPaper
    indicators: list[Indicator] = field(default_factory=list)
    signers: dict[Level, tuple[User | None, PaperSignoff]] = field(default_factory=dict)
    assignee: User | None = None
    evidence: int = 0
    findings: int = 0
    open_notes: int = 0


def _signed_by(user_id: int, level: Level | None = None):
    cond = [
        PaperSignoff.paper_id == WorkingPaper.id,
        col(PaperSignoff.cleared_at).is_(None),
        PaperSignoff.user_id == user_id,
    ]
    if level is not None:
        cond.append(PaperSignoff.level == level)
    return exists().where(*cond)


def _filtered(engagement: Engagement, user: User, filters: PaperFilters):
    stmt = select(WorkingPaper).where(WorkingPaper.engagement_id == engagement.id)
    if filters.stage:
        stmt = stmt.where(WorkingPaper.stage == filters.stage)
    if filters.status:
        stmt = stmt.where(WorkingPaper.status == filters.status)
    if filters.indicator_id:
        stmt = stmt.where(
            exists().where(
                PaperIndicator.paper_id == WorkingPaper.id,
                PaperIndicator.indicator_id == filters.indicator_id,
            )
        )
    if filters.preparer_id:
        stmt = stmt.where(_signed_by(filters.preparer_id, Level.prepare))
    if filters.mine:
        stmt = stmt.where(WorkingPaper.assignee_id == user.id)
    if filters.ready:
        options = []
        if may_review(user, engagement):
            options.append((WorkingPaper.status == Status.prepared) & ~_signed_by(user.id))
        if may_approve(user, engagement):
            options.append((WorkingPaper.status == Status.reviewed) & ~_signed_by(user.id))
        stmt = stmt.where(or_(*options)) if options else stmt.where(col(WorkingPaper.id) < 0)
    if filters.q.strip():
        like = f"%{filters.q.strip()}%"
        stmt = stmt.where(
            or_(col(WorkingPaper.title).ilike(like), col(WorkingPaper.index_no).ilike(like))
        )
    return stmt


def _counts(db: Session, model, paper_ids: list[int], *where) -> dict[int, int]:
    if not paper_ids:
        return {}
    rows = db.exec(
        select(model.paper_id, func.count())
        .where(col(model.paper_id).in_(paper_ids), *where)
        .group_by(model.paper_id)
    ).all()
    return dict(rows)


def list_papers(
    db: Session,
    *,
    engagement: Engagement,
    user: User,
    filters: PaperFilters,
    page: int = 1,
    per_page: int | None = 20,
) -> tuple[list[PaperRow], int]:
    """A page of papers (filtered in the database) with their indicators, signers and counts;
    every paper at once when `per_page` is None (the Excel index)."""
    stmt = _filtered(engagement, user, filters)
    # "D-03" sorts stages in flowchart order (letters) and areas; then the numeric sequence.
    ordered = stmt.order_by(func.substr(WorkingPaper.index_no, 1, 4), col(WorkingPaper.seq))
    if per_page is None:  # every paper is read, so no count is needed
        papers = db.exec(ordered).all()
        total = len(papers)
    else:
        total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
        papers = db.exec(ordered.offset((page - 1) * per_page).limit(per_page)).all()
    return paper_rows(db, list(papers)), total


def filtered_query(*, engagement: Engagement, user: User, filters: PaperFilters):
    """A select of the engagement's papers the filters keep, unordered (the API pages it by id)."""
    return _filtered(engagement, user, filters)


def paper_rows(db: Session, papers: list[WorkingPaper]) -> list[PaperRow]:
    """The papers with their indicators, signers and counts (a fixed number of queries)."""
    ids = [p.id for p in papers]
    links = indicators_by_paper(db, ids)
    signoffs = active_signoffs(db, ids)
    people = users_by_id(
        db,
        {s.user_id for by_level in signoffs.values() for s in by_level.values()}
        | {p.assignee_id for p in papers if p.assignee_id},
    )
    evidence = _counts(db, Evidence, ids)
    findings = _counts(db, Finding, ids)
    notes = _counts(
        db, ReviewNote, ids, col(ReviewNote.parent_id).is_(None), ReviewNote.status == "open"
    )
    rows = [
        PaperRow(
            paper=p,
            indicators=links[p.id],
            signers={lvl: (people.get(s.user_id), s) for lvl, s in signoffs[p.id].items()},
            assignee=people.get(p.assignee_id) if p.assignee_id else None,
            evidence=evidence.get(p.id, 0),
            findings=findings.get(p.id, 0),
            open_notes=notes.get(p.id, 0),
        )
        for p in papers
    ]
    return rows


TEAM_ROLES = (MemberRole.lead, MemberRole.evaluator, MemberRole.reviewer)


class OverdueItem(NamedTuple):
    """One line of the home page's overdue panel: the item and where it links to."""

    item_id: int
    name: str
    due_date: date
    request_id: int
    request_title: str
    engagement_id: int
    engagement_title: str


@cache
def _overdue_statement(scope: str) -> Select:
    """The panel's query for one kind of reader, built once; the user and date are parameters.

    The panel is on every home page view, and building a statement of this size and hashing it
    for SQLAlchemy's compiled cache costs more CPU than running it, so the three shapes are kept
    (a built statement is immutable, safe to share between threads).
    """
    member = exists().where(
        Member.engagement_id == Engagement.id,
        Member.user_id == bindparam("user_id"),
        col(Member.role).in_(TEAM_ROLES),
    )
    where = {
        "team": member,
        "admin": or_(member, Engagement.agency_id == bindparam("org_id")),
        "unit": (DocumentRequest.contact_user_id == bindparam("user_id"))
        & col(DocumentRequest.sent_at).is_not(None),
    }[scope]
    # Plain columns, not entity triples: nothing to hydrate and no selectin of the engagement's
    # members. The total is a window over the whole match (computed before LIMIT), so the count
    # and the first rows come back in one round trip.
    return (
        select(
            RequestItem.id,
            RequestItem.name,
            RequestItem.due_date,
            DocumentRequest.id,
            DocumentRequest.title,
            Engagement.id,
            Engagement.title,
            func.count().over(),
        )
        .join(DocumentRequest, col(DocumentRequest.id) == RequestItem.request_id)
        .join(Engagement, col(Engagement.id) == DocumentRequest.engagement_id)
        .where(
            RequestItem.status == ItemStatus.requested,
            col(RequestItem.due_date) < bindparam("today"),
            col(Engagement.archived_at).is_(None),
            where,
        )
        .order_by(col(RequestItem.due_date), col(RequestItem.id))
        .limit(bindparam("limit"))
    )


def overdue_items(
    db: Session, *, user: User, today: date, limit: int = 10
) -> tuple[list[OverdueItem], int]:
    """Requested items past their due date that the user follows up (team) or must answer (unit)."""
    if user.is_agency:
        scope = "admin" if user.is_admin else "team"
    elif user.is_unit:
        scope = "unit"
    else:
        return [], 0
    params = {"user_id": user.id, "org_id": user.org_id, "today": today, "limit": limit}
    rows = db.exec(_overdue_statement(scope), params=params).all()
    if not rows:  # with limit ≥ 1, no rows means nothing matched: the total is 0
        return [], 0
    return [OverdueItem(*row[:-1]) for row in rows], rows[0][-1]
