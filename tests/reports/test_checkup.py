"""报告体检 on plain inputs: the same fact stated differently is an error; warnings are fingerprinted."""

from decimal import Decimal

from workbench.reports import checkup
from workbench.reports.checkup import (
    CheckInputs,
    FactValue,
    IndicatorValue,
    PaperFigure,
    SectionText,
    SurveyCount,
)

BUDGET = FactValue("budget", "预算资金", "money", Decimal(38600000), "3,860万元",
                   ("预算资金", "预算金额"), "项目负责人录入")  # fmt: skip
RECEIVED = FactValue("received", "实际到位资金", "money", Decimal(37025000), "3,702.5万元",
                     ("实际到位资金", "到位资金"), "来自底稿 D-07-01")  # fmt: skip
EXECUTION = FactValue("execution_rate", "预算执行率", "percent", Decimal("95.63"), "95.63%",
                      ("预算执行率", "执行率"), "来自底稿 D-07-01")  # fmt: skip
STUDENTS = FactValue("beneficiaries", "实际受益人数", "count", Decimal(50936), "50,936人",
                     ("受益学生", "受益人数"), "项目负责人录入")  # fmt: skip
FACTS = (BUDGET, RECEIVED, EXECUTION, STUDENTS)


def messages(inputs: CheckInputs, level: str | None = None) -> list[str]:
    found = checkup.check(inputs).findings
    return [f"{f.where}：{f.message}" for f in found if level is None or f.level == level]


def clean(**changes) -> CheckInputs:
    base = dict(facts=FACTS, scores_signed=True)
    return CheckInputs(**(base | changes))


def test_nothing_to_report_when_everything_agrees():
    inputs = clean(
        indicators=[
            IndicatorValue("资金到位率", "3,860万元", "3,702.5万元", "budget", "received"),
            IndicatorValue("预算执行率", "100%", "95.63%"),
        ],
        sections=[
            SectionText(
                "一、项目概况",
                "预算资金3,860万元，实际到位资金3,702.50万元，"
                "预算执行率95.63%，受益学生约5.1万人。",
            )
        ],  # fmt: skip
        papers=[PaperFigure("D-07-01", "合计执行率", Decimal("95.63"), "execution_rate")],
    )
    assert messages(inputs) == []


def test_a_hand_written_number_next_to_a_fact_label_is_compared():
    inputs = clean(sections=[SectionText("一、项目概况", "项目预算资金1,250万元，执行率93.35%。")])
    assert messages(inputs) == [
        "一、项目概况：正文“预算资金1,250万元”与基本信息预算资金“3,860万元”（项目负责人录入）不一致",
        "一、项目概况：正文“执行率93.35%”与基本信息预算执行率“95.63%”（来自底稿 D-07-01）不一致",
    ]


def test_units_are_converted_and_approximations_allowed_within_five_percent():
    ok = clean(sections=[SectionText("概况", "预算金额为0.386亿元，受益学生约5万人。")])
    assert messages(ok) == []
    wrong = clean(sections=[SectionText("概况", "受益学生约1.2万名。")])
    assert messages(wrong) == [
        "概况：正文“受益学生约1.2万名”与基本信息实际受益人数“50,936人”（项目负责人录入）不一致"
    ]


def test_unbound_indicator_values_are_compared_with_the_facts():
    inputs = clean(
        indicators=[
            IndicatorValue("资金到位率", "1,250万元", "1,200万元"),
            IndicatorValue("预算执行率", "100%", "91.2%"),
        ]
    )
    assert messages(inputs) == [
        "资金到位率：目标值“1,250万元”与基本信息预算资金“3,860万元”（项目负责人录入）不一致",
        "资金到位率：实际值“1,200万元”与基本信息实际到位资金“3,702.5万元”（来自底稿 D-07-01）不一致",
        "预算执行率：实际值“91.2%”与基本信息预算执行率“95.63%”（来自底稿 D-07-01）不一致",
    ]


def test_a_rate_of_another_subject_is_not_the_engagements_rate():
    # 政府采购执行率 (the shipped 部门整体 framework) is not the 预算执行率; 项目预算执行率 is.
    inputs = clean(
        indicators=[
            IndicatorValue("政府采购执行率", "100%", "99.1%"),
            IndicatorValue("项目预算执行率", "100%", "91.2%"),
        ]
    )
    assert messages(inputs) == [
        "项目预算执行率：实际值“91.2%”与基本信息预算执行率“95.63%”（来自底稿 D-07-01）不一致"
    ]


def test_a_bound_indicator_not_yet_synced_is_an_error():
    inputs = clean(indicators=[IndicatorValue("预算执行率", "100%", "91.2%", "", "execution_rate")])
    assert messages(inputs, "error") == [
        "预算执行率：实际值“91.2%”与绑定的预算执行率“95.63%”不一致，请在基本信息页同步指标取值"
    ]


def test_a_paper_computing_another_value_than_the_fact_is_an_error():
    inputs = clean(papers=[PaperFigure("D-07-01", "预算与支出合计执行率", Decimal("93.02"),
                                       "execution_rate")])  # fmt: skip
    assert messages(inputs) == [
        "底稿 D-07-01：预算与支出合计执行率计算为93.02%，基本信息预算执行率为95.63%（来自底稿 D-07-01）"
    ]


def test_survey_counts_alpha_people_sections_and_signature():
    inputs = CheckInputs(
        facts=FACTS,
        indicators=[
            IndicatorValue("绩效指标明确性", expert_scores=5),
            IndicatorValue("成本节约率", unscored="手工计分的指标须填写得分"),
        ],
        sections=[
            SectionText("二、评价工作开展情况", "回收有效问卷240份。"),
            SectionText("三、主要经验及做法", "", required=True),
            SectionText("一、项目概况", "", required=True, generated=True),
        ],
        surveys=[
            SurveyCount("家长满意度调查", 229, 373, Decimal("0.82")),
            SurveyCount("网络调查", 4, None, Decimal("-0.16")),
        ],
        expert_members=["周专家"],
        signers=[("报告复核人", "王复核", False)],
        scores_signed=False,
    )
    result = checkup.check(inputs)
    assert [f"{f.level_name}·{f.where}：{f.message}" for f in result.findings] == [
        "错误·二、评价工作开展情况：正文“有效问卷240份”与问卷统计的有效问卷数（4、229份）不一致",
        "错误·三、主要经验及做法：章节内容为空",
        "错误·绩效指标明确性：有5位专家打分，而项目专家组为1人（周专家）",
        "错误·报告复核人：签字人王复核已不是本项目工作组成员",
        "错误·成本节约率：尚未计分：手工计分的指标须填写得分",
        "错误·综合评分：评分结果尚未经项目负责人签字确认",
        "警告·一、项目概况：章节尚未撰写，文档中只有系统根据记录生成的内容",
        "警告·家长满意度调查：有效问卷229份，少于经批准方案计划的373份，报告中应说明样本不足对结论的影响",
        "警告·网络调查：Cronbach's α为-0.16（负值），题项间不一致，量表不可靠，附件中应提示该调查结果不宜作为评分依据",
    ]


def test_the_fingerprint_covers_the_warnings_only():
    one = checkup.check(clean(surveys=[SurveyCount("问卷", 10, 20, Decimal("0.9"))]))
    same = checkup.check(clean(surveys=[SurveyCount("问卷", 10, 20, Decimal("0.9"))],
                               sections=[SectionText("概况", "预算资金1元")]))  # fmt: skip
    other = checkup.check(clean(surveys=[SurveyCount("问卷", 11, 20, Decimal("0.9"))]))
    assert one.fingerprint == same.fingerprint != other.fingerprint
    assert len(one.fingerprint) == 64


def test_errors_block_only_the_versions_sent_out():
    assert checkup.blocks("送审稿") and checkup.blocks("正式稿")
    assert (
        not checkup.blocks("初稿") and not checkup.blocks("征求意见稿") and not checkup.blocks("")
    )


def test_a_fact_whose_paper_is_gone_is_an_error():
    gone = FactValue("spent", "实际支出", "money", None, "", (), "来源底稿已删除", "底稿已不存在")
    assert messages(clean(facts=(*FACTS, gone))) == ["实际支出：底稿已不存在"]
