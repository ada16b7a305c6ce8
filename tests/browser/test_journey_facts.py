"""Journey: the lead corrects a fact once, sees the bound indicator follow it, reads the 报告体检,
acknowledges its warnings and inserts a fact field into a report section."""

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_lead_edits_a_fact_and_acknowledges_the_check(page, live_server):
    base = live_server
    log_in(page, base, "demo-lead")
    page.goto(f"{base}/engagements/1")
    assert page.locator(".nav-tabs a[href='/engagements/1/facts']").count() == 1
    page.goto(f"{base}/engagements/1/facts")
    page.wait_for_selector("#facts-table")
    assert "来自底稿 D-07-01" in page.locator("#fact-row-budget").inner_text()

    page.fill("#fact-beneficiaries", "很多")
    page.click("#facts-form button[type=submit]")
    page.wait_for_selector("text=实际受益人数“很多”不是有效的数字")
    assert "50,936人" in page.locator("#fact-row-beneficiaries").inner_text()

    page.fill("#fact-beneficiaries", "51,200")
    page.click("#facts-form button[type=submit]")
    page.wait_for_selector("text=已同步更新指标：受益学生人数")
    assert "51,200人" in page.locator("#bindings-form").inner_text()

    page.goto(f"{base}/engagements/1/report")
    page.wait_for_selector("#checkup-findings")  # the card loads after the page
    card = page.locator("#checkup")
    assert "评分结果尚未经项目负责人签字确认" in card.inner_text()
    page.click("#acknowledge-checkup")
    page.wait_for_selector("#checkup-ack")
    assert "以上警告已由李项目" in page.locator("#checkup-ack").inner_text()

    page.locator("a[href*='/sections/']").first.click()
    page.wait_for_selector("#insert-fact")
    page.click("#editor")
    page.keyboard.press("End")
    page.select_option("#insert-fact", "{{fact:budget}}")
    assert "{{fact:budget}}" in page.locator("#editor").inner_text()
