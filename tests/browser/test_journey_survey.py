"""Journey: an evaluator creates a survey from a template, a respondent answers it on a phone
without logging in, the answer is counted; then the sample 问卷星 export is imported after the
column mapping is confirmed, and the statistics page shows the figures."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, new_context, open_tab
from tests.surveys.helpers import SAMPLES

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def answer_on_a_phone(browser, url: str, tmp_path) -> None:
    context = new_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    phone = context.new_page()
    phone.goto(url)
    assert "login" not in phone.url
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.check('input[name="a.q1"][value="0"]')
    phone.check('input[name="a.q2"][value="2"]')
    phone.check('input[name="a.q3"][value="0"]')
    phone.check('input[name="a.q3"][value="1"]')
    # Submitting without the required answers keeps the choices and says what is missing.
    phone.click("#survey-submit")
    phone.wait_for_selector("#form-errors")
    assert "为必答题" in phone.locator("#form-errors").inner_text()
    assert phone.is_checked('input[name="a.q2"][value="2"]')
    for row in range(4):
        phone.check(f'input[name="r.{row}.q4"][value="0"]')
    phone.check('input[name="a.q5"][value="0"]')
    phone.fill('textarea[name="a.q6"]', "希望补助按时发放")
    phone.screenshot(path=str(tmp_path / "phone-form.png"), full_page=True)
    phone.click("#survey-submit")
    phone.wait_for_selector("#survey-thanks")
    # The same phone cannot answer twice.
    phone.goto(url)
    assert "您已经填写过本问卷" in phone.locator("#survey-closed").inner_text()
    context.close()


def test_template_survey_answered_on_a_phone_then_sample_imported(
    page, browser, live_server, tmp_path
):
    base = live_server
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, base, "demo-evaluator")
    page.goto(f"{base}/engagements/1")
    open_tab(page, "满意度调查")
    page.wait_for_selector("#create-survey")
    page.select_option("#create-survey select[name=template]", value="parents")
    page.fill("#create-survey input[name=title]", "家长满意度调查（旅程）")
    page.click("#create-submit")
    page.wait_for_selector("#questions")
    assert page.locator("#questions > li").count() == 6

    page.click("#survey-nav >> text=概况与发放")
    page.click("#open-survey")
    page.wait_for_selector("text=问卷已开始回收")
    url = page.input_value("#public-url")
    assert "/s/" in url
    expect(page.locator("#qr")).to_be_visible()

    answer_on_a_phone(browser, url, tmp_path)

    page.reload()
    assert page.locator("#collected").inner_text().strip() == "1"

    page.click("#survey-nav >> text=导入答卷")
    page.set_input_files("#import-file", str(SAMPLES / "wjx_satisfaction_text.xlsx"))
    page.click("#upload-submit")
    page.wait_for_selector("#mapping")
    assert page.locator('#mapping tr[data-role="answer"]').count() == 9
    assert page.locator('#mapping tr[data-role="unmatched"]').count() == 0
    page.click("#confirm-import")
    page.wait_for_selector("#import-result")
    assert "新增 240 份答卷" in page.locator("#import-result").inner_text()

    page.click("#import-result >> text=查看统计分析")
    page.wait_for_selector("#items")
    overall = page.locator('#items tr[data-item="q5"]')
    assert overall.locator(".item-n").inner_text() == "241"
    # README: 198 of 240 satisfied, score sum 19940; plus this phone's 非常满意 (100).
    assert overall.locator(".item-rate").inner_text() == "82.57%"
    assert overall.locator(".item-score").inner_text() == "83.15"
    assert "回收 241 份，有效 241 份" in page.locator("#stats-basis").inner_text()
    page.wait_for_selector("#chart-levels canvas")
    assert "希望补助按时发放" in page.locator("#text-answers").inner_text()
    page.screenshot(path=str(tmp_path / "stats.png"), full_page=True)


def test_paper_questionnaires_are_typed_with_the_keyboard_only(page, live_server):
    base = live_server
    log_in(page, base, "demo-evaluator")
    page.goto(f"{base}/engagements/1/surveys")
    page.select_option("#create-survey select[name=template]", value="implementers")
    page.click("#create-submit")
    page.wait_for_selector("#questions")
    page.click("#survey-nav >> text=纸质问卷录入")
    page.wait_for_selector("#entry-form")
    # The browser applies `autofocus` when it next renders, a moment after the selector appears.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'paper_no'")
    page.keyboard.type("A-17")
    page.keyboard.press("Tab")
    # Single choices: one digit picks the option and moves on by itself.
    page.keyboard.type("2")  # 岗位: 项目管理人员
    page.keyboard.type("3")  # 年限: 3年以上
    for digit in "12121":  # five matrix rows
        page.keyboard.type(digit)
    page.keyboard.type("2")  # overall
    # Focus moves on in the input handler; wait for it rather than read it mid-move.
    expect(page.locator('[name="a.q5"]')).to_be_focused()
    shown = page.locator("[data-entry-shown]")
    expect(shown.nth(0)).to_have_text("2 项目管理人员")
    expect(shown.nth(2)).to_have_text("1 非常满意")
    expect(shown.nth(7)).to_have_text("2 满意")
    page.keyboard.type("经费到位慢")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=已保存纸质问卷")
    assert "（编号 A-17）" in page.locator(".alert-success").inner_text()
    assert page.input_value("#paper_no") == "" and page.input_value('input[name="a.q1"]') == ""
    assert "本问卷已有答卷 1 份" in page.locator("#entered").inner_text()
