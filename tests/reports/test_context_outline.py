"""The report context along outline profiles (pure): chapter order, table numbers, gap flags."""

from __future__ import annotations

from decimal import Decimal

from tests.reports.test_context_build import sample_inputs
from workbench.reports import context_outline, outlines
from workbench.reports.context_outline import SelfScore


def test_department_chapters_follow_article_27_and_number_their_sections():
    inputs = sample_inputs(sections={"dept_functions": "<p>负责全市教育工作。</p>"})
    context = context_outline.report_context(inputs, [], outlines.shipped("department"))
    assert [c["title"] for c in context["outline"]] == [
        "一、部门概述",
        "二、部门整体支出管理及使用情况",
        "三、部门管理情况",
        "四、部门整体绩效评价结果",
        "五、绩效偏离情况",
        "六、绩效评价结论、整改措施及改进建议",
        "七、其他需要说明的问题",
    ]
    # The last chapter's own text is printed with the closing block (kept on one page).
    assert context["outline"][-1]["contents"] == [] and context["closing_tail"] == []
    first = context["outline"][0]["contents"]
    assert [i["heading"] for i in first] == ["（一）部门职能", "（二）组织机构", "（三）人员情况"]
    assert first[0]["paragraphs"] == ["负责全市教育工作。"]
    assert context["appendix_table"] == 2 and context["self_review"] is None


def test_self_review_rows_flag_gaps_over_the_share_of_the_weight():
    inputs = sample_inputs()
    leaves = [leaf for leaf in inputs.leaves if not leaf.not_applicable]
    own = {(leaf.level1, leaf.level2, leaf.name): SelfScore(leaf.score) for leaf in leaves}
    first = leaves[0]
    own[(first.level1, first.level2, first.name)] = SelfScore(first.weight, "按满分自评。")
    table = context_outline.self_review(inputs.leaves, own, Decimal("10"))
    row = table["rows"][0]
    gap = first.score - first.weight
    assert row["gap"] == f"{gap:+.2f}" + ("※" if abs(gap) > first.weight / 10 else "")
    assert row["note"] == ("按满分自评。" if row["flagged"] else "")
    assert all(r["gap"] == "+0.00" for r in table["rows"][1:])
    assert table["complete"] and not table["flagged"]
    context = context_outline.report_context(inputs, [], outlines.shipped("self_eval_review"), own)
    kinds = [i["kind"] for c in context["outline"] for i in c["contents"] if i["kind"] != "text"]
    assert kinds[:2] == ["self_review_table", "score_table"]
    assert context["term"] == "复核" and context["appendix_table"] == 3
