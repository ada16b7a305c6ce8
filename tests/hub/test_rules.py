"""The pure rules: what accepting an incoming version does, and the shared statistics."""

from __future__ import annotations

from decimal import Decimal

from workbench.hub import rules
from workbench.hub.rules import Decision


def test_decisions_follow_the_digests():
    assert rules.decide(incoming="b", base=None, local=None) is Decision.new
    assert rules.decide(incoming="b", base="a", local="b") is Decision.same
    assert rules.decide(incoming="b", base="a", local="a") is Decision.update
    # Edited here since the last accepted version: a conflict, never an overwrite.
    assert rules.decide(incoming="b", base="a", local="c") is Decision.conflict


def _obs(engagement: int, rate: str | None, *, year=2025, key="k", region="浙江省"):
    return rules.Observation(
        key=key,
        engagement_id=engagement,
        year=year,
        sector="教育",
        region=region,
        weight=Decimal("4"),
        rate=Decimal(rate) if rate is not None else None,
    )


def test_contributions_name_no_engagement_and_count_each_once():
    rows = rules.contributions([_obs(1, "80"), _obs(1, "90"), _obs(2, None)])
    assert len(rows) == 1
    row = rows[0]
    assert (row.engagements, row.rate_sum, row.rate_count) == (2, Decimal("170"), 2)
    assert "engagement_id" not in row.__dict__


def test_groups_below_the_minimum_are_left_out():
    one_firm = rules.contributions([_obs(i, "80") for i in range(3)])
    other_firm = rules.contributions([_obs(i, "90", region="江苏省") for i in range(3)])
    assert rules.combine(one_firm, min_group=5) == []
    groups = rules.combine(one_firm + other_firm, min_group=5)
    # Each region alone has 3 engagements: hidden; the year and sector groups have 6.
    assert {(g.year, g.sector, g.region) for g in groups} == {
        (2025, "教育", ""),
        (2025, "", ""),
        (0, "", ""),
    }
    best = rules.best_group(groups, sector="教育")
    assert best.engagements == 6 and best.mean_rate == Decimal("85.00")
    assert best.headline() == "全行业：在 6 个项目中平均得分率 85%（2025 年，教育）"


def test_minimum_of_one_shows_every_group():
    groups = rules.combine(rules.contributions([_obs(1, None)]), min_group=1)
    assert len(groups) == 4
    assert groups[0].mean_rate is None
    assert "尚无得分" in groups[0].headline()
