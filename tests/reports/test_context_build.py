"""Building the template contexts from plain inputs (pure), checked against the sample figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.reports.outline_helpers import paragraphs_of, project_context
from tests.reports.test_render import load_samples
from workbench.reports import context as ctx
from workbench.reports import context_plan, context_report
from workbench.reports import sections as text

SAMPLES = load_samples()
D = Decimal


def sample_leaves() -> list[ctx.LeafRow]:
    """The 24 leaves of the sample sheet with the findings of the sample contexts."""
    rows = []
    for level1, level2, name, weight, score, note, _paper in SAMPLES.LEAVES:
        na = score == "不适用"
        rows.append(
            ctx.LeafRow(
                level1, level2, name, D(weight), None if na else D(score), not_applicable=na,
                na_reason=note if na else "", explanation=note,
                findings=[ctx.Finding(t, p, D(a)) for t, a, p in SAMPLES.FINDINGS.get(name, [])],
            )
        )  # fmt: skip
    return rows


def sample_inputs(**overrides) -> ctx.Inputs:
    project = ctx.Project(
        title="2024年度农村义务教育学生营养改善计划补助资金绩效评价",
        type="project",
        code="JX-2025-017",
        bureau="某县财政局",
        unit="某县教育局",
        agency="某某绩效评价咨询有限公司",
        budget_year=2024,
        today=date(2025, 3, 20),
        budget_amount=D("38600000"),
        funds_available=D("37025000"),
        funds_spent=D("33767000"),
        planned_start=date(2025, 1, 1),
        planned_end=date(2025, 3, 31),
    )
    totals = ctx.Totals(D("81.61"), D(100), D(96), D("85.01"), "良")
    values = dict(project=project, leaves=sample_leaves(), totals=totals)
    return ctx.Inputs(**(values | overrides))


def test_project_name_and_money_format():
    p = sample_inputs().project
    assert p.name == "2024年度农村义务教育学生营养改善计划补助资金"
    assert ctx.project_dict(p) | {} == {
        "name": "2024年度农村义务教育学生营养改善计划补助资金",
        "bureau": "某县财政局",
        "unit": "某县教育局",
        "agency": "某某绩效评价咨询有限公司",
        "report_no": "JX-2025-017",
        "date": "2025年3月",
        "budget_year": "2024",
        "budget_amount": "3,860.00万元",
        "term": "评价",
        "kind_name": "绩效评价",
    }
    assert ctx.wan(D("12500000")) == "1,250.00万元" and ctx.wan(None) == "—"
    assert ctx.fmt2(D("2.625")) == "2.63" and ctx.pct(D("81.8")) == "81.80%"


def test_score_rows_and_totals_match_the_sample_contexts():
    inputs = sample_inputs()
    assert ctx.score_rows(inputs.leaves) == SAMPLES.score_rows()
    totals = ctx.totals_dict(inputs.totals, inputs.leaves)
    assert totals == SAMPLES.score_totals()


def test_level1_analysis_rates_and_findings():
    analysis = context_report.level1_analysis(sample_inputs())
    assert [(a["name"], a["weight"], a["score"], a["rate"]) for a in analysis] == [
        (a["name"], a["weight"], a["score"], a["rate"]) for a in SAMPLES.level1_analysis()
    ]
    benefit = analysis[3]
    assert "带动本地农产品采购" not in [i["name"] for i in benefit["indicators"]]
    process = analysis[1]["indicators"][2]
    assert process["name"] == "资金使用合规性"
    assert [(f["deduction"], f["paper_index"]) for f in process["findings"]] == [
        ("0.50", "CW-02-03"),
        ("0.50", "CW-02-03"),
        ("1.00", "CW-02-03"),
    ]


def test_report_context_puts_generated_facts_before_the_narrative():
    html = text.clean("<p>项目覆盖46所学校。{{ project.name }}</p>")
    inputs = sample_inputs(
        sections={"overview": html},
        visits=[
            ctx.Visit("commission", "接受委托", "签订合同", date(2025, 1, 2), date(2025, 1, 5)),
            ctx.Visit("plan", "评价方案", "制定方案", date(2025, 1, 5), None),
        ],
        papers=[
            ctx.Paper("D-01-01", "资料清单", "资料收集与现场评价"),
            ctx.Paper("D-03-02", "现场核查", "资料收集与现场评价"),
        ],  # fmt: skip
    )
    context = project_context(inputs)
    overview = paragraphs_of(context, "overview")
    assert overview[0] == (
        "2024年度农村义务教育学生营养改善计划补助资金预算年度为2024年，预算资金3,860.00万元，"
        "实际到位资金3,702.50万元，实际支出3,376.70万元，预算执行率91.20%。"
    )
    assert overview[-1] == "项目覆盖46所学校。{{ project.name }}"
    process = paragraphs_of(context, "process")
    assert process[0] == "2025年1月2日至2025年1月5日，接受委托阶段：签订合同。"
    assert process[1] == "2025年1月5日起，评价方案阶段：制定方案（进行中）。"
    assert "共形成工作底稿2份" in process[2] and "D-01-01至D-03-02" in process[2]
    assert context["total"] == "85.01" and context["grade"] == "良"
    assert context["survey"] is None and context["title"].endswith("绩效评价报告")


def test_unscored_engagement_says_pending():
    inputs = sample_inputs(totals=ctx.Totals(D(0), D(100), D(100), None, None))
    inputs.leaves[0].score = None
    totals = ctx.totals_dict(inputs.totals, inputs.leaves)
    assert totals["total"] == "待定" and totals["grade"] == "待定" and totals["score_note"] == ""
    assert ctx.score_rows(inputs.leaves)[0]["score"] == "未评分"


def test_chart_specs_cover_level1_level2_and_the_survey():
    survey = ctx.SurveySummary(
        240, 240,
        [ctx.SurveyRow("及时性", 240, D("79.58"), D("81.21"))],
        ctx.SurveyRow("总体", 240, D("82.50"), D("83.08")),
        levels=["非常满意", "满意", "一般", "不满意", "非常不满意"],
        counts=[[92, 99, 35, 9, 5]],
    )  # fmt: skip
    specs = context_report.chart_specs(sample_inputs(survey=survey))
    assert [s.function for s in specs] == ["level1_rate_chart", "bar_chart", "satisfaction_chart"]
    names, rates = dict(specs[0].arguments)["names"], dict(specs[0].arguments)["rates"]
    assert names == ("决策", "过程", "产出", "效益")
    assert [f"{r}%" for r in rates] == [a["rate"] for a in SAMPLES.level1_analysis()]


def test_survey_section_formats_rates_and_interval():
    survey = ctx.SurveySummary(
        240, 230,
        [ctx.SurveyRow("补助资金发放及时性", 230, D("79.58"), D("81.21"), D("74.04"), D("84.20"))],
        ctx.SurveyRow("总体满意度", 230, D("82.5"), D("83.08")),
        validity_rate=D("95.83"), alpha=D("0.8712"),
    )  # fmt: skip
    out = context_report.survey_dict(survey)
    assert out["rows"][0] == {
        "name": "补助资金发放及时性",
        "n": "230",
        "rate": "79.58%",
        "score_index": "81.21",
        "ci": "74.04%～84.20%",
    }
    assert out["validity_rate"] == "95.83%" and out["alpha"] == "0.87"
    assert out["alpha_note"] == "信度良好" and out["overall"]["ci"] == ""


@pytest.mark.parametrize(("population", "n"), [(None, "385"), (10_000, "370"), (1_000, "278")])
def test_sample_plan_uses_the_sample_size_formula(population, n):
    inputs = sample_inputs(has_survey=True, sample=ctx.SampleSettings(population=population))
    plan = context_plan.sample_plan(inputs)
    assert plan["n0"] == "385" and plan["n"] == n and plan["z"] == "1.96"
    assert plan["confidence"] == "95%" and plan["margin"] == "5%" and plan["p"] == "0.5"
    assert plan["target"] == n
    assert context_plan.sample_plan(sample_inputs(has_survey=False)) is None


def test_strata_share_the_target_by_largest_remainder():
    assert context_plan.allocate(400, [("城区", 4000), ("农村", 6000)]) == [160, 240]
    assert context_plan.allocate(10, [("a", 1), ("b", 1), ("c", 1)]) == [4, 3, 3]
    assert sum(context_plan.allocate(371, [("a", 7), ("b", 11), ("c", 13)])) == 371


def test_schedule_prints_the_plans_planned_dates_never_the_progress():
    recorded = {
        "前期准备": (date(2025, 1, 2), date(2025, 1, 20)),
        "现场评价": (date(2025, 1, 21), None),
        "分析评价": (None, date(2025, 3, 1)),
    }
    phases = context_plan.phases(recorded, date(2025, 1, 1), date(2025, 3, 31))
    assert [p.name for p in phases] == ["前期准备", "现场评价", "分析评价", "报告撰写", "资料归档"]
    assert [p.period for p in phases] == [
        "2025年1月2日—1月20日",
        "2025年1月21日起",
        "2025年3月1日前完成",
        "待定",
        "2025年3月31日前完成",  # the engagement's planned end closes the last phase
    ]
    assert all("进行中" not in p.period for p in phases)
    bare = context_plan.phases({}, date(2025, 1, 1), None)
    assert [p.period for p in bare] == ["2025年1月1日起", "待定", "待定", "待定", "待定"]
    assert [due for _, due in context_plan.deliverables(bare)] == ["待定"] * 7


def test_plan_context_lists_basis_team_experts_and_deliverables():
    inputs = sample_inputs(
        sections={"basis": text.clean("<ol><li>《预算法》</li><li>财预〔2020〕10号</li></ol>")},
        team=[ctx.Person("李项目", "项目负责人", "统筹")],
        experts=[ctx.Person("王五", "评审专家", title="教授", organisation="某大学", field="教育")],
    )
    plan = context_plan.plan_context(inputs)
    assert plan["basis"] == ["《预算法》", "财预〔2020〕10号"]
    assert plan["team"] == [{"name": "李项目", "title": "—", "role": "项目负责人", "duty": "统筹"}]
    assert plan["experts"][0]["organisation"] == "某大学"
    assert plan["weight_sum"] == "100.00"
    assert plan["deliverables"][0] == {"name": "绩效评价工作方案", "due": "待定"}
    assert all(row["score"] == "" for row in plan["score_rows"])


def test_ex_ante_conclusion_from_the_signed_total_through_the_bands():
    inputs = sample_inputs(scores_signed=True)
    assert context_report.ex_ante_conclusion(inputs).name == "予以支持"
    inputs.totals.total = D("79.99")
    assert context_report.ex_ante_conclusion(inputs).name == "调整后支持"
    inputs.totals.total = D("59.99")
    assert context_report.ex_ante_conclusion(inputs).name == "不予支持"
    sentence = context_report.ex_ante_conclusion(inputs).sentence
    assert "评估结论为“不予支持”" in sentence and "项目负责人确定" not in sentence


def test_ex_ante_conclusion_pending_while_unscored_or_unsigned():
    inputs = sample_inputs(scores_signed=False)
    pending = context_report.ex_ante_conclusion(inputs)
    assert pending.name == "" and "尚未经项目负责人签字确认" in pending.sentence
    inputs = sample_inputs(scores_signed=True)
    inputs.leaves[0].score = None
    pending = context_report.ex_ante_conclusion(inputs)
    assert pending.name == "" and "1项评估指标未评分" in pending.sentence


def test_opinion_table_context_prefixes_the_reference():
    out = ctx.opinion_table_context(
        sample_inputs().project,
        feedback_date=date(2025, 3, 18),
        opinions=[
            {"reference": "第8页", "content": "数据有误", "adoption": "采纳", "reason": "已改"}
        ],
    )
    assert out["feedback"] == {"unit": "某县教育局", "date": "2025年3月18日"}
    assert out["opinions"] == [
        {"content": "（第8页）数据有误", "adoption": "采纳", "reason": "已改"}
    ]


def test_goals_state_a_ratio_indicator_as_a_rate_on_its_planned_base():
    def leaf(name, rule, target):
        return ctx.LeafRow("过程", "资金管理", name, D(3), None, rule=rule, target=target)

    lines = context_report._generated_goals(
        [
            leaf("资金到位率", "ratio", "1,250.00万元"),
            leaf("预算执行率", "ratio", "100%"),
            leaf("受益学生人数", "ratio", "52,000人"),
        ]
    )
    assert lines[1] == (
        "过程指标：资金到位率目标值100%（计划1,250.00万元）；预算执行率目标值100%；"
        "受益学生人数目标值52,000人。"
    )
