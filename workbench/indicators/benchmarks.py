"""The library benchmark value a leaf cites (行业/历史标准), and what the engagement is told when a
newer import has superseded it or it has gone stale.

A leaf linked to a library indicator may cite one value of that indicator's imported series.
The citation keeps pointing at the value it chose (values are immutable); the indicator page says
"已有更新" when the library now holds a newer figure, and names it with its source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict
from workbench.core.locking import require_version
from workbench.engagements.models import Engagement
from workbench.indicators.models import Indicator
from workbench.indicators.system import require_editor
from workbench.library import benchmark_rules
from workbench.library.services import SeriesValue
from workbench.library.services import benchmarks as library_benchmarks


@dataclass(frozen=True)
class Notice:
    """A cited value the engagement should look at again: superseded, stale, or both."""

    indicator: Any  # an Indicator or a TreeLeaf: its id and name
    cited: SeriesValue

    @property
    def superseded(self) -> bool:
        return self.cited.newer is not None

    @property
    def newer_shown(self) -> str:
        newer = self.cited.newer
        return benchmark_rules.shown(newer.value, newer.unit) if newer else ""


def series_for(
    db: Session, indicator: Indicator, *, current_year: int, stale_years: int
) -> list[SeriesValue]:
    """The imported series of the library indicator the leaf is linked to (empty when unlinked)."""
    if not indicator.library_indicator_id:
        return []
    return library_benchmarks.series_of(
        db,
        indicator_ids=[indicator.library_indicator_id],
        current_year=current_year,
        stale_years=stale_years,
    )


def cite(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    indicator: Indicator,
    value_id: int | None,
    version: int | None,
) -> Indicator:
    """Cite a value of the linked library indicator's series (None: cite none)."""
    require_editor(db, engagement, actor)
    require_version(
        version, indicator.version, stale=f"指标“{indicator.name}”已被他人修改，请刷新后重试"
    )
    before = indicator.benchmark_value_id
    shown = "不引用"
    if value_id is not None:
        value = library_benchmarks.get_value(db, value_id)
        if value.indicator_id != indicator.library_indicator_id:
            raise Conflict("该基准值不属于本指标关联的库指标，请刷新页面后重新选择")
        shown = (
            f"{value.region}{value.year}年 {benchmark_rules.shown(value.value, value.unit)}"
            f"（{value.source}）"
        )
    if before == value_id:
        return indicator
    indicator.benchmark_value_id = value_id
    db.add(indicator)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="indicators.benchmark",
        obj=indicator,
        engagement_id=engagement.id,
        before={"benchmark_value_id": before},
        after={"benchmark_value_id": value_id, "benchmark": shown},
        summary=f"“{indicator.name}”引用基准值：{shown}",
    )
    return indicator


def notices(
    db: Session, leaves: Sequence[Any], *, current_year: int, stale_years: int
) -> list[Notice]:
    """The leaves' cited values that have been superseded or gone stale, in the leaves' order
    (leaves: Indicator or TreeLeaf rows; those citing nothing cost no query)."""
    cited = [leaf for leaf in leaves if leaf.benchmark_value_id is not None]
    flags = library_benchmarks.flags_of(
        db,
        value_ids=[leaf.benchmark_value_id for leaf in cited],
        current_year=current_year,
        stale_years=stale_years,
    )
    found = [(leaf, flags.get(leaf.benchmark_value_id)) for leaf in cited]
    return [Notice(leaf, item) for leaf, item in found if item and (item.newer or item.stale)]
