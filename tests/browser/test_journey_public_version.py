"""The lead marks a section internal and generates the 公开版 from the report page."""

from __future__ import annotations

import os

from playwright.sync_api import expect

from tests.browser.conftest import log_in, open_tab


def test_lead_marks_a_section_internal_and_generates_the_public_version(live_server, page):
    log_in(page, live_server, "demo-lead")
    page.locator("td a", has_text="营养改善计划补助资金绩效评价").first.click()
    open_tab(page, "评价报告")
    card = page.locator("#public-version")
    expect(card).to_contain_text("内部章节（不予公开）")
    card.get_by_label("五、主要经验及做法、存在的问题及原因分析 （一）主要经验及做法").check()
    page.click("#save-internal")
    expect(page.locator(".alert-success")).to_contain_text("1个章节标记为内部")
    page.click("#generate-public button")
    expect(page.locator(".alert-success")).to_contain_text(
        "已生成评价报告（公开版）第1版", timeout=60000
    )
    versions = page.locator("#public-versions")
    expect(versions).to_contain_text(
        "不予公开章节：五、主要经验及做法、存在的问题及原因分析 （一）主要经验及做法"
    )
    expect(versions).to_contain_text("删除个人信息：")
    shots = os.environ.get("WORKBENCH_SCREENSHOTS")
    if shots:
        card.screenshot(path=os.path.join(shots, "public-version-card.png"))
        page.screenshot(path=os.path.join(shots, "report-page.png"), full_page=True)
