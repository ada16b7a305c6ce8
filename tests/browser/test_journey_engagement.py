"""Journey: log in, create an engagement, add a member, see the flowchart, try to advance."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, open_tab

pytestmark = pytest.mark.browser


def test_lead_creates_engagement_builds_team_and_reads_blockers(page, live_server, tmp_path):
    base = live_server
    log_in(page, base, "demo-lead")
    assert "我的项目" in page.content()

    page.click("text=新建项目")
    page.fill("input[name=title]", "2025年度城乡居民基本医疗保险补助资金绩效评价")
    page.select_option("select[name=bureau_id]", label="示例市财政局")
    page.fill("input[name=budget_year]", "2025")
    page.fill("input[name=budget_amount]", "5600000")
    page.click("#save")
    page.wait_for_selector("#flow")
    assert page.locator(".flow-step").count() == 10
    assert page.locator('.flow-step[data-status="current"]').inner_text().find("接受委托") >= 0

    # Try to advance: refused (the lead has not signed yet), and the blockers say why.
    page.click("#advance")
    page.wait_for_selector(".alert-danger")
    assert "请先签署" in page.locator(".alert-danger").first.inner_text()
    blockers = page.locator("#blockers li").all_inner_texts()
    assert any("评价人员或复核人" in b for b in blockers)
    assert any("回避声明" in b or "独立性" in b for b in blockers)
    # The firm's default asks for the acceptance paper at this stage (a condition, not a tick box).
    assert any("业务承接评估表（A-01）" in b for b in blockers)
    expect(page.locator('#derived [data-derived="unmet"]').first).to_be_visible()

    # Add a member from the team page.
    open_tab(page, "工作组与声明")
    page.select_option("select[name=user_id]", label="张评价（demo-evaluator，机构人员）")
    page.select_option("select[name=role]", value="evaluator")
    page.fill("input[name=duty]", "现场核查")
    page.click("#add-member")
    page.wait_for_selector("text=已添加成员")
    assert "张评价" in page.locator("#members").inner_text()

    page.click("text=流程图")
    expect(page.locator("#blockers")).to_contain_text("张评价")  # the new member still has to sign
    blockers = page.locator("#blockers li").all_inner_texts()
    assert not any("评价人员或复核人" in b for b in blockers)
    assert any("张评价" in b for b in blockers)  # the new member still has to sign
    page.screenshot(path=str(tmp_path / "flowchart.png"), full_page=True)


def test_other_bureau_cannot_see_the_demo_engagement(page, live_server):
    log_in(page, live_server, "demo-bureau2")
    assert "营养改善计划" not in page.content()
    response = page.goto(f"{live_server}/engagements/1")
    assert response.status == 404
