"""Journey: the section editor's 保存 after typing saves (the blur autosave it triggers is awaited).

A stale save is still refused with the conflict message: tests/reports/test_drafting.py.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in, open_tab

pytestmark = __import__("pytest").mark.browser

CONFLICT = "该章节已被他人修改"


def _open_section(page, base: str, title: str) -> None:
    page.goto(f"{base}/")
    page.locator("td a", has_text="营养改善计划补助资金绩效评价").first.click()
    page.wait_for_selector("#flow")
    open_tab(page, "评价报告")
    page.wait_for_selector("#sections")
    page.click(f"#sections >> text={title}")
    page.locator("#editor").wait_for(state="visible")
    expect(page.locator("#content")).to_be_hidden()  # reports.js has swapped in the editor


def _type_at_end(page, text: str) -> None:
    page.locator("#editor").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(text)


def test_save_right_after_typing_saves_without_a_conflict(page, live_server):
    log_in(page, live_server, "demo-evaluator")
    _open_section(page, live_server, "（一）主要经验及做法")
    for round_ in range(3):  # the button's save raced the autosave its own click started
        _type_at_end(page, f"第{round_}次补充，随即点保存。")
        # Wait for the reload the save ends in: the previous round's 已保存 is still on the page until
        # then, and typing into a page that is being left is lost (the next round saved nothing).
        with page.expect_navigation():
            page.click("#save-section")
        expect(page.locator(".alert-success")).to_contain_text("已保存")
        expect(page.locator("body")).not_to_contain_text(CONFLICT)
        expect(page.locator("#editor")).to_contain_text(f"第{round_}次补充，随即点保存。")
