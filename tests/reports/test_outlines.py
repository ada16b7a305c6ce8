"""Outline profiles as data (pure): the shipped profiles, and bad files refused with clear messages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workbench.reports import outlines
from workbench.reports.outlines import ProfileError

GOOD = """\
key: bureau_project
name: 某市财政局项目支出评价报告提纲
engagement_type: project
document_title: 绩效评价报告
chapters:
  - title: 项目基本情况
    contents:
      - {key: overview, heading: 项目概况}
  - title: 评价结论
    contents:
      - block: score_table
      - {key: conclusion}
"""


def _errors(source: str | bytes) -> list[str]:
    with pytest.raises(ProfileError) as caught:
        outlines.parse(source)
    return caught.value.errors


@pytest.mark.parametrize("kind", sorted(outlines.ENGAGEMENT_TYPES))
def test_every_shipped_profile_parses(kind: str) -> None:
    profile = outlines.shipped(kind)
    assert profile.engagement_type == kind
    assert all(not outlines._NUMBERED.match(c.title) for c in profile.chapters)


def test_department_profile_follows_article_27_in_order() -> None:
    profile = outlines.shipped("department")
    assert [c.title for c in profile.chapters] == [
        "部门概述",
        "部门整体支出管理及使用情况",
        "部门管理情况",
        "部门整体绩效评价结果",
        "绩效偏离情况",
        "绩效评价结论、整改措施及改进建议",
        "其他需要说明的问题",
    ]
    spending = profile.chapters[1].items
    assert [i.heading for i in spending if i.heading] == ["基本支出", "项目支出", "“三公”经费"]


def test_project_profile_shows_article_28_contents() -> None:
    sections = outlines.drafting_sections(outlines.shipped("project"), ["决策", "过程"])
    found = {s.key: (s.chapter, s.heading) for s in sections}
    assert found["management"] == ("一、基本情况", "（三）项目管理情况")
    assert found["rectification"] == ("六、有关建议", "（一）绩效整改措施")
    assert found["suggestions"] == ("六、有关建议", "（二）绩效改进建议")
    assert found["l1:过程"] == ("四、绩效评价指标分析", "（二）过程指标分析")


def test_self_review_profile_has_a_threshold_and_the_comparison() -> None:
    profile = outlines.shipped("self_eval_review")
    assert profile.gap_threshold == Decimal("10")
    assert "self_review_table" in profile.blocks
    assert outlines.parse(GOOD).gap_threshold is None


def test_a_good_profile_parses() -> None:
    profile = outlines.parse(GOOD.encode("utf-8"))
    assert [c.title for c in profile.chapters] == ["项目基本情况", "评价结论"]
    assert [s.key for s in profile.sections] == ["overview", "conclusion"]


def test_invalid_yaml_names_line_and_column() -> None:
    errors = _errors(GOOD.replace("- title: 评价结论", "- title: [评价结论"))
    assert len(errors) == 1
    assert errors[0].startswith("提纲不是有效的 YAML（第") and "行第" in errors[0]


def test_unknown_fields_are_named() -> None:
    errors = _errors(GOOD + "colour: red\n")
    assert errors == ["提纲有无法识别的字段：colour"]
    errors = _errors(GOOD.replace("{key: conclusion}", "{key: conclusion, size: 3}"))
    assert errors == ["第2章第2项有无法识别的字段：size"]


def test_duplicate_section_keys_are_refused() -> None:
    errors = _errors(GOOD.replace("{key: conclusion}", "{key: overview}"))
    assert errors == ["第2章第2项的 key “overview” 重复，每个章节的 key 须唯一"]


def test_duplicate_yaml_keys_are_refused() -> None:
    errors = _errors(GOOD.replace("document_title:", "name: 另一个名称\ndocument_title:"))
    assert errors == ["提纲第4行：字段“name”重复出现"]


def test_numbered_titles_are_refused() -> None:
    errors = _errors(GOOD.replace("title: 项目基本情况", "title: 一、项目基本情况"))
    assert errors == ["第1章的标题“一、项目基本情况”不要带序号，序号按顺序自动生成"]
    errors = _errors(GOOD.replace("heading: 项目概况", "heading: （一）项目概况"))
    assert errors == ["第1章第1项（overview）的标题“（一）项目概况”不要带序号，序号按顺序自动生成"]


def test_unknown_blocks_are_refused() -> None:
    errors = _errors(GOOD.replace("block: score_table", "block: pie_chart"))
    assert errors[0].startswith("第2章第1项的 block “pie_chart” 不存在，可用：score_table")
    assert "提纲须包含综合得分表（block: score_table）" in errors


def test_unknown_engagement_type_and_missing_chapters() -> None:
    errors = _errors("key: x1\nname: 提纲\nengagement_type: audit\ndocument_title: 报告\n")
    assert "engagement_type “audit” 无效，可用：project、self_eval_review、department、ex_ante" in (
        errors
    )
    assert "chapters 应列出至少一章" in errors


def test_oversize_files_are_refused() -> None:
    big = (GOOD + "#" + "x" * outlines.MAX_BYTES).encode("utf-8")
    errors = _errors(big)
    assert errors == [f"提纲文件过大（{len(big)} 字节，上限 {outlines.MAX_BYTES} 字节）"]


def test_non_utf8_files_are_refused() -> None:
    assert _errors(GOOD.encode("gbk")) == ["提纲文件须为 UTF-8 编码的 YAML 文本"]


@pytest.mark.parametrize("value", ["0", "-5", "abc", "150"])
def test_bad_thresholds_are_refused(value: str) -> None:
    source = outlines.shipped_source("self_eval_review").replace(
        "gap_threshold: 10", f"gap_threshold: {value}"
    )
    assert _errors(source) == [f"self_review 的 gap_threshold “{value}” 应为0到100之间的分数"]


def test_a_threshold_without_the_comparison_table_is_refused() -> None:
    errors = _errors(GOOD + "self_review: {gap_threshold: 5}\n")
    assert errors == ["self_review 只用于包含自评与复核对比表（block: self_review_table）的提纲"]


def test_not_a_mapping() -> None:
    assert _errors("- a\n- b\n") == ["提纲应为键值对文档（key、name、engagement_type、chapters …）"]


@pytest.mark.parametrize("text", ["key: " + "9" * 5000, "[" * 5000 + "]" * 5000])
def test_huge_numbers_and_deep_nesting_are_refused(text: str) -> None:
    assert _errors(text) == ["提纲无法读取：数字过长或嵌套过深"]
