"""Section text (pure): sanitizing the editor's HTML, Word paragraphs, diffs and the outlines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.reports import sections as text
from workbench.reports import textdiff


def test_plain_lines_become_escaped_paragraphs():
    html = text.clean("第一段\n\n  第二段 a < b & c  \n")
    assert html == "<p>第一段</p><p>第二段 a &lt; b &amp; c</p>"
    assert text.to_paragraphs(html) == ["第一段", "第二段 a < b & c"]


def test_scripts_attributes_and_unknown_tags_are_removed():
    raw = (
        '<p onclick="steal()" style="color:red">正文<img src=x onerror=alert(1)>'
        '<a href="javascript:alert(1)">链接</a></p><script>alert("x")</script>'
        "<style>p{}</style><iframe src=//evil></iframe><h1>标题</h1>"
    )
    html = text.clean(raw)
    assert html == "<p>正文链接</p><p>标题</p>"
    for bad in ("script", "onclick", "onerror", "javascript", "style", "iframe", "img", "<a"):
        assert bad not in html


def test_allowed_structure_survives_canonically():
    raw = (
        "<p>甲<b>乙</b><em>丙</em><br>丁</p><ol><li>一</li><li>二</li></ol><ul><li>点</li></ul>"
        "<table><tr><th>项目</th><th>金额</th></tr><tr><td>食材</td><td>3.2万元</td></tr></table>"
    )
    html = text.clean(raw)
    assert html == (
        "<p>甲<strong>乙</strong><em>丙</em><br>丁</p><ol><li>一</li><li>二</li></ol>"
        "<ul><li>点</li></ul><table><tbody><tr><th>项目</th><th>金额</th></tr>"
        "<tr><td>食材</td><td>3.2万元</td></tr></tbody></table>"
    )
    assert text.to_paragraphs(html) == [
        "甲乙丙\n丁",
        "1. 一",
        "2. 二",
        "· 点",
        "项目\t金额",
        "食材\t3.2万元",
    ]
    assert text.clean(html) == html  # canonical: cleaning twice changes nothing


def test_contenteditable_divs_become_paragraphs_and_nested_lists_flatten():
    html = text.clean("<div>第一行</div><div>第二行</div><ul><li>a<ul><li>b</li></ul></li></ul>")
    assert text.to_paragraphs(html) == ["第一行", "第二行", "· a", "· b"]


def test_template_syntax_is_kept_as_text():
    html = text.clean("<p>{{ project.name }} {% if x %}y{% endif %} {#c#}</p>")
    assert text.to_paragraphs(html) == ["{{ project.name }} {% if x %}y{% endif %} {#c#}"]


def test_escaped_markup_typed_in_the_editor_stays_literal():
    html = text.clean("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert text.to_paragraphs(html) == ["<script>alert(1)</script>"]


def test_oversized_text_and_input_are_refused():
    with pytest.raises(text.SectionTextError, match="上限 20000 字"):
        text.clean("字" * 20_001)
    with pytest.raises(text.SectionTextError, match="章节内容过长"):
        text.clean("<p>" + "x" * text.MAX_INPUT_CHARS + "</p>")
    assert len(text.to_text(text.clean("字" * 20_000))) == 20_000


def test_basis_items_without_prefixes():
    html = text.clean("<ol><li>《预算法》</li><li>《办法》</li></ol><p>委托合同</p>")
    assert text.list_items(html) == ["《预算法》", "《办法》", "委托合同"]


@given(st.text(max_size=300))
def test_any_input_gives_safe_canonical_html(raw):
    html = text.clean(raw)
    assert "<script" not in html.lower() and " on" not in html.split(">")[0]
    assert text.clean(html) == html
    for paragraph in text.to_paragraphs(html):
        assert paragraph == paragraph.strip(" ")


def test_diff_marks_changed_characters_and_counts_lines():
    rows = textdiff.diff_rows("甲\n乙\n丙", "甲\n乙改\n丁\n戊")
    assert [r.kind for r in rows] == ["equal", "replace", "replace", "insert"]
    changed = [s.text for s in rows[1].new if s.changed]
    assert changed == ["改"]
    assert textdiff.diff_stats(rows) == {"insert": 1, "delete": 0, "replace": 2}
    assert [r.kind for r in textdiff.diff_rows("a\nb", "a")] == ["equal", "delete"]


def test_report_outline_has_one_analysis_section_per_level1():
    outline = text.outline_for("report", ex_ante=False, level1_names=["决策", "过程", "产出"])
    keys = [s.key for s in outline]
    assert keys == [
        "overview", "goals", "purpose", "methodology", "process", "conclusion",
        "l1:决策", "l1:过程", "l1:产出", "experience", "problems", "suggestions", "other",
    ]  # fmt: skip
    assert outline[7].heading == "（二）过程指标分析"
    assert outline[7].chapter == "四、绩效评价指标分析"


def test_ex_ante_outline_puts_dimensions_before_the_conclusion():
    outline = text.outline_for("report", ex_ante=True, level1_names=["立项必要性", "投入经济性"])
    assert [s.heading for s in outline] == [
        "评估对象基本情况",
        "评估工作开展情况",
        "（一）立项必要性",
        "（二）投入经济性",
        "综合评估结论",
        "相关建议",
        "其他说明",
    ]
    plan = text.outline_for("plan", ex_ante=False, level1_names=["决策"])
    assert [s.key for s in plan][:3] == ["object", "scope", "basis"]
    assert not next(s for s in plan if s.key == "sample").required
