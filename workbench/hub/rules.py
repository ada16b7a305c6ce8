"""What an incoming hub version means for the local library, and the shared statistics (pure).

Merge: every local change is a version of its own, so nothing is ever overwritten; the rules
only say what accepting an incoming version would do. Statistics: a member sends per-indicator
sums by year, sector and region (never an engagement); the hub adds the members' sums and shows
a group only when at least `min_group` engagements stand behind it and no shown group minus its
shown children leaves fewer (complementary suppression, disclosure.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from workbench.hub import disclosure

CENT = Decimal("0.01")
ALL = ""  # a group over every sector or region
ALL_YEARS = 0


class Decision(StrEnum):
    new = "new"  # no local indicator yet: accepting adds one
    update = "update"  # no local edit since the last accepted version: accepting adds a version
    conflict = "conflict"  # edited here and there: choose (the local edit stays a version)
    same = "same"  # the incoming content equals the local one: nothing to do


DECISION_NAMES = {
    Decision.new: "新指标",
    Decision.update: "有更新",
    Decision.conflict: "冲突：本机构已修改",
    Decision.same: "内容相同",
}
DECISION_BADGES = {
    Decision.new: "primary",
    Decision.update: "info",
    Decision.conflict: "danger",
    Decision.same: "secondary",
}


def decide(*, incoming: str, base: str | None, local: str | None) -> Decision:
    """Compare digests: the incoming version, the one last accepted (base) and the local current."""
    if local is None:
        return Decision.new
    if incoming == local:
        return Decision.same
    if base is not None and local == base:
        return Decision.update
    return Decision.conflict


# ---------------------------------------------------------------------------------------------
# Statistics


@dataclass(frozen=True)
class Observation:
    """One engagement's use of a library indicator (the member computes these; they stay there)."""

    key: str
    engagement_id: int
    year: int
    sector: str
    region: str
    weight: Decimal
    rate: Decimal | None  # score ÷ weight in %, None when not scored


@dataclass(frozen=True)
class Contribution:
    """What a member sends: sums for one indicator, year, sector and region; no engagement."""

    key: str
    year: int
    sector: str
    region: str
    engagements: int
    rate_sum: Decimal
    rate_count: int
    weight_sum: Decimal


def contributions(observations: Iterable[Observation]) -> list[Contribution]:
    """Sum observations per indicator, year, sector and region."""
    groups: dict[tuple[str, int, str, str], list[Observation]] = {}
    for item in observations:
        groups.setdefault((item.key, item.year, item.sector, item.region), []).append(item)
    found = []
    for (key, year, sector, region), items in sorted(groups.items()):
        rates = [item.rate for item in items if item.rate is not None]
        found.append(
            Contribution(
                key=key,
                year=year,
                sector=sector,
                region=region,
                engagements=len({item.engagement_id for item in items}),
                rate_sum=sum(rates, Decimal(0)),
                rate_count=len(rates),
                weight_sum=sum((item.weight for item in items), Decimal(0)),
            )
        )
    return found


@dataclass(frozen=True)
class Group:
    """Combined figures of one indicator for a year (0: all), sector and region ("": all)."""

    key: str
    year: int
    sector: str
    region: str
    engagements: int
    mean_rate: Decimal | None
    mean_weight: Decimal | None

    def headline(self) -> str:
        """'全行业：在 37 个项目中平均得分率 86%（2025 年，教育）'."""
        where = [f"{self.year} 年" if self.year else "各年度"]
        where += [part for part in (self.sector, self.region) if part]
        rate = (
            f"平均得分率 {_percent(self.mean_rate)}" if self.mean_rate is not None else "尚无得分"
        )
        return f"全行业：在 {self.engagements} 个项目中{rate}（{'，'.join(where)}）"


def _percent(value: Decimal) -> str:
    return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def _mean(total: Decimal, count: int) -> Decimal | None:
    return (total / count).quantize(CENT, rounding=ROUND_HALF_UP) if count else None


def combine(rows: Iterable[Contribution], *, min_group: int) -> list[Group]:
    """Members' sums added per group at four levels (year × sector × region, year × sector,
    year, all years); only the groups `disclosure.shown` lets through: at least `min_group`
    engagements, and no shown group minus its shown children leaving fewer (complementary
    suppression)."""
    sums: dict[tuple[str, int, str, str], list] = {}
    for row in rows:
        # A row without a region (or sector) is already the coarser group: counted there once.
        for year, sector, region in dict.fromkeys(
            (
                (row.year, row.sector, row.region),
                (row.year, row.sector, ALL),
                (row.year, ALL, ALL),
                (ALL_YEARS, ALL, ALL),
            )
        ):
            total = sums.setdefault((row.key, year, sector, region), [0, Decimal(0), 0, Decimal(0)])
            total[0] += row.engagements
            total[1] += row.rate_sum
            total[2] += row.rate_count
            total[3] += row.weight_sum
    visible = disclosure.shown(
        sums, parent=parent_group, size=lambda node: sums[node][0], min_group=min_group
    )
    return [
        Group(
            key=key,
            year=year,
            sector=sector,
            region=region,
            engagements=engagements,
            mean_rate=_mean(rate_sum, rate_count),
            mean_weight=_mean(weight_sum, engagements),
        )
        for (key, year, sector, region), (engagements, rate_sum, rate_count, weight_sum) in sorted(
            sums.items()
        )
        if (key, year, sector, region) in visible
    ]


GroupKey = tuple[str, int, str, str]


def parent_group(node: GroupKey) -> GroupKey | None:
    """The next coarser group of (key, year, sector, region); None for all years."""
    key, year, sector, region = node
    if region != ALL:
        return key, year, sector, ALL
    if sector != ALL:
        return key, year, ALL, ALL
    if year != ALL_YEARS:
        return key, ALL_YEARS, ALL, ALL
    return None


def best_group(groups: Iterable[Group], *, sector: str | None = None) -> Group | None:
    """The group a page headlines: the latest year, the indicator's sector when shown, else wider."""
    ranked = sorted(
        groups,
        key=lambda g: (
            g.year,
            g.sector == (sector or "") and g.sector != ALL,
            g.region == ALL,
        ),
        reverse=True,
    )
    return ranked[0] if ranked else None
