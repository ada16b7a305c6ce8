"""自评复核: the gap between the unit's self-score and the review score, and when it is flagged (pure).

The threshold is on the 100-point total (default 10, set by the outline profile). An indicator is
flagged when its gap exceeds the same share of its own weight (weight × threshold ÷ 100: a
10-point indicator above 1 point); the total when its gap, scaled to 100 points over the
applicable weights, exceeds the threshold. Every flagged gap needs a written explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

DEFAULT_THRESHOLD = Decimal("10")


@dataclass(frozen=True)
class Gap:
    """Review score − self-score (None while either is missing), its limit, and whether over it."""

    gap: Decimal | None
    limit: Decimal
    flagged: bool


def indicator_gap(
    *, weight: Decimal, self_score: Decimal | None, review: Decimal | None, threshold: Decimal
) -> Gap:
    """One indicator's gap against weight × threshold ÷ 100."""
    limit = weight * threshold / 100
    if self_score is None or review is None:
        return Gap(None, limit, False)
    gap = review - self_score
    return Gap(gap, limit, abs(gap) > limit)


def total_gap(
    *, self_sum: Decimal, review_sum: Decimal, weight: Decimal, threshold: Decimal
) -> Gap:
    """The totals' gap; flagged when, scaled to 100 over the applicable weights, over threshold."""
    gap = review_sum - self_sum
    scaled = gap * 100 / weight if weight else gap
    return Gap(gap, threshold, abs(scaled) > threshold)
