"""Loading, validating and dumping indicator packs (pure)."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings

from tests.library.pack_strategies import packs as pack_strategy
from workbench.library.packs import (
    Benchmark,
    Pack,
    PackError,
    default_library_root,
    dump_yaml,
    find_indicator,
    flatten,
    load_all,
    load_pack,
    rule_key,
    stale_benchmarks,
    total_weight,
    validate_library,
    validate_pack,
)

MINIMAL = """
key: demo
name: 演示指标框架
kind: common
engagement_types: [project]
version: "1"
indicators:
  - name: 决策
    children:
      - name: 项目立项
        children:
          - key: decision_basis
            name: 立项依据充分性
            definition: 项目立项是否符合法律法规、相关政策、发展规划以及部门职责。
            points: [符合法律法规, 符合部门职责]
            evidence: [立项批复]
            standard: 其他
            rule: elements
            params: "1/2:1; 1/2:1"
            weight: "37.5"
            tags: [决策]
            benchmarks: []
  - name: 产出
    children:
      - name: 产出数量
        children:
          - key: completion_rate
            name: 实际完成率
            definition: 实际产出数与计划产出数的比率。
            standard: 计划标准
            rule: ratio
            weight: 62.5
            target: "100%"
            benchmarks:
              - {value: "98.2%", year: 2021, source: 以往评价报告}
"""


def minimal() -> Pack:
    return load_pack(MINIMAL)


def mutate(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_load_builds_the_tree_with_decimal_weights() -> None:
    pack = minimal()
    assert (pack.key, pack.name, pack.kind, pack.engagement_types) == (
        "demo",
        "演示指标框架",
        "common",
        ["project"],
    )
    assert pack.sector is None
    entries = flatten(pack)
    assert [entry.path for entry in entries] == [
        ("决策", "项目立项", "立项依据充分性"),
        ("产出", "产出数量", "实际完成率"),
    ]
    first, second = (entry.indicator for entry in entries)
    assert first.weight == Decimal("37.5") and isinstance(first.weight, Decimal)
    assert second.weight == Decimal("62.5")  # a YAML float goes through its text, not binary
    assert first.points == ["符合法律法规", "符合部门职责"]
    assert second.benchmarks == [Benchmark(value="98.2%", year=2021, source="以往评价报告")]
    assert total_weight(pack) == Decimal(100)
    assert validate_pack(pack) == []


def test_load_from_path_str_and_bytes(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    from_path = load_pack(path)
    assert from_path.origin == str(path)
    assert load_pack(str(path)) == from_path
    assert load_pack(MINIMAL.encode("utf-8")) == from_path
    assert load_pack(path, origin="common/demo.yaml").origin == "common/demo.yaml"


def test_find_indicator_and_rule_names() -> None:
    pack = minimal()
    found = find_indicator(pack, "completion_rate")
    assert found is not None and found.path == ("产出", "产出数量", "实际完成率")
    assert find_indicator(pack, "missing") is None
    assert rule_key("正向比率") == "ratio"
    assert rule_key("要素计分") == "elements"
    assert rule_key("Linear") == "linear"
    assert rule_key("随便") is None


def test_stale_benchmarks_are_flagged_by_age() -> None:
    pack = minimal()
    assert stale_benchmarks(pack, current_year=2024) == []
    stale = stale_benchmarks(pack, current_year=2025)
    assert [(entry.indicator.key, item.year) for entry, item in stale] == [
        ("completion_rate", 2021)
    ]
    assert stale_benchmarks(pack, current_year=2025, max_age_years=4) == []


def test_malformed_yaml_names_line_and_column() -> None:
    with pytest.raises(PackError) as caught:
        load_pack("key: demo\nname: [未闭合\nkind: common\n")
    (message,) = caught.value.messages
    assert message.startswith("YAML 格式错误（第")
    assert "行第" in message


def test_malformed_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("indicators: [\n", encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(path, origin="sectors/broken.yaml")
    assert caught.value.messages[0].startswith("sectors/broken.yaml：YAML 格式错误")


def test_structural_errors_are_all_reported() -> None:
    text = mutate(MINIMAL, 'version: "1"', 'version: "1"\nowner: 张三')
    text = mutate(text, 'weight: "37.5"', "weight: 三分")
    text = mutate(text, "tags: [决策]", "tags: [决策]\n            colour: red")
    with pytest.raises(PackError) as caught:
        load_pack(text)
    errors = caught.value.messages
    assert any("指标包含有未知字段「owner」" in error for error in errors)
    assert any(
        "三级指标「立项依据充分性」：分值（weight）「三分」不是有效数字" in error
        for error in errors
    )
    assert any("三级指标「立项依据充分性」含有未知字段「colour」" in error for error in errors)
    assert len(errors) == 3


def test_not_a_mapping_and_bad_lists() -> None:
    with pytest.raises(PackError, match="指标包内容必须是键值映射"):
        load_pack("- 一\n- 二\n")
    with pytest.raises(PackError, match="应为列表"):
        load_pack("key: demo\nindicators: 决策\n")
    with pytest.raises(PackError, match="UTF-8"):
        load_pack("key: 演示".encode("gbk"))
    with pytest.raises(PackError, match="无法读取指标包文件"):
        load_pack("/nonexistent/pack.yaml")


def test_missing_name_and_metadata() -> None:
    text = mutate(MINIMAL, "name: 演示指标框架\n", "")
    text = mutate(text, 'version: "1"\n', "")
    text = mutate(text, "kind: common", "kind: shared")
    errors = validate_pack(load_pack(text))
    assert "指标包缺少名称（name）" in errors
    assert "指标包缺少版本号（version）" in errors
    assert "指标包类型（kind）「shared」无效，应为 common（共性）或 sector（个性）" in errors


def test_duplicate_keys_are_named() -> None:
    text = mutate(MINIMAL, "key: completion_rate", "key: decision_basis")
    errors = validate_pack(load_pack(text))
    assert errors == [
        "指标「产出/产出数量/实际完成率」（decision_basis）：代码「decision_basis」"
        "与指标「决策/项目立项/立项依据充分性」重复"
    ]


def test_unknown_rule_and_bad_standard() -> None:
    text = mutate(MINIMAL, "rule: ratio", "rule: percent")
    text = mutate(text, "standard: 计划标准", "standard: 国际标准")
    errors = validate_pack(load_pack(text))
    where = "指标「产出/产出数量/实际完成率」（completion_rate）："
    assert any(error.startswith(f"{where}规则「percent」未知，应为 ratio、") for error in errors)
    assert (
        f"{where}标准类型「国际标准」无效，应为 计划标准、行业标准、历史标准、其他 之一" in errors
    )
    assert len(errors) == 2


def test_common_weights_must_sum_to_one_hundred() -> None:
    text = mutate(MINIMAL, "weight: 62.5", 'weight: "61"')
    assert validate_pack(load_pack(text)) == ["共性指标包的分值合计应为100，当前为98.5"]
    # A sector pack's weights are suggestions: any total is fine.
    sector = mutate(text, "kind: common", "kind: sector\nsector: 教育")
    assert validate_pack(load_pack(sector)) == []


def test_weight_rules() -> None:
    pack = minimal()
    pack.indicators[0].children[0].children[0].weight = Decimal("37.505")
    pack.indicators[1].children[0].children[0].weight = Decimal(0)
    errors = validate_pack(pack)
    assert (
        "指标「决策/项目立项/立项依据充分性」（decision_basis）：分值「37.505」最多保留两位小数"
        in errors
    )
    assert "指标「产出/产出数量/实际完成率」（completion_rate）：分值应大于0，当前为0" in errors


def test_leaf_content_checks() -> None:
    pack = minimal()
    leaf = pack.indicators[0].children[0].children[0]
    leaf.key = "Decision-Basis"
    leaf.definition = ""
    leaf.params = "1/3:1; 1/3:1; 1/3:1"
    leaf.points.append("第一行\n第二行")
    leaf.tags = ["决策、立项"]
    where = "指标「决策/项目立项/立项依据充分性」（Decision-Basis）："
    assert validate_pack(pack) == [
        f"{where}指标代码「Decision-Basis」只能由小写英文字母、数字和下划线组成，并以字母开头",
        f"{where}缺少指标解释（definition）",
        f"{where}评价要点第3条不能换行（每条要点单列一项）",
        f"{where}标签「决策、立项」不能包含顿号、逗号、分号或换行",
    ]
    leaf.points = leaf.points[:2]
    leaf.params = "1/3:1; 1/3:1; 1/3:1"
    assert f"{where}要素计分参数有3项，与评价要点条数（2）不一致" in validate_pack(pack)


def test_benchmarks_need_value_year_and_source() -> None:
    text = mutate(
        MINIMAL,
        '- {value: "98.2%", year: 2021, source: 以往评价报告}',
        '- {value: "98.2%", year: 去年}\n              - {value: "", year: 1800, source: 公报}',
    )
    errors = validate_pack(load_pack(text))
    where = "指标「产出/产出数量/实际完成率」（completion_rate）："
    assert errors == [
        f"{where}第1个基准值缺少年份（year）或年份不是整数",
        f"{where}第1个基准值缺少来源（source）",
        f"{where}第2个基准值缺少数值（value）",
        f"{where}第2个基准值年份「1800」不合理",
    ]


def test_tree_checks() -> None:
    pack = minimal()
    pack.indicators[1].name = "决策"
    pack.indicators[1].children[0].children[0].name = "立项依据充分性"
    pack.indicators.append(copy.deepcopy(pack.indicators[0]))
    pack.indicators[-1].name = "效益"
    pack.indicators[-1].children[0].children = []
    errors = validate_pack(pack)
    assert "一级指标「决策」重复" in errors
    assert "二级指标「效益/项目立项」下没有三级指标" in errors


def test_sector_packs_need_a_sector_and_common_packs_one_type() -> None:
    pack = minimal()
    pack.engagement_types = ["project", "department", "audit"]
    errors = validate_pack(pack)
    assert (
        "适用评价类型「audit」无效，应为 project、self_eval_review、department、ex_ante 之一"
        in errors
    )
    assert "共性指标包是某一评价类型的指标框架，只能对应一种评价类型" in errors
    pack = minimal()
    pack.kind = "sector"
    assert validate_pack(pack) == ["个性指标包必须注明所属领域（sector）"]


def test_validate_library_finds_conflicts_between_packs() -> None:
    first, second = minimal(), minimal()
    first.origin, second.origin = "common/a.yaml", "common/b.yaml"
    assert validate_library([first, second]) == [
        "common/b.yaml：指标包代码「demo」与 common/a.yaml 重复",
        "common/b.yaml：评价类型 project 已有共性框架 common/a.yaml",
    ]


def test_load_all_checks_folders_and_duplicates(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "sectors").mkdir()
    (tmp_path / "common" / "project.yaml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "sectors" / "copy.yml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "sectors" / "broken.yaml").write_text("key: [\n", encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_all(tmp_path)
    errors = caught.value.messages
    assert errors[0].startswith("sectors/broken.yaml：YAML 格式错误")
    assert "sectors/copy.yml：位于 sectors/ 目录的指标包，类型（kind）应为 sector" in errors
    assert "sectors/copy.yml：指标包代码「demo」与 common/project.yaml 重复" in errors
    with pytest.raises(PackError, match="指标库目录不存在"):
        load_all(tmp_path / "missing")


def test_dump_yaml_round_trips_and_keeps_weights_decimal_friendly() -> None:
    pack = minimal()
    text = dump_yaml(pack)
    assert load_pack(text) == pack
    data = yaml.safe_load(text)
    leaves = [
        leaf
        for level1 in data["indicators"]
        for level2 in level1["children"]
        for leaf in level2["children"]
    ]
    assert [leaf["weight"] for leaf in leaves] == ["37.5", "62.5"]
    assert "sector" not in data  # a common pack has no sector
    pack.indicators[0].children[0].children[0].weight = Decimal("4.00")
    assert "weight: 4\n" in dump_yaml(pack)


def test_dump_writes_multiline_text_as_literal_block() -> None:
    pack = minimal()
    pack.notes = "第一行\n第二行"
    text = dump_yaml(pack)
    assert "notes: |-\n  第一行\n  第二行\n" in text
    assert load_pack(text).notes == "第一行\n第二行"


@pytest.mark.parametrize("pack", load_all(default_library_root()), ids=lambda pack: pack.key)
def test_shipped_packs_round_trip_through_yaml(pack: Pack) -> None:
    again = load_pack(dump_yaml(pack))
    assert again == pack
    assert dump_yaml(again) == dump_yaml(pack)


@settings(max_examples=40, deadline=None)
@given(pack_strategy())
def test_any_pack_round_trips_through_yaml(pack: Pack) -> None:
    assert load_pack(dump_yaml(pack)) == pack
