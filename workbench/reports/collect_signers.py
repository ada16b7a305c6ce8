"""Who signed what in the app, by name, for the documents' signature lines.

The report's sign-offs as they stand are read here, below the sign-off service
(`reports.services.signoffs`, which writes them): collect and consultation read them, and the
services package imports both."""

from __future__ import annotations

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.engagements.models import Engagement
from workbench.engagements.services import users_by_id
from workbench.indicators.services import get_system
from workbench.reports.models import ReportSignoff
from workbench.scoring.services import signoff_state


def active(db: Session, engagement: Engagement) -> dict[str, ReportSignoff]:
    rows = db.exec(
        select(ReportSignoff)
        .where(
            ReportSignoff.engagement_id == engagement.id, col(ReportSignoff.cleared_at).is_(None)
        )
        .order_by(col(ReportSignoff.id))
    ).all()
    return {row.level: row for row in rows}


def approved(db: Session, engagement: Engagement) -> bool:
    return "approve" in active(db, engagement)


def report_signers(db: Session, engagement: Engagement) -> dict[str, str]:
    """Level (prepare/review/approve) → name of who signed the report in the app (active only)."""
    signed = active(db, engagement)
    names = user_names(db, {row.user_id for row in signed.values()})
    return {level: names.get(row.user_id, "") for level, row in signed.items()}


def user_names(db: Session, ids: set[int | None]) -> dict[int, str]:
    found = users_by_id(db, {i for i in ids if i})
    return {uid: user.display_name for uid, user in found.items()}


def scores_signer(db: Session, engagement: Engagement, *, computed=None) -> User | None:
    """The lead who signed the scores in the app, or None while they are unsigned or the scores
    have moved since (a document names no one under figures they did not sign). `computed` is
    `scoring.services.compute`'s answer when the caller already has it."""
    system = get_system(db, engagement)
    if system is None or system.scores_signed_at is None or not system.scores_signed_by_id:
        return None
    if not signoff_state(db, engagement, system=system, computed=computed).holds:
        return None
    return db.get(User, system.scores_signed_by_id)


def score_signers(db: Session, engagement: Engagement, *, signed: bool) -> dict[str, str]:
    """Names for the score sheet, only where the record holds a sign-off (else a blank line).

    `signed` is the documents' inputs' judgement (`Inputs.scores_signed`: the sign-off holds for
    the scores they were built from), so the tree is not scored again here. The app records one
    sign-off of the scores, the lead's; who scored and who reviewed the score sheet sign on paper.
    """
    system = get_system(db, engagement) if signed else None
    signer = db.get(User, system.scores_signed_by_id) if system is not None else None
    return {
        "scored_by": "",
        "reviewed_by": "",
        "approved_by": signer.display_name if signer else "",
    }
