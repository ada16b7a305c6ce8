"""Journey: draft a report section in the editor (autosave), generate and download the report,
sign it three times, send the 征求意见稿, and let the unit answer point by point."""

import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, open_tab

pytestmark = pytest.mark.browser


def _open_demo(page, base: str, tab: str) -> None:
    page.goto(f"{base}/")
    page.locator("td a", has_text="营养改善计划补助资金绩效评价").first.click()
    page.wait_for_selector("#flow")
    open_tab(page, tab)


def test_evaluator_drafts_with_autosave_and_generates_the_report(page, live_server, tmp_path):
    base = live_server
    log_in(page, base, "demo-evaluator")
    _open_demo(page, base, "评价报告")
    page.wait_for_selector("#sections")
    assert (
        page.locator("#sections tr[data-key]").count() == 16
    )  # 项目支出 outline, 第二十八条 included
    page.click("#sections >> text=（三）绩效评价工作过程")

    editor = page.locator("#editor")
    editor.wait_for(state="visible")
    # reports.js swaps the plain textarea for the editor; on a busy machine the script runs a moment
    # after the editor element is visible, so wait for the swap instead of checking at once.
    expect(page.locator("#content")).to_be_hidden()
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("浏览器中补充的一段：{{ project.name }} 不会被执行。")
    page.click("#editor-toolbar [data-cmd=bold]")
    page.keyboard.type("加粗的结论")
    page.click("#section-heading")  # leaving the editor autosaves
    page.wait_for_selector("#autosave-status.text-success")
    assert "已自动保存" in page.locator("#autosave-status").inner_text()

    page.reload()
    editor = page.locator("#editor")
    editor.wait_for(state="visible")
    assert "{{ project.name }} 不会被执行。" in editor.inner_text()
    assert editor.locator("strong").inner_text() == "加粗的结论"
    assert page.locator("#section-versions li").count() >= 2

    open_tab(page, "评价报告")
    page.wait_for_selector("#generate-report")
    page.select_option("#generate-report select[name=label]", value="初稿")
    page.click("#generate-report button[type=submit]")
    # Generated in the background: the page shows the job, polls it and reloads when done.
    page.wait_for_selector("text=正在生成文件，完成后页面会自动刷新")
    try:
        page.wait_for_selector("#version-table .download-link", timeout=120_000)
    except Exception:
        import faulthandler
        import sys

        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        raise
    with page.expect_download() as info:
        page.click("#version-table .download-link >> nth=0")
    download = info.value
    assert download.suggested_filename.endswith("评价报告（初稿）-第1版.docx")
    target = tmp_path / "report.docx"
    download.save_as(target)
    import docx

    texts = [p.text for p in docx.Document(str(target)).paragraphs]
    assert any("浏览器中补充的一段：{{ project.name }} 不会被执行。加粗的结论" in t for t in texts)

    if shutil.which("soffice") or shutil.which("libreoffice"):
        # The conversion runs in the background; the row polls until the PDF link appears.
        page.click("#version-table button[form^=pdf-] >> nth=0")
        page.wait_for_selector("text=正在转换为 PDF")
        page.wait_for_selector("#version-table .pdf-link", timeout=90_000)
        with page.expect_download() as pdf:
            page.click("#version-table .pdf-link >> nth=0")
        assert pdf.value.suggested_filename.endswith("第1版.pdf")

    page.click("#sign-prepare")
    page.wait_for_selector("text=已编制签字")
    assert "张评价" in page.locator("[data-level=prepare]").inner_text()
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)


def test_review_approve_consultation_and_the_units_answers(page, live_server):
    base = live_server
    page.on("dialog", lambda dialog: dialog.accept())
    for username, level in (("demo-reviewer", "review"), ("demo-lead", "approve")):
        log_in(page, base, username)
        _open_demo(page, base, "评价报告")
        page.wait_for_selector(f"#sign-{level}")
        page.click(f"#sign-{level}")
        page.wait_for_selector(f"[data-level={level}] .text-success")
    # The approval locks the sections.
    assert "已通过三级复核" in page.locator("#lock-banner").inner_text()
    page.select_option("#generate-report select[name=label]", value="征求意见稿")
    page.click("#generate-report button[type=submit]")
    page.wait_for_selector("#version-table .badge:text('征求意见稿')", timeout=60_000)

    open_tab(page, "征求意见")
    page.wait_for_selector("#send-draft")
    page.fill("textarea[name=message]", "请对征求意见稿提出修改意见。")
    page.click("#send-draft")
    page.wait_for_selector("text=征求意见稿已发送给被评价单位联系人")

    log_in(page, base, "demo-unit")
    page.wait_for_selector("#consultation-panel")
    page.click("#consultation-panel a")
    page.wait_for_selector("#download-draft")
    with page.expect_download() as info:
        page.click("#download-draft")
    assert info.value.suggested_filename.endswith("（征求意见稿）-第2版.docx")
    page.fill("#reference", "四、（二） 第8页")
    page.fill("#opinion-content", "资金使用合规性部分的金额应为3.1万元。")
    page.click("#add-opinion")
    page.wait_for_selector("text=第1条意见已保存")
    page.click("#complete-feedback")
    page.wait_for_selector("#feedback-closed")
    assert page.locator(".nav-tabs >> text=评价报告").count() == 0

    log_in(page, base, "demo-evaluator")
    _open_demo(page, base, "征求意见")
    page.wait_for_selector(".answer-form")
    page.select_option(".answer-form select[name=adoption]", value="采纳")
    page.fill(".answer-form input[name=reason]", "已核对凭证并更正金额。")
    page.click(".answer-form button[type=submit]")
    page.wait_for_selector("#consultation-done")
    page.click("#generate-opinion-table button")
    try:
        page.wait_for_selector("#version-table .download-link", timeout=120_000)
    except Exception:
        import faulthandler
        import sys

        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        raise
    assert "意见采纳情况表" in page.locator("#version-table").inner_text()
