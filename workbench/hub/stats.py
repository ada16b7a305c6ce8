"""Shared comparison: a member's anonymised usage sums, and the hub's combined figures shown here.

The member sends, per library indicator, year (budget year), sector and region, only counts and
sums (rules.contributions); engagement names, codes, units and ids never leave. The hub answers
groups of at least the minimum size; they are kept here (HubStatCache) so the library and
engagement pages show them while the hub is away.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session, col, delete, select

from workbench.engagements.models import Engagement
from workbench.hub import rules
from workbench.hub.client import HubClient
from workbench.hub.models import HubConnection, HubLink, HubStatCache
from workbench.hub.schemas import StatRow, StatsBody
from workbench.indicators.models import Indicator
from workbench.library.models import LibraryIndicator
from workbench.library.services import CUSTOM_PREFIX, usage
from workbench.library.stats import rate

UNSORTED = "综合"


def hub_keys(db: Session, *, connection: HubConnection, indicator_ids: list[int]) -> dict[int, str]:
    """The name each library indicator has at the hub: its hub item, else its shipped pack key."""
    if not indicator_ids:
        return {}
    links = {
        link.indicator_id: f"hub:{link.hub_item_id}"
        for link in db.exec(
            select(HubLink).where(
                HubLink.connection_id == connection.id, col(HubLink.indicator_id).in_(indicator_ids)
            )
        )
    }
    rows = db.exec(
        select(LibraryIndicator.id, LibraryIndicator.key, LibraryIndicator.pack_key).where(
            col(LibraryIndicator.id).in_(indicator_ids)
        )
    ).all()
    found = {}
    for row_id, key, pack_key in rows:
        if row_id in links:
            found[row_id] = links[row_id]
        elif pack_key and pack_key != CUSTOM_PREFIX:
            found[row_id] = key  # shipped packs carry the same keys on every instance
    return found


def observations(db: Session, *, connection: HubConnection) -> list[rules.Observation]:
    """Each of the agency's engagements' uses of a library indicator known at the hub."""
    rows = list(
        db.exec(
            select(Indicator)
            .join(Engagement, col(Engagement.id) == Indicator.engagement_id)
            .where(
                Engagement.agency_id == connection.org_id,
                col(Indicator.library_indicator_id).is_not(None),
            )
        ).all()
    )
    keys = hub_keys(
        db, connection=connection, indicator_ids=sorted({r.library_indicator_id for r in rows})
    )
    rows = [row for row in rows if row.library_indicator_id in keys]
    if not rows:
        return []
    years = dict(
        db.exec(
            select(Engagement.id, Engagement.budget_year).where(
                col(Engagement.id).in_({row.engagement_id for row in rows})
            )
        ).all()
    )
    sectors = dict(
        db.exec(
            select(LibraryIndicator.id, LibraryIndicator.sector).where(
                col(LibraryIndicator.id).in_(list(keys))
            )
        ).all()
    )
    scored = usage.scores_of(db, [row for row in rows if not row.not_applicable])
    return [
        rules.Observation(
            key=keys[row.library_indicator_id],
            engagement_id=row.engagement_id,
            year=years[row.engagement_id],
            sector=sectors.get(row.library_indicator_id) or UNSORTED,
            region=connection.region,
            weight=row.weight,
            rate=(
                rate(scored[row.id], row.weight)
                if not row.not_applicable and scored.get(row.id) is not None
                else None
            ),
        )
        for row in rows
    ]


def exchange(db: Session, *, connection: HubConnection, client: HubClient) -> int:
    """Send the agency's sums (when it shares them), then keep the hub's combined groups."""
    if connection.share_stats:
        rows = rules.contributions(observations(db, connection=connection))
        client.upload_stats(
            StatsBody(
                rows=[
                    StatRow(**{**item.__dict__, "weight_sum": item.weight_sum.quantize(rules.CENT)})
                    for item in rows
                ]
            )
        )
    answer = client.stats()
    db.exec(delete(HubStatCache).where(col(HubStatCache.connection_id) == connection.id))
    db.add_all(
        [
            HubStatCache(
                connection_id=connection.id,
                indicator_key=group.key,
                **group.model_dump(exclude={"key"}),
            )
            for group in answer.groups
        ]
    )
    db.flush()
    return len(answer.groups)


@dataclass(frozen=True)
class Comparison:
    """What a page shows: the hub's groups for an indicator, the headline, the firm's own figure."""

    groups: list[rules.Group]
    best: rules.Group | None
    own_engagements: int
    own_mean: Decimal | None

    @property
    def own_text(self) -> str:
        if not self.own_engagements:
            return "本机构：尚无项目使用"
        mean = (
            f"平均得分率 {self.own_mean.quantize(Decimal(1), ROUND_HALF_UP)}%"
            if self.own_mean is not None
            else "尚无得分"
        )
        return f"本机构：在 {self.own_engagements} 个项目中{mean}"


def comparison(
    db: Session,
    *,
    connection: HubConnection | None,
    indicator: LibraryIndicator,
    own_rates: list[Decimal],
    own_engagements: int,
) -> Comparison | None:
    """The industry figures of a library indicator beside the firm's own (None: no connection)."""
    if connection is None:
        return None
    key = hub_keys(db, connection=connection, indicator_ids=[indicator.id]).get(indicator.id)
    found = (
        db.exec(
            select(HubStatCache).where(
                HubStatCache.connection_id == connection.id, HubStatCache.indicator_key == key
            )
        ).all()
        if key
        else []
    )
    groups = [
        rules.Group(
            key=row.indicator_key,
            year=row.year,
            sector=row.sector,
            region=row.region,
            engagements=row.engagements,
            mean_rate=row.mean_rate,
            mean_weight=row.mean_weight,
        )
        for row in found
    ]
    groups.sort(key=lambda g: (-g.year, g.sector, g.region))
    mean = (sum(own_rates, Decimal(0)) / len(own_rates)).quantize(rules.CENT) if own_rates else None
    return Comparison(
        groups, rules.best_group(groups, sector=indicator.sector), own_engagements, mean
    )
