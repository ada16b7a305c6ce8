"""Journey: an evaluator writes a paper and uploads evidence; reviewer and lead sign; three sign-offs."""

import re

import pytest

from tests.browser.conftest import fill_site_visit, log_in, new_context, open_tab
from tests.fieldwork.helpers import PDF, jpeg

pytestmark = pytest.mark.browser


def _as(browser, base: str, username: str):
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    log_in(page, base, username)
    return context, page


def test_paper_prepared_reviewed_and_approved(browser, live_server, tmp_path):
    base = live_server
    context, page = _as(browser, base, "demo-evaluator")
    page.click("table a:has-text('营养改善计划补助资金绩效评价')")
    open_tab(page, "工作底稿")
    page.wait_for_selector("#papers")
    assert page.locator('[data-paper="D-01-01"]').count() == 1  # the demo's papers are listed

    page.click("#new-paper")
    page.select_option("select[name=template]", value="site_visit")
    page.fill("input[name=title]", "第二中心小学食堂现场核查")
    page.click("#create-paper")
    page.wait_for_selector("#paper-form")
    assert "已创建" in page.locator(".alert-success").inner_text()
    index = fill_site_visit(
        page,
        site="示例市第二中心小学",
        visit_date="2025-03-10",
        summary="食堂运行规范，留样记录完整。",
    )
    assert re.fullmatch(r"D-04-\d\d", index)
    paper_url = page.url

    page.set_input_files(
        "input[name=files]",
        files=[
            {"name": "留样柜.jpg", "mimeType": "image/jpeg", "buffer": jpeg("2025:03:10 09:30:00")},
            {"name": "留样记录.pdf", "mimeType": "application/pdf", "buffer": PDF},
        ],
    )
    page.click("#upload-submit")
    page.wait_for_selector("text=已上传 2 个文件")
    table = page.locator("#evidence-table").inner_text()
    assert "留样柜.jpg" in table and "留样记录.pdf" in table and "2025-03-10 09:30" in table
    page.click("#sign-prepare")
    page.wait_for_selector("text=已作为编制人签字")
    context.close()

    context, page = _as(browser, base, "demo-reviewer")
    page.goto(paper_url)
    page.click("#sign-review")
    page.wait_for_selector("text=已作为复核人签字")
    context.close()

    context, page = _as(browser, base, "demo-lead")
    page.goto(paper_url)
    page.click("#sign-approve")
    page.wait_for_selector("text=已作为项目负责人签字")
    signers = page.locator(".signoff .signer").all_inner_texts()
    assert signers == ["张评价", "赵复核", "李项目"]
    assert page.locator("#signoffs").inner_text().count("与当前内容一致") == 3
    assert "已批准" in page.locator("h2").first.inner_text()
    page.screenshot(path=str(tmp_path / "paper.png"), full_page=True)
    context.close()
