"""Leaves placed without a library id are linked to the library indicator they match."""

from __future__ import annotations

from sqlmodel import select

from tests.library.library_helpers import content
from workbench.indicators.models import Indicator
from workbench.library import linking, services, usage
from workbench.library.linking import Candidate, match
from workbench.library.models import LibraryIndicator


def _c(n, path, framework=False):
    return Candidate(indicator_id=n, version=1, key=f"k{n}", path=path, in_framework=framework)


def test_match_prefers_the_framework_then_path_then_name():
    budget = ("过程", "资金管理", "预算执行率")
    found = [
        _c(1, budget, framework=True),
        _c(2, ("产出", "产出数量", "预算执行率")),
        _c(3, ("效益", "满意度", "学生满意度")),
        _c(4, ("效益", "社会效益", "学生满意度")),
    ]
    assert match(budget, found).indicator_id == 1
    assert match(("产出", "产出数量", "预算执行率"), found).indicator_id == 2
    assert match(("其他", "其他", "预算执行率"), found).indicator_id == 1  # by name, framework
    assert match(("效益", "满意度", "学生满意度"), found).indicator_id == 3  # the path decides
    assert match(("效益", "服务对象", "学生满意度"), found) is None  # two by name: ambiguous
    assert match(("产出", "产出数量", "供餐天数"), found) is None


def test_links_by_key_first(db, demo):
    key = "education.compulsory_retention_rate"
    links = linking.links_for(
        db,
        engagement_type="project",
        paths=[("产出", "数量", "某自拟名称"), ("过程", "资金管理", "预算执行率")],
        keys={("产出", "数量", "某自拟名称"): key},
    )
    retention = db.exec(select(LibraryIndicator).where(LibraryIndicator.key == key)).one()
    assert links[("产出", "数量", "某自拟名称")] == (retention.id, retention.current_version)
    budget = db.get(LibraryIndicator, links[("过程", "资金管理", "预算执行率")][0])
    assert budget.pack_key == "project_common"


def test_personal_and_deprecated_indicators_are_not_guessed(db, demo):
    row = services.create_personal(db, actor=demo.users["demo-lead"], data=content(name="独有名称"))
    db.flush()
    links = linking.links_for(db, engagement_type="project", paths=[("产出", "产出质量", "独有名称")],
                              keys={("产出", "产出质量", "独有名称"): row.key})  # fmt: skip
    assert links == {}


def test_the_demo_engagement_is_linked_and_fills_the_distribution(db, demo):
    leaves = db.exec(select(Indicator).where(Indicator.engagement_id == demo.engagement.id)).all()
    linked = {leaf.name: leaf for leaf in leaves if leaf.library_indicator_id}
    assert {"立项依据充分性", "预算执行率", "成本节约率"} <= set(linked)
    assert "供餐天数" not in linked  # no library indicator of that name
    budget = linked["预算执行率"]
    library = db.get(LibraryIndicator, budget.library_indicator_id)
    assert (
        library.pack_key == "project_common" and budget.library_version == library.current_version
    )
    found = usage.usage(db, indicator_id=library.id)
    assert found.engagements >= 1 and found.distribution.count >= 1
