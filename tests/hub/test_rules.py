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


# ---------------------------------------------------------------------------------------------
# Complementary suppression: no shown group minus shown groups reveals a small one


def _row(engagements: int, *, region: str, sector="教育", year=2025, rate="80", key="k"):
    return rules.Contribution(
        key=key,
        year=year,
        sector=sector,
        region=region,
        engagements=engagements,
        rate_sum=Decimal(rate) * engagements,
        rate_count=engagements,
        weight_sum=Decimal(4) * engagements,
    )


def _coarser(group) -> tuple | None:
    """The next coarser group of a shown one (the hub's four levels), written out here."""
    if group.region:
        return group.key, group.year, group.sector, ""
    if group.sector:
        return group.key, group.year, "", ""
    if group.year:
        return group.key, 0, "", ""
    return None


def _revealed(groups, *, min_group: int) -> list[tuple]:
    """What subtraction reveals: a shown group minus its shown children leaving 1…min−1
    engagements, or a shown group under a hidden parent (subtracted through the grandparent)."""
    by_node = {(g.key, g.year, g.sector, g.region): g for g in groups}
    below = dict.fromkeys(by_node, 0)
    found = []
    for node, group in by_node.items():
        up = _coarser(group)
        if up is None:
            continue
        if up not in by_node:
            found.append((node, "parent hidden"))
        else:
            below[up] += group.engagements
    for node, group in by_node.items():
        rest = group.engagements - below[node]
        if 0 < rest < min_group:
            found.append((node, rest))
    return found


def test_a_shown_region_subtracted_from_its_sector_reveals_nothing():
    # 浙江省 6 engagements, 江苏省 2: the sector's 8 minus 浙江's 6 would give 江苏's 2.
    rows = [_row(6, region="浙江省", rate="90"), _row(2, region="江苏省", rate="40")]
    groups = rules.combine(rows, min_group=5)
    assert _revealed(groups, min_group=5) == []
    shown = {(g.year, g.sector, g.region) for g in groups}
    assert (2025, "教育", "浙江省") not in shown  # hidden with 江苏 so the remainder is 8
    assert (2025, "教育", "") in shown and (0, "", "") in shown


def test_the_smallest_sibling_is_hidden_and_larger_ones_stay():
    rows = [
        _row(9, region="浙江省"),
        _row(6, region="江苏省"),
        _row(5, region="安徽省"),
        _row(2, region="福建省"),
    ]
    groups = rules.combine(rows, min_group=5)
    regions = {g.region for g in groups if g.region}
    # 22 − (9 + 6 + 5) = 2: hiding 安徽 (the smallest shown) leaves 7 in the remainder.
    assert regions == {"浙江省", "江苏省"}
    assert _revealed(groups, min_group=5) == []


def test_suppression_reaches_down_and_across_levels():
    rows = [
        _row(6, sector="教育", region="浙江省"),
        _row(1, sector="教育", region="江苏省"),
        _row(5, sector="卫生", region="浙江省"),
        _row(2, year=2024, sector="教育", region="浙江省"),
        _row(5, year=2024, sector="卫生", region="浙江省"),
    ]
    groups = rules.combine(rows, min_group=5)
    assert _revealed(groups, min_group=5) == []
    shown = {(g.year, g.sector, g.region) for g in groups}
    # 2024 has 7: 卫生's 5 shown would reveal 教育's 2, so it is hidden with its region.
    assert (2024, "", "") in shown and (2024, "卫生", "") not in shown
    assert (2024, "卫生", "浙江省") not in shown
    # 2025 教育 has 7: 浙江's 6 would reveal 江苏's 1.
    assert (2025, "教育", "") in shown and (2025, "教育", "浙江省") not in shown


def test_the_rule_is_checked_over_many_random_roll_ups():
    import random

    from workbench.hub import disclosure

    chance = random.Random(20)
    for _ in range(300):
        rows = [
            _row(
                chance.randint(1, 9),
                year=chance.choice([2024, 2025]),
                sector=chance.choice(["教育", "卫生", "农业"]),
                region=chance.choice(["浙江省", "江苏省", "安徽省", ""]),
                key=chance.choice(["k1", "k2"]),
            )
            for _ in range(chance.randint(1, 12))
        ]
        minimum = chance.randint(2, 8)
        groups = rules.combine(rows, min_group=minimum)
        assert _revealed(groups, min_group=minimum) == [], rows
        nodes = {(g.key, g.year, g.sector, g.region): g.engagements for g in groups}
        assert (
            disclosure.leaks(
                nodes, parent=rules.parent_group, size=nodes.__getitem__, min_group=minimum
            )
            == []
        )


def test_a_row_without_a_region_is_counted_once():
    groups = rules.combine([_row(5, region="")], min_group=1)
    assert {(g.year, g.sector, g.region): g.engagements for g in groups} == {
        (2025, "教育", ""): 5,
        (2025, "", ""): 5,
        (0, "", ""): 5,
    }
