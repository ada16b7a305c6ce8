"""The tree and the library: the framework pack, search and add, propose back."""

from decimal import Decimal

import pytest

from tests.indicators.helpers import audits, by_name, indicators_of, new_engagement
from workbench.core.errors import Conflict
from workbench.indicators import library_link, services


@pytest.fixture()
def fresh(db, demo):
    return new_engagement(db, demo)


def test_framework_fills_an_empty_tree_from_the_project_pack(db, demo, fresh):
    lead = demo.users["demo-lead"]
    count = library_link.start_from_framework(db, actor=lead, engagement=fresh)
    items = indicators_of(db, fresh)
    assert count == len(items) > 10
    assert sum((i.weight for i in items), Decimal(0)) == Decimal(100)
    assert [t.name for t in services.build_tree(items)][:2] == ["决策", "过程"]
    first = items[0]
    assert first.name == "立项依据充分性" and first.library_indicator_id is not None
    assert first.library_version == 1 and "\n" in first.points and first.evidence_sources
    assert first.standard  # the pack's 评分标准 text
    assert services.check(db, fresh).blockers == []
    assert audits(db, "indicators.import", fresh)[-1].after["source"] == "指标库共性框架"
    with pytest.raises(Conflict, match="已有指标"):
        library_link.start_from_framework(db, actor=lead, engagement=fresh)


def test_framework_through_the_page(login, db, demo, fresh):
    c = login("demo-evaluator")
    page = c.get(f"/engagements/{fresh.id}/indicators").get_data(as_text=True)
    assert 'id="from-framework"' in page
    r = c.post(f"/engagements/{fresh.id}/indicators/framework", follow_redirects=True)
    assert "已按“项目支出绩效评价”共性框架生成" in r.get_data(as_text=True)
    assert len(indicators_of(db, fresh)) > 10


def test_search_and_add_from_the_library(login, db, demo, fresh):
    c = login("demo-lead")
    page = c.get(f"/engagements/{fresh.id}/indicators/library?q=到位率").get_data(as_text=True)
    assert 'library-result" data-library-id=' in page and "资金到位率" in page
    items, total, versions = library_link.search(
        db, q="资金到位率", viewer=demo.users["demo-lead"], limit=5
    )
    assert total >= 1
    chosen = next(item for item in items if item.name == "资金到位率")
    r = c.post(
        f"/engagements/{fresh.id}/indicators/library?q=到位率",
        data={"library_indicator_id": chosen.id, "level1": "", "level2": ""},
        follow_redirects=True,
    )
    assert "已从指标库添加“资金到位率”" in r.get_data(as_text=True)
    added = by_name(db, fresh)["资金到位率"]
    assert added.library_indicator_id == chosen.id
    assert added.level1 == versions[chosen.id].level1
    assert added.weight == versions[chosen.id].weight
    r = c.post(
        f"/engagements/{fresh.id}/indicators/library",
        data={"library_indicator_id": chosen.id, "level1": "过程", "level2": "资金管理"},
        follow_redirects=True,
    )
    assert "已有三级指标“资金到位率”" in r.get_data(as_text=True)
    r = c.post(
        f"/engagements/{fresh.id}/indicators/library",
        data={"library_indicator_id": chosen.id, "level1": "过程", "level2": "其他资金"},
    )
    assert r.status_code == 302
    assert by_name(db, fresh)["资金到位率"].level2 in {"资金管理", "其他资金"}
    assert len(indicators_of(db, fresh)) == 2


def test_propose_a_leaf_back_to_the_library(login, db, demo):
    from sqlmodel import select

    from workbench.library.models import LibraryIndicator

    e = demo.engagement
    c = login("demo-evaluator")
    bare = by_name(db, e)["学生出勤率"]  # no 指标解释 in the sample: the library refuses it
    r = c.post(f"/engagements/{e.id}/indicators/{bare.id}/propose", follow_redirects=True)
    assert "指标解释不能为空" in r.get_data(as_text=True)
    leaf = by_name(db, e)["资金到位率"]
    r = c.post(f"/engagements/{e.id}/indicators/{leaf.id}/propose", follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "已推荐“资金到位率”入指标库" in text, text[text.find("alert") : text.find("alert") + 300]
    proposed = db.exec(
        select(LibraryIndicator).where(LibraryIndicator.source_indicator_id == leaf.id)
    ).one()
    assert proposed.source_engagement_id == e.id
    assert audits(db, "indicators.propose", e)[-1].summary == "推荐“资金到位率”入指标库"
    r = c.post(f"/engagements/{e.id}/indicators/{leaf.id}/propose", follow_redirects=True)
    assert "已提交过指标库" in r.get_data(as_text=True)
