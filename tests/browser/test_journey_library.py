"""Journey: search the library, write a personal indicator, propose it; the admin reviews."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_evaluator_proposes_and_admin_approves(page, live_server, tmp_path):
    base = live_server
    log_in(page, base, "demo-evaluator")
    page.click("nav >> text=指标库")
    page.fill("input[name=q]", "满意度")
    page.click("#library-search-submit")
    expect(page.locator("#library-results")).not_to_contain_text("立项依据充分性")
    expect(page.locator("#library-results")).to_contain_text("学生满意度")

    page.click("#library-results >> text=学生满意度")
    expect(page.locator("main")).to_contain_text("版本历史")
    assert "评价要点" in page.content()
    assert page.locator("#benchmark-status").count() == 1

    page.click("nav >> text=指标库")
    page.click("text=新建个人指标")
    page.fill("input[name=level1]", "效益")
    page.fill("input[name=level2]", "社会效益")
    page.fill("input[name=name]", "课后服务参与率")
    page.fill("textarea[name=definition]", "参加课后服务的学生占在校学生的比例。")
    page.fill("textarea[name=points]", "核实课后服务名单\n抽查签到记录")
    page.select_option("select[name=rule]", value="ratio")
    page.fill("input[name=weight]", "3")
    page.fill("input[name=tags]", "义务教育、课后服务")
    page.click("#library-save")
    page.wait_for_selector("#library-status")
    assert page.locator("#library-status").inner_text() == "个人"
    page.click("#library-propose")
    page.wait_for_selector("text=已提交审核")
    assert page.locator("#library-status").inner_text() == "待审核"
    page.screenshot(path=str(tmp_path / "library-detail.png"), full_page=True)

    page.context.clear_cookies()
    log_in(page, base, "demo-admin")
    page.goto(f"{base}/library/review")
    queue = page.locator("#review-queue").inner_text()
    assert "课后服务参与率" in queue and "营养餐供餐食谱达标率" in queue
    page.click("#review-queue >> text=课后服务参与率")
    page.click("#library-approve")
    page.wait_for_selector("text=纳入共享指标库")
    assert page.locator("#library-status").inner_text() == "共享"

    # The demo's proposal carries an old benchmark: the page says so; the admin returns it.
    page.goto(f"{base}/library/review")
    page.click("#review-queue >> text=营养餐供餐食谱达标率")
    assert "基准值已陈旧" in page.locator("#benchmark-status").inner_text()
    page.fill("#reject-reason", "请更新基准值后再提交")
    page.click("#library-reject")
    page.wait_for_selector("text=回到提交人的个人指标")
    assert "营养餐供餐食谱达标率" not in page.locator("#review-queue").inner_text()


def test_bureau_has_no_library(page, live_server):
    log_in(page, live_server, "demo-bureau")
    assert "指标库" not in page.locator("nav").inner_text()
    response = page.goto(f"{live_server}/library")
    assert response.status == 403


def test_lead_browses_the_picker_and_adds_from_a_pinyin_search(page, live_server, tmp_path):
    base = live_server
    log_in(page, base, "demo-lead")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/engagements/1/indicators")
    page.click("text=从指标库添加")
    page.wait_for_selector("#library-results")  # results without a keyword
    assert page.locator(".library-result").count() == 20
    page.screenshot(path=str(tmp_path / "picker-1366.png"), full_page=True)

    # Browse: a pack, then an 一级 inside it; the counts say how many entries each holds.
    health = page.locator("[data-facet=pack] a[data-key=health]")
    count = int(health.locator(".badge").inner_text())
    health.click()
    expect(page.locator("#library-total")).to_have_text(f"共 {count} 项三级指标")
    assert page.locator(".library-result").count() == min(count, 20)
    output = page.locator("[data-facet=level1] a[data-key=产出]")
    under = int(output.locator(".badge").inner_text())
    output.click()
    expect(page.locator("#library-total")).to_have_text(f"共 {under} 项三级指标")
    expect(page.locator("#library-choice")).to_contain_text("一级：产出")
    assert page.locator("[data-facet=level2] a").count() >= 1

    # Search by pinyin initials inside the choice, then add the entry found.
    page.fill("#library-search input[name=q]", "jkda")
    page.click("#library-search button[type=submit]")
    result = page.locator(".library-result", has_text="居民电子健康档案建档率")
    expect(result).to_have_count(1)
    page.on("dialog", lambda dialog: dialog.accept())  # adding clears the lead's confirmation
    result.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("已从指标库添加“居民电子健康档案建档率”")
    expect(page.locator("#library-search input[name=q]")).to_have_value("jkda")  # same view

    # 医保 (the term a user once found nothing for) by its pinyin; 气象: nothing, and the page
    # says what the library does hold.
    page.click("#library-choice >> text=清除全部条件")
    page.fill("#library-search input[name=q]", "yibao")
    page.click("#library-search button[type=submit]")
    expect(page.locator("#library-results")).to_contain_text("基本医疗保险参保率")
    page.fill("#library-search input[name=q]", "气象")
    page.click("#library-search button[type=submit]")
    expect(page.locator("#library-empty")).to_contain_text("没有找到与“气象”匹配的指标")
    expect(page.locator("#library-overview")).to_contain_text("卫生健康领域个性指标")

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base}/engagements/1/indicators/library?q=jkda")
    assert not page.locator("#library-facets").is_visible()  # folded behind a button on a phone
    page.click("text=按指标包、行业、层级浏览")
    page.wait_for_selector("#library-facets.show")  # unfolded, the animation over
    page.screenshot(path=str(tmp_path / "picker-375.png"), full_page=True)
    page.goto(f"{base}/engagements/1/indicators")
    expect(page.locator("main")).to_contain_text("居民电子健康档案建档率")
