"""Journey: the lead imports the sample indicator sheet on the page and reads 85.01 良."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, open_tab
from tests.indicators.helpers import SAMPLE, xlsx

pytestmark = pytest.mark.browser


def test_lead_imports_the_sample_sheet_and_sees_the_total_and_grade(page, live_server, tmp_path):
    base = live_server
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, base, "demo-lead")
    page.goto(f"{base}/engagements/1")
    page.wait_for_selector("#flow")
    open_tab(page, "指标体系")
    page.wait_for_selector("#indicator-tree")

    # A broken sheet first: the page lists the problem with its row and column, nothing changes.
    bad = tmp_path / "坏的指标表.xlsx"
    bad.write_bytes(xlsx([["产出", "数量", "完成率", 90, "ratio", "", "100%", "90%", None]]))
    page.set_input_files("#import-file", str(bad))
    # The demo system is confirmed: replacing it says whose confirmation goes and needs the tick.
    expect(page.locator("#import-clear-warning")).to_contain_text("对指标体系的确认")
    page.check("#import-clear-warning-check")
    page.click("#import-submit")
    page.wait_for_selector("#import-errors")
    assert "合计为90，应为100" in page.locator("#import-errors").inner_text()
    assert page.locator("#indicator-tree tr.leaf").count() == 24

    page.set_input_files("#import-file", str(SAMPLE))
    page.check("#import-clear-warning-check")
    page.click("#import-submit")
    page.wait_for_selector("text=已导入24项三级指标")
    assert page.locator("#indicator-tree tr.leaf").count() == 24
    assert "尚未经项目负责人确认" in page.locator("#confirmation").inner_text()

    # Row buttons post through the page's one form (formaction): move the first leaf down.
    leaves = page.locator("#indicator-tree tr.leaf")
    first = leaves.nth(0).get_attribute("data-name")
    leaves.nth(0).locator('button[value="down"]').click()
    expect(leaves.nth(1)).to_have_attribute("data-name", first)
    page.click("#confirm-system")
    page.wait_for_selector("text=指标体系已确认")

    open_tab(page, "综合评分")
    page.wait_for_selector("#score-table")
    # Re-importing keeps 家长满意度's link to the demo survey: 3.79 instead of the sheet's 4.00.
    assert page.locator("#total").inner_text().strip() == "84.79"
    assert page.locator("#grade").inner_text().strip() == "良"
    assert "81.40 × 100 ÷ 96 = 84.79" in page.locator("#rescale-note").inner_text()
    page.screenshot(path=str(tmp_path / "scoring.png"), full_page=True)
