"""The lead's sign-off of the scores: what it vouches for, whether it still holds, and the signed
figures of many engagements at once.

Signing records the total, the grade and a digest of every leaf's score (`scores_digest`). Edits of
the indicators, actual values and expert scores clear the sign-off where they are made; but a
score also moves when a finding is recorded or a paper approved, survey answers arrive or a linked
fact changes, and those paths do not know about scores. So a sign-off **holds** only while the
scores computed now give the digest that was signed (`Signoff.holds`): otherwise the scoring page
says what changed, the scoring gate asks for a new signature and no document names the signer. A
sign-off recorded before digests were kept cannot be checked and is asked for again.

A list of engagements (the dashboard's Excel list) cannot score every tree; it shows what was
signed, as signed (`signed_scores`, one query however many engagements).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from workbench.engagements.models import Engagement
from workbench.indicators.models import IndicatorSystem
from workbench.scoring.calculator import ScoreResult
from workbench.scoring.values import format_number

if TYPE_CHECKING:
    from workbench.scoring.services import ScoreRow


def scores_digest(result: ScoreResult, rows: Sequence[ScoreRow]) -> str:
    """Every leaf's score (by indicator), the total and the grade: what a signature vouches for."""
    leaves = [(row.indicator.id, str(row.result.score), row.result.not_applicable) for row in rows]
    content = repr((leaves, str(result.total), result.grade)).encode()
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class Signoff:
    """The sign-off as it stands against the scores computed now."""

    signed: bool  # a sign-off is recorded
    holds: bool  # … and the scores now are the ones it signed
    total: Decimal | None = None  # as signed
    grade: str | None = None

    @property
    def stale(self) -> bool:
        return self.signed and not self.holds


def signoff(system: IndicatorSystem | None, digest_now: str) -> Signoff:
    """The system's sign-off judged against the digest of the scores computed now."""
    if system is None or system.scores_signed_at is None:
        return Signoff(False, False)
    holds = system.scores_signed_digest is not None and system.scores_signed_digest == digest_now
    return Signoff(True, holds, system.scores_signed_total, system.scores_signed_grade)


def stale_message(state: Signoff, result: ScoreResult) -> str:
    """评分签字后得分已变化（签字时 85.47 分、良，现为 84.90 分、良），须项目负责人重新签字确认."""
    if state.total is None:
        return "评分签字记录早于签字核对功能，无法核对签字时的得分，须项目负责人重新签字确认"
    now = "—" if result.total is None else format_number(result.total)
    return (
        f"评分签字后得分已变化（签字时 {format_number(state.total)} 分、{state.grade or '未定级'}，"
        f"现为 {now} 分、{result.grade or '未定级'}），须项目负责人重新签字确认"
    )


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
    """Engagement id → the total and grade its lead signed, or UNSIGNED (one query for any
    number). What was signed, as signed: whether it still holds takes scoring each tree."""
    ids = [e.id for e in engagements]
    found = dict.fromkeys(ids, UNSIGNED)
    if not ids:
        return found
    rows = db.exec(
        select(
            IndicatorSystem.engagement_id,
            IndicatorSystem.scores_signed_at,
            IndicatorSystem.scores_signed_total,
            IndicatorSystem.scores_signed_grade,
        ).where(
            col(IndicatorSystem.engagement_id).in_(ids),
            col(IndicatorSystem.scores_signed_at).is_not(None),
        )
    ).all()
    for engagement_id, signed_at, total, grade in rows:
        found[engagement_id] = SignedScore(signed_at=signed_at, total=total, grade=grade)
    return found
