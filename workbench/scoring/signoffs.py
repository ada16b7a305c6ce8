"""The lead's signed scores of many engagements at once, as the sign-off recorded them.

A list of engagements (the dashboard's Excel list) cannot score every tree: that is a dozen queries
and the calculator per engagement. It does not need to: `services.sign` records the total and the
grade it signed in its audit entry (`scoring.sign`), and any later change of the scores clears the
sign-off, so while a sign-off holds, its entry's figures are the engagement's scores. Unsigned
engagements get no figure at all: a number nobody signed is not a result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, col, func, select

from workbench.core.audit import AuditEntry
from workbench.engagements.models import Engagement
from workbench.indicators.models import IndicatorSystem


@dataclass(frozen=True)
class SignedScore:
    """An engagement's scores as the lead signed them; all None while they are not signed."""

    signed_at: datetime | None = None
    total: Decimal | None = None
    grade: str | None = None

    @property
    def signed(self) -> bool:
        return self.signed_at is not None


UNSIGNED = SignedScore()


def signed_scores(db: Session, engagements: Iterable[Engagement]) -> dict[int, SignedScore]:
    """Engagement id → its signed total and grade, or UNSIGNED (two queries for any number)."""
    ids = [e.id for e in engagements]
    found = dict.fromkeys(ids, UNSIGNED)
    if not ids:
        return found
    signed = dict(
        db.exec(
            select(IndicatorSystem.engagement_id, IndicatorSystem.scores_signed_at).where(
                col(IndicatorSystem.engagement_id).in_(ids),
                col(IndicatorSystem.scores_signed_at).is_not(None),
            )
        ).all()
    )
    if not signed:
        return found
    # The latest sign-off entry of each: an earlier one was cleared before this one was made.
    latest = (
        select(func.max(AuditEntry.id))
        .where(AuditEntry.action == "scoring.sign", col(AuditEntry.engagement_id).in_(signed))
        .group_by(AuditEntry.engagement_id)
    )
    figures = {
        entry.engagement_id: entry.after or {}
        for entry in db.exec(select(AuditEntry).where(col(AuditEntry.id).in_(latest))).all()
    }
    for engagement_id, signed_at in signed.items():
        after = figures.get(engagement_id, {})  # no entry: signed, with no figure to show
        total = after.get("total")
        found[engagement_id] = SignedScore(
            signed_at=signed_at,
            total=Decimal(total) if total is not None else None,
            grade=after.get("grade"),
        )
    return found
