"""The ex-ante conclusion on the report page: derived from the signed score, never picked by hand."""

from __future__ import annotations

from tests.reports.report_helpers import ex_ante_engagement
from workbench.indicators import services as indicators
from workbench.reports import collect, context_plan
from workbench.scoring import services as scoring


def test_the_page_shows_the_band_conclusion_only_after_the_lead_signs(db, demo, login):
    engagement = ex_ante_engagement(db, demo, [12, 13, 14, 13, 12])  # 64 → 调整后支持
    client = login("demo-lead")
    page = client.get(f"/engagements/{engagement.id}/report").get_data(as_text=True)
    assert "评估结论：<strong>待定</strong>" in page
    assert "尚未经项目负责人签字确认，评估结论待定" in page
    assert 'name="ex_ante_conclusion"' not in page  # nothing to pick
    indicators.confirm(db, actor=demo.users["demo-lead"], engagement=engagement)
    scoring.sign(db, actor=demo.users["demo-lead"], engagement=engagement)
    page = client.get(f"/engagements/{engagement.id}/report").get_data(as_text=True)
    assert "评估结论：<strong>调整后支持</strong>" in page
    assert "80分及以上予以支持，60分及以上不足80分调整后支持，不足60分不予支持" in page


def test_a_posted_choice_has_no_route_and_changes_nothing(db, demo, login):
    engagement = ex_ante_engagement(db, demo, [10, 10, 10, 10, 10])  # 50 → 不予支持
    indicators.confirm(db, actor=demo.users["demo-lead"], engagement=engagement)
    scoring.sign(db, actor=demo.users["demo-lead"], engagement=engagement)
    client = login("demo-lead")
    answer = client.post(
        f"/engagements/{engagement.id}/report/conclusion", data={"ex_ante_conclusion": "予以支持"}
    )
    assert answer.status_code == 404
    page = client.get(f"/engagements/{engagement.id}/report").get_data(as_text=True)
    assert "评估结论：<strong>不予支持</strong>" in page


def test_a_project_engagement_has_no_conclusion_card(db, demo, login):
    page = login("demo-lead").get(f"/engagements/{demo.engagement.id}/report")
    assert 'id="ex-ante-conclusion"' not in page.get_data(as_text=True)


def test_an_ex_ante_engagement_says_assessment_on_its_tabs_pages_and_plan(db, demo, login):
    engagement = ex_ante_engagement(db, demo, [12, 13, 14, 13, 12])
    client = login("demo-lead")
    report = client.get(f"/engagements/{engagement.id}/report").get_data(as_text=True)
    plan = client.get(f"/engagements/{engagement.id}/plan").get_data(as_text=True)
    tab = f'href="/engagements/{engagement.id}/report">评估报告</a>'
    assert tab in report and f'href="/engagements/{engagement.id}/plan">评估方案</a>' in plan
    assert "<title>评估报告 ·" in report and "生成事前绩效评估报告</button>" in report
    assert "评估工作方案的章节" in plan and "生成评估工作方案</button>" in plan
    for page in (report, plan):
        assert ">评价报告</a>" not in page and ">评价方案</a>" not in page
    context = context_plan.plan_context(collect.inputs(db, engagement, deliverable="plan"))
    assert context["title"].endswith("事前绩效评估工作方案")
    assert context["schedule"][0]["content"].startswith("接受委托，组建评估工作组")
    assert [d["name"] for d in context["deliverables"]] == [
        "事前绩效评估工作方案", "事前绩效评估指标体系及评分标准", "事前绩效评估评分表",
        "事前绩效评估报告（征求意见稿）", "征求意见采纳情况表", "事前绩效评估报告（正式稿）",
        "评估档案",
    ]  # fmt: skip


def test_an_evaluation_keeps_its_names(db, demo, login):
    page = login("demo-lead").get(f"/engagements/{demo.engagement.id}/report")
    text = page.get_data(as_text=True)
    assert f'href="/engagements/{demo.engagement.id}/report">评价报告</a>' in text
    assert "生成评价报告</button>" in text
