"""Browsing the library: facet counts under the other choices, narrowing, pinyin search, notices."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.library.library_helpers import content
from workbench.library import browse, packs, services
from workbench.library.browse import Choice

SECTOR = "测试领域"


def _shipped_leaves(key: str) -> list[tuple[str, str, str]]:
    pack = next(p for p in packs.load_all(packs.default_library_root()) if p.key == key)
    return [path for path, _leaf in packs.flatten(pack)]


def _counts(values) -> dict[str, int]:
    return {value.key: value.count for value in values}


@pytest.fixture()
def medical(db, demo):
    """A personal indicator of the admin about 医保, in a sector of its own."""
    return services.create_personal(
        db,
        actor=demo.users["demo-admin"],
        data=content(
            name="医保基金使用合规率", definition="合规使用的医保基金占比。", tags=("医保",)
        ),
        sector=SECTOR,
    )


def test_facets_count_the_entries_under_each_value(db, demo):
    viewer = demo.users["demo-lead"]
    page = browse.browse(db, viewer=viewer, choice=Choice(), limit=5)
    health = _shipped_leaves("health")
    assert _counts(page.packs)["health"] == len(health)
    assert _counts(page.sectors)["卫生健康"] == len(health)
    assert all(value.key.endswith("_common") for value in page.packs[:4])  # frameworks first
    assert page.total == sum(v.count for v in page.packs) + 1  # + the demo's pending proposal
    assert len(page.rows) == 5 and set(page.versions) == {row.id for row in page.rows}
    assert page.level2 == [] and page.notices == [] and page.overview == []


def test_choosing_a_pack_narrows_the_entries_and_recounts_the_levels(db, demo):
    viewer = demo.users["demo-lead"]
    health = _shipped_leaves("health")
    page = browse.browse(db, viewer=viewer, choice=Choice(pack_key="health"), limit=200)
    assert page.total == len(health) == len(page.rows)
    assert {row.pack_key for row in page.rows} == {"health"}
    assert _counts(page.level1) == dict(Counter(path[0] for path in health))
    assert _counts(page.packs)["education"] > 0  # the pack facet still offers the others
    assert _counts(page.sectors) == {"卫生健康": len(health)}

    chosen = Choice(pack_key="health", level1="产出")
    page = browse.browse(db, viewer=viewer, choice=chosen, limit=200)
    under = [path for path in health if path[0] == "产出"]
    assert page.total == len(under)
    assert _counts(page.level2) == dict(Counter(path[1] for path in under))
    level2 = page.level2[0].key
    page = browse.browse(
        db, viewer=viewer, choice=Choice("", "health", "", "产出", level2), limit=9
    )
    assert page.total == sum(1 for path in under if path[1] == level2)
    assert {page.versions[row.id].level2 for row in page.rows} == {level2}


def test_pinyin_initials_and_full_pinyin_find_the_entry(db, demo, medical):
    admin = demo.users["demo-admin"]

    def names(q: str) -> list[str]:
        rows, _total = services.search(db, q=q, viewer=admin, sector=SECTOR, limit=50)
        return [row.name for row in rows]

    for q in ("ybjj", "yb", "YBJJ", "yibao", "yibaojijin", "医保", "医保 hg", "ybjjsyhgl"):
        assert names(q) == ["医保基金使用合规率"], q
    assert names("ybx") == []
    assert names("y") == []  # one letter is not read as pinyin
    page = browse.browse(db, viewer=admin, choice=Choice(q="ybjj"), limit=20)
    assert [row.name for row in page.rows] == ["医保基金使用合规率"]
    assert _counts(page.sectors) == {SECTOR: 1}


def test_pinyin_follows_edits(db, demo, medical):
    admin = demo.users["demo-admin"]
    services.edit(
        db,
        actor=admin,
        indicator=medical,
        data=content(name="医疗救助及时率", tags=("医疗救助",)),
        change_note="改名",
        version=medical.version,
    )
    rows, _ = services.search(db, q="ylj", viewer=admin, sector=SECTOR)
    assert [row.name for row in rows] == ["医疗救助及时率"]
    assert services.search(db, q="ybjj", viewer=admin, sector=SECTOR) == ([], 0)


def test_shipped_packs_are_searchable_by_pinyin(db, demo):
    rows, total = services.search(db, q="zjdwl", viewer=demo.users["demo-lead"], limit=50)
    assert total >= 1 and {row.name for row in rows} >= {"资金到位率"}


def test_nothing_matched_gives_an_overview_of_what_exists(db, demo):
    page = browse.browse(db, viewer=demo.users["demo-lead"], choice=Choice(q="气象"), limit=20)
    assert page.total == 0 and page.rows == []
    assert {"health", "social_security"} <= set(_counts(page.overview))
    assert page.library_size == sum(v.count for v in page.overview) > 200


def test_a_choice_naming_nothing_is_dropped_with_a_notice(db, demo):
    viewer = demo.users["demo-lead"]
    page = browse.browse(db, viewer=viewer, choice=Choice(pack_key="no-such-pack"), limit=5)
    assert page.choice.pack_key == "" and page.total > 0
    assert page.notices == ["指标库中没有指标包“no-such-pack”，已显示全部指标包"]
    page = browse.browse(db, viewer=viewer, choice=Choice(sector="火星"), limit=5)
    assert page.choice.sector == "" and "没有“火星”行业" in page.notices[0]
    page = browse.browse(db, viewer=viewer, choice=Choice(level2="产出数量"), limit=5)
    assert page.choice.level2 == "" and page.notices == []  # a 二级 needs its 一级
    page = browse.browse(db, viewer=viewer, choice=Choice(q="率" * 500), limit=5)
    assert len(page.choice.q) == browse.MAX_QUERY and "检索词过长（500字）" in page.notices[0]


def test_link_args_drop_the_level2_with_its_level1():
    choice = Choice(q="率", pack_key="health", level1="产出", level2="产出数量")
    assert choice.link_args(level1="") == {"q": "率", "pack": "health"}
    assert choice.link_args(pack_key="") == {"q": "率", "level1": "产出", "level2": "产出数量"}
    assert choice.link_args(level2="产出质量")["level2"] == "产出质量"
    assert Choice().as_args() == {} and not Choice().narrowed


def test_browsing_reads_a_bounded_number_of_statements(db, demo, count_queries):
    viewer = demo.users["demo-lead"]
    with count_queries() as counter:
        browse.browse(db, viewer=viewer, choice=Choice(level1="产出"), limit=50)
    assert counter.count <= 8, counter.statements
