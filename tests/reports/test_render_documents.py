"""render_docx with the plan, the ex-ante report and the forms; the template helpers."""

from __future__ import annotations

import copy
from types import ModuleType

import pytest

from tests.reports.test_render import (
    cell_text,
    cells,
    headings,
    load_samples,
    render,
    score_table_rows,
    span,
    vmerge,
)
from workbench.reports.render import cn_number, new_group


@pytest.fixture(scope="module")
def samples() -> ModuleType:
    return load_samples()


def paragraph_texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def table_texts(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_ex_ante_outline_conclusion_and_table(samples: ModuleType) -> None:
    document = render("ex_ante_report", samples.ex_ante_report())
    level1 = [text for style, text in headings(document) if style == "Heading 1"]
    assert level1 == [
        "一、评估对象基本情况",
        "二、评估工作开展情况",
        "三、综合评估情况与结论",
        "四、相关建议",
        "五、其他说明",
    ]
    level2 = [text for style, text in headings(document) if style == "Heading 2"]
    assert level2[0] == "（一）立项必要性" and level2[-1] == "（五）筹资合规性"
    texts = paragraph_texts(document)
    assert "评估结论：□予以支持　　☑调整后支持　　□不予支持" in texts
    assert "项目单位：某县教育局" in texts and "评估机构：某某绩效评价咨询有限公司" in texts
    rows = score_table_rows(document, "评估内容")
    assert [cell_text(tc) for tc in cells(rows[0])] == ["评估内容", "评估要点", "分值", "得分"]
    assert [vmerge(cells(tr)[0]) for tr in rows[1:11]] == ["restart", "continue"] * 5
    assert [cell_text(tc) for tc in cells(rows[11])] == ["合计", "100.00", "85.50"]
    assert span(cells(rows[11])[0]) == 2
    assert [cell_text(tc) for tc in cells(rows[-1])] == ["评估结论", "调整后支持"]


def test_plan_sections_sample_size_and_tables(samples: ModuleType) -> None:
    document = render("evaluation_plan", samples.evaluation_plan())
    level1 = [text for style, text in headings(document) if style == "Heading 1"]
    assert level1 == [
        "一、评价对象和范围",
        "二、评价依据",
        "三、评价方法和评价标准",
        "四、评价指标体系",
        "五、满意度调查抽样方案",
        "六、工作进度安排",
        "七、评价工作组及分工",
        "八、评审专家",
        "九、质量控制",
        "十、提交成果",
    ]
    texts = paragraph_texts(document)
    assert texts[texts.index("（一）评价对象") + 1] == (
        "本次评价对象为2024年度农村义务教育学生营养改善计划补助资金，预算年度为2024年，"
        "预算资金3,860.00万元，主管部门为某县教育局。"
    )
    assert "1. 《中华人民共和国预算法》" in texts
    joined = "\n".join(texts)
    assert "允许误差 e 取5%，计算得 n₀ = 385。" in joined
    assert "调查总体规模 N = 10,000，经有限总体校正，n = n₀ ÷ [1 + (n₀ − 1) ÷ N] = 370。" in joined
    assert "本次调查计划发放问卷400份。" in texts
    indicator = table_texts(document.tables[0])
    assert indicator[0] == ["一级指标", "二级指标", "三级指标", "分值", "评分标准"]
    assert indicator[1][2:] == [
        "立项依据充分性",
        "3.00",
        "立项依据充分性：按评分标准计分，详见指标解释。",
    ]
    assert indicator[-1][-2:] == ["100.00", ""]
    strata = table_texts(document.tables[1])
    assert strata[1:] == [["城区学校家长", "4,000", "160"], ["农村学校家长", "6,000", "240"]]
    team = next(t for t in document.tables if t.rows[0].cells[0].text == "姓名")
    assert table_texts(team)[1] == ["张三", "高级会计师", "项目负责人", "统筹与报告审核"]


def test_plan_without_survey_experts_or_finite_population(samples: ModuleType) -> None:
    context = samples.evaluation_plan() | {"sample_plan": None, "experts": []}
    texts = paragraph_texts(render("evaluation_plan", context))
    assert "本项目不涉及满意度调查。" in texts
    assert "评审专家待定。" in texts
    infinite = samples.evaluation_plan()
    infinite["sample_plan"] |= {"population": "", "strata": []}
    joined = "\n".join(paragraph_texts(render("evaluation_plan", infinite)))
    assert "n₀ = 385" in joined and "有限总体校正" not in joined
    assert "调查样本分配" not in joined


def test_score_sheet_rows_notes_and_signoffs(samples: ModuleType) -> None:
    document = render("score_sheet", samples.score_sheet())
    texts = paragraph_texts(document)
    assert texts[0] == "2024年度农村义务教育学生营养改善计划补助资金绩效评价评分表"
    assert "预算年度：2024年　　预算资金：3,860.00万元" in texts
    assert "评分人：李四　　复核人：赵六　　项目负责人：张三" in texts
    rows = score_table_rows(document)
    first = [cell_text(tc) for tc in cells(rows[1])]
    assert first == [
        "决策",
        "项目立项",
        "立项依据充分性",
        "3.00",
        "2.63",
        "1个评价要点部分满足（底稿：DG-01-01）",
    ]
    full_marks = [cell_text(tc) for tc in cells(rows[6])]
    assert full_marks[2:] == ["资金分配合理性", "4.00", "4.00", ""]
    assert [cell_text(tc) for tc in cells(rows[-1])] == ["评价等级", "良"]
    assert [cell_text(tc) for tc in cells(rows[-2])][-1] == "85.01"


def test_opinion_table_counts_adoption(samples: ModuleType) -> None:
    document = render("opinion_table", samples.opinion_table())
    rows = table_texts(document.tables[0])
    assert rows[0] == ["序号", "意见内容", "采纳情况", "理由及修改情况"]
    assert rows[2] == ["2", "受益学生人数应为51,020人。", "采纳", "已根据学籍系统数据更正。"]
    assert len(rows) == 4
    texts = paragraph_texts(document)
    assert "共收到意见3条，其中采纳1条，部分采纳1条，不采纳1条。" in texts
    assert "评价机构（盖章）：某某绩效评价咨询有限公司" in texts


def test_opinion_table_without_opinions(samples: ModuleType) -> None:
    document = render("opinion_table", samples.opinion_table() | {"opinions": []})
    rows = table_texts(document.tables[0])
    assert rows[1] == ["被评价单位对征求意见稿无修改意见。"] * 4  # one merged cell
    assert "共收到意见0条，其中采纳0条，部分采纳0条，不采纳0条。" in paragraph_texts(document)


def test_working_paper_header_findings_evidence_signoffs(samples: ModuleType) -> None:
    document = render("working_paper", samples.working_paper())
    header = table_texts(document.tables[0])
    assert header[0] == [
        "项目名称",
        "2024年度农村义务教育学生营养改善计划补助资金",
        "底稿索引号",
        "CW-02-03",
    ]
    assert header[1][1] == "资金使用合规性核查底稿"
    assert header[3][1] == "过程/资金管理/资金使用合规性"
    fields, findings, evidence, signoffs = (table_texts(t) for t in document.tables[1:])
    assert fields[1] == ["核查内容", "抽查12所学校2024年度食堂账簿、凭证。"]
    assert [row[3] for row in findings[1:]] == ["0.50", "0.50", "1.00"]
    assert evidence[1] == ["1", "记账凭证复印件", "某中心学校", "共15页"]
    assert signoffs[1] == ["编制人", "李四", "2025年2月18日", ""]
    assert signoffs[3] == ["项目负责人", "张三", "2025年2月21日", "同意"]


def test_working_paper_without_findings_or_evidence(samples: ModuleType) -> None:
    context = copy.deepcopy(samples.working_paper()) | {"findings": [], "evidence": []}
    document = render("working_paper", context)
    findings, evidence = (table_texts(t) for t in document.tables[2:4])
    assert findings[1][0] == "未发现问题。" and len(findings) == 2
    assert evidence[1][0] == "无。" and len(evidence) == 2


@pytest.mark.parametrize(
    ("number", "text"),
    [(1, "一"), (4, "四"), (10, "十"), (11, "十一"), (20, "二十"), (35, "三十五"), (0, "0")],
)
def test_cn_number(number: int, text: str) -> None:
    assert cn_number(number) == text


class FakeLoop:
    def __init__(self, first: bool, previtem: dict | None) -> None:
        self.first, self.previtem = first, previtem


def test_new_group_compares_with_the_previous_row() -> None:
    row = {"level1": "过程", "level2": "资金管理"}
    assert new_group(FakeLoop(True, None), row, "level1")
    assert not new_group(FakeLoop(False, {"level1": "过程", "level2": "资金管理"}), row, "level1")
    assert new_group(FakeLoop(False, {"level1": "决策", "level2": "资金管理"}), row, "level1")
    same_level1 = FakeLoop(False, {"level1": "过程", "level2": "组织实施"})
    assert not new_group(same_level1, row, "level1")
    assert new_group(same_level1, row, "level1", "level2")
