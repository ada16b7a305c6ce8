"""Journey (issue 15 item 4): on an approved paper the evaluator is told whose signatures an upload
clears and must tick to go on; the reviewer then waits until the preparer re-signs. Editing the
reviewed paper afterwards asks the same way: refused until ticked, then saved."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, new_context
from tests.fieldwork.helpers import PDF

pytestmark = pytest.mark.browser


def _as(browser, base: str, username: str):
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    log_in(page, base, username)
    return context, page


def test_upload_to_an_approved_paper_asks_first_and_the_order_holds(browser, live_server, tmp_path):
    base = live_server
    evaluator, page = _as(browser, base, "demo-evaluator")
    page.goto(f"{base}/engagements/1/papers?status=approved")
    page.locator("#papers tr[data-paper] a").first.click()
    page.wait_for_selector("#signoffs")
    paper_url = page.url
    warning = page.locator("#clear-warning")
    assert "（复核人）" in warning.inner_text() and "（项目负责人）" in warning.inner_text()
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "补充说明.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.click("#upload-submit")  # not ticked: the browser keeps the form (required checkbox)
    assert page.url == paper_url and page.locator(".alert-success").count() == 0
    page.check("#confirm-clear")
    page.click("#upload-submit")
    page.wait_for_selector("text=已上传 1 个文件")
    page.screenshot(path=str(tmp_path / "after-upload.png"), full_page=True)
    assert page.locator("#resign-prepare").count() == 1  # the preparer confirms the new content

    reviewer, other = _as(browser, base, "demo-reviewer")
    other.goto(paper_url)
    hint = other.locator("#sign-hint").inner_text()
    assert "编制签字后底稿内容有修改，须由编制人核对后重新签字，才能复核" in hint
    assert other.locator("#sign-review").count() == 0
    other.screenshot(path=str(tmp_path / "reviewer-waits.png"), full_page=True)

    page.click("#resign-prepare")
    page.wait_for_selector("text=已作为编制人签字")
    other.reload()
    other.click("#sign-review")
    other.wait_for_selector("text=已作为复核人签字")

    # Editing the reviewed paper names the reviewer's signature and needs the tick (issue 15).
    page.goto(paper_url + "/edit")
    warning = page.locator("#clear-warning")
    expect(warning).to_contain_text("保存对内容的修改将清除")
    expect(warning).to_contain_text("（复核人）")
    title = page.locator("#title")
    title.fill(title.input_value() + "（补充）")
    page.click("#save-paper")
    expect(page.locator(".alert-danger", has_text="保存对底稿的修改将清除")).to_be_visible()
    expect(page.locator("#clear-warning-check")).not_to_be_checked()
    page.check("#clear-warning-check")
    page.click("#save-paper")
    expect(page.locator(".alert-success", has_text="已保存")).to_be_visible()
    expect(page.locator("#signoffs .signoff[data-level=review]")).to_contain_text("未签字")
    reviewer.close()
    evaluator.close()
