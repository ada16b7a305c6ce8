"""The packs shipped in indicator_library/: they load, validate and carry the required content."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import workbench
from workbench.library.packs import (
    ENGAGEMENT_TYPES,
    Pack,
    default_library_root,
    flatten,
    load_all,
    load_pack,
    total_weight,
    validate_library,
    validate_pack,
)

LIBRARY = Path(workbench.__file__).parent.parent / "indicator_library"
SECTORS = {
    "教育",
    "卫生健康",
    "农业农村",
    "交通运输",
    "生态环境",
    "社会保障和就业",
    "文化旅游",
    "科技",
    "住房城乡建设",
    "水利",
}


@pytest.fixture(scope="module")
def packs() -> list[Pack]:
    return load_all(LIBRARY)


@pytest.fixture(scope="module")
def common(packs: list[Pack]) -> dict[str, Pack]:
    return {pack.engagement_types[0]: pack for pack in packs if pack.kind == "common"}


def level_weights(pack: Pack) -> dict[str, Decimal]:
    return {
        level1.name: sum(
            (leaf.weight for level2 in level1.children for leaf in level2.children), Decimal(0)
        )
        for level1 in pack.indicators
    }


def test_default_root_is_the_shipped_library() -> None:
    assert default_library_root() == LIBRARY.resolve()
    assert (LIBRARY / "README.md").is_file()


def test_every_shipped_pack_loads_and_validates(packs: list[Pack]) -> None:
    assert len(packs) == 14
    assert validate_library(packs) == []
    for pack in packs:
        assert validate_pack(pack) == [], pack.origin
        assert pack.origin.startswith(("common/", "sectors/"))


def test_one_common_framework_per_engagement_type(common: dict[str, Pack]) -> None:
    assert set(common) == set(ENGAGEMENT_TYPES)
    for pack in common.values():
        assert total_weight(pack) == Decimal(100), pack.key


def test_project_framework_follows_the_national_reference(common: dict[str, Pack]) -> None:
    pack = common["project"]
    weights = level_weights(pack)
    assert list(weights) == ["决策", "过程", "产出", "效益"]
    assert Decimal(15) <= weights["决策"] <= Decimal(20)
    assert weights["过程"] == Decimal(20)
    assert Decimal(30) <= weights["产出"] <= Decimal(40)
    assert Decimal(25) <= weights["效益"] <= Decimal(30)
    assert weights["产出"] + weights["效益"] >= Decimal(60)
    level2 = {level1.name: [child.name for child in level1.children] for level1 in pack.indicators}
    assert level2 == {
        "决策": ["项目立项", "绩效目标", "资金投入"],
        "过程": ["资金管理", "组织实施"],
        "产出": ["产出数量", "产出质量", "产出时效", "产出成本"],
        "效益": ["项目效益"],
    }
    assert [path[2] for path, _ in flatten(pack)] == [
        "立项依据充分性",
        "立项程序规范性",
        "绩效目标合理性",
        "绩效指标明确性",
        "预算编制科学性",
        "资金分配合理性",
        "资金到位率",
        "预算执行率",
        "资金使用合规性",
        "管理制度健全性",
        "制度执行有效性",
        "实际完成率",
        "质量达标率",
        "完成及时性",
        "成本节约率",
        "经济效益",
        "社会效益",
        "生态效益",
        "可持续影响",
        "服务对象满意度",
    ]
    leaves = {path[2]: leaf for path, leaf in flatten(pack)}
    execution = leaves["预算执行率"]
    assert (execution.rule, execution.params, execution.target) == (
        "linear",
        "per=1%; deduct=5%; zero=80%",
        "100%",
    )
    assert leaves["资金到位率"].rule == "ratio"
    assert leaves["资金使用合规性"].rule == "deduction"
    assert leaves["立项依据充分性"].rule == "elements"
    assert leaves["服务对象满意度"].rule == "satisfaction"


def test_self_evaluation_review_weights(common: dict[str, Pack]) -> None:
    weights = level_weights(common["self_eval_review"])
    assert weights == {
        "预算执行率": Decimal(10),
        "产出": Decimal(50),
        "效益": Decimal(30),
        "满意度": Decimal(10),
    }


def test_department_framework_levels(common: dict[str, Pack]) -> None:
    pack = common["department"]
    assert list(level_weights(pack)) == ["投入", "过程", "产出", "效果"]
    level2 = {child.name for level1 in pack.indicators for child in level1.children}
    assert {"预算配置", "预算执行", "预算管理", "资产管理", "职责履行", "履职效益"} <= level2
    names = {path[2] for path, _ in flatten(pack)}
    assert {"在职人员控制率", "“三公”经费控制率", "预决算信息公开性", "固定资产利用率"} <= names


def test_ex_ante_has_five_dimensions_of_twenty(common: dict[str, Pack]) -> None:
    pack = common["ex_ante"]
    assert level_weights(pack) == {
        "立项必要性": Decimal(20),
        "投入经济性": Decimal(20),
        "绩效目标合理性": Decimal(20),
        "实施方案可行性": Decimal(20),
        "筹资合规性": Decimal(20),
    }
    for level1 in pack.indicators:
        leaves = [leaf for level2 in level1.children for leaf in level2.children]
        assert 2 <= len(leaves) <= 4, level1.name


def test_ten_sectors_with_at_least_fifteen_indicators(packs: list[Pack]) -> None:
    sectors = {pack.sector: pack for pack in packs if pack.kind == "sector"}
    assert set(sectors) >= SECTORS
    for sector, pack in sectors.items():
        leaves = flatten(pack)
        assert len(leaves) >= 15, sector
        # Sector packs are mostly 产出 and 效益 indicators.
        assert {path[0] for path, _ in leaves} <= {"产出", "效益"}, sector


def test_named_sector_indicators_are_present(packs: list[Pack]) -> None:
    names = {pack.sector: {path[2] for path, _ in flatten(pack)} for pack in packs}
    assert {"生均公用经费保障率", "九年义务教育巩固率", "校舍安全达标率"} <= names["教育"]
    assert {"家庭医生签约服务覆盖率", "适龄儿童国家免疫规划疫苗接种率"} <= names["卫生健康"]
    assert {"农田灌溉水有效利用系数", "农村自来水普及率"} <= names["水利"]


def test_every_leaf_is_documented(packs: list[Pack]) -> None:
    for pack in packs:
        for path, leaf in flatten(pack):
            where = f"{pack.key}:{'/'.join(path)}"
            assert len(leaf.definition) >= 20, where
            assert leaf.points, where
            assert leaf.evidence, where
            assert leaf.scoring, where
            assert leaf.weight > 0, where


def test_no_benchmark_is_shipped_without_year_and_source(packs: list[Pack]) -> None:
    for pack in packs:
        for _, leaf in flatten(pack):
            for benchmark in leaf.benchmarks:
                assert benchmark.value and benchmark.year and benchmark.source


def test_readme_example_is_a_valid_pack() -> None:
    readme = (LIBRARY / "README.md").read_text(encoding="utf-8")
    example = readme.split("## 示例 / Example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    pack = load_pack(example)
    assert validate_pack(pack) == []
    assert [entry.path for entry in flatten(pack)] == [("产出", "产出质量", "校舍安全达标率")]
