"""How often a library indicator was used and how it scored, read from engagement indicators."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, col, func, select

from workbench.core.errors import DomainError
from workbench.engagements.models import Engagement
from workbench.indicators.models import Indicator
from workbench.library.stats import Distribution, distribution, rate
from workbench.scoring import services as scoring  # a module: the import may cycle back here


@dataclass
class Usage:
    """Engagements that used an indicator (per version) and the score rates they gave it."""

    engagements: int
    by_version: dict[int, int] = field(default_factory=dict)
    rates: list[Decimal] = field(default_factory=list)
    distribution: Distribution = field(default_factory=lambda: distribution([]))


def usage_counts(db: Session, indicator_ids: list[int]) -> dict[int, int]:
    """Number of engagements that used each library indicator, in one query."""
    if not indicator_ids:
        return {}
    rows = db.exec(
        select(Indicator.library_indicator_id, func.count(func.distinct(Indicator.engagement_id)))
        .where(col(Indicator.library_indicator_id).in_(indicator_ids))
        .group_by(Indicator.library_indicator_id)
    ).all()
    return {library_id: count for library_id, count in rows}


def usage(db: Session, *, indicator_id: int) -> Usage:
    """Usage counts and the distribution of score ÷ weight across engagements."""
    rows = db.exec(select(Indicator).where(Indicator.library_indicator_id == indicator_id)).all()
    engagements = {row.engagement_id for row in rows}
    by_version: dict[int, set[int]] = {}
    for row in rows:
        by_version.setdefault(row.library_version or 0, set()).add(row.engagement_id)
    scores = _scores(db, [row for row in rows if not row.not_applicable])
    rates = [
        value
        for row in rows
        if not row.not_applicable and scores.get(row.id) is not None
        for value in [rate(scores[row.id], row.weight)]
        if value is not None
    ]
    return Usage(
        engagements=len(engagements),
        by_version={number: len(ids) for number, ids in sorted(by_version.items())},
        rates=rates,
        distribution=distribution(rates),
    )


def scores_of(db: Session, rows: list[Indicator]) -> dict[int, Decimal | None]:
    """The score of each engagement leaf: computed from its engagement, else the stored one."""
    return _scores(db, rows)


def _scores(db: Session, rows: list[Indicator]) -> dict[int, Decimal | None]:
    stored: dict[int, Decimal | None] = {row.id: row.score for row in rows}
    if not rows:
        return stored
    engagement_ids = sorted({row.engagement_id for row in rows})
    engagements = db.exec(select(Engagement).where(col(Engagement.id).in_(engagement_ids))).all()
    computed: dict[int, Decimal | None] = {}
    for engagement in engagements:
        try:
            computed.update(scoring.leaf_scores(db, engagement))
        except DomainError:
            continue  # an engagement whose tree cannot be scored keeps its stored scores
    return {
        row.id: computed[row.id] if computed.get(row.id) is not None else stored[row.id]
        for row in rows
    }
