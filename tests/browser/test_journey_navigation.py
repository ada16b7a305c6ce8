"""Layout that users see: the engagement tabs on one line at 1366 px and on a 768 px tablet; the
five options of a matrix row side by side on a 375 px phone; the statistics chart naming each
matrix row by its own sub-question; the favicon on every page."""

import json

import pytest

from tests.browser.conftest import log_in, new_context, open_tab

pytestmark = pytest.mark.browser


def _one_line(page, selector: str) -> None:
    """Every item of the bar sits on the first row and no label breaks inside."""
    tops = page.eval_on_selector_all(
        f"{selector} > li", "items => items.map(i => Math.round(i.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops
    heights = page.eval_on_selector_all(
        f"{selector} .nav-link", "links => links.map(a => a.getBoundingClientRect().height)"
    )
    assert max(heights) < 1.6 * min(heights), heights


@pytest.mark.parametrize("width", [1366, 768])
def test_engagement_tabs_fit_on_one_line(browser, live_server, tmp_path, width):
    context = new_context(browser, viewport={"width": width, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    log_in(page, live_server, "demo-lead")
    page.goto(f"{live_server}/engagements/1")
    _one_line(page, "#engagement-tabs")
    assert page.locator("#engagement-tabs .dropdown").count() == 4
    page.screenshot(path=str(tmp_path / f"tabs-{width}.png"))
    # Every page is still one click away: open a grouped tab, the group shows where one is.
    open_tab(page, "满意度调查")
    page.wait_for_url("**/surveys")
    here = page.locator("#engagement-tabs .nav-link.active")
    assert here.inner_text().strip() == "现场与调查：满意度调查" if width > 768 else "现场与调查"
    _one_line(page, "#engagement-tabs")
    assert not [u for u in missing if "favicon" in u], missing
    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert icon.endswith("/static/favicon.svg")
    context.close()


def test_unit_sees_only_its_groups(page, live_server):
    log_in(page, live_server, "demo-unit")
    page.goto(f"{live_server}/engagements/1")
    # 资料清单 alone in its group is a plain link; the follow-up pages share one dropdown.
    assert page.locator("#engagement-tabs > li > a.nav-link", has_text="资料清单").is_visible()
    assert page.locator("#engagement-tabs .dropdown").count() <= 1
    open_tab(page, "征求意见")
    page.wait_for_url("**/feedback*")


def test_matrix_rows_on_a_phone_and_chart_labels(browser, live_server, tmp_path):
    desk = new_context(browser, viewport={"width": 1366, "height": 900})
    desk.set_default_timeout(15000)
    page = desk.new_page()
    log_in(page, live_server, "demo-evaluator")
    page.goto(f"{live_server}/engagements/1/surveys")
    page.click("a:has-text('学生家长满意度调查')")
    page.click("#survey-nav >> text=统计分析")
    page.wait_for_selector("#chart-levels canvas")
    data = json.loads(page.locator("#survey-chart-data").text_content())
    matrix = [t for t in data["item_titles"] if "—" in t]
    assert matrix, "the demo survey has a matrix question"
    shown = [data["items"][data["item_titles"].index(t)] for t in matrix]
    assert len(set(shown)) == len(shown) and all(
        s == t.split("—")[-1] for s, t in zip(shown, matrix, strict=True)
    )
    page.screenshot(path=str(tmp_path / "stats-1366.png"), full_page=True)
    # A survey from the parents' template (its question 4 is a four-row matrix), opened.
    page.goto(f"{live_server}/engagements/1/surveys")
    page.select_option("#create-survey select[name=template]", value="parents")
    page.fill("#create-survey input[name=title]", "家长满意度调查（手机版式）")
    page.click("#create-submit")
    page.wait_for_selector("#questions")
    page.click("#survey-nav >> text=概况与发放")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#open-survey")
    page.wait_for_selector("text=问卷已开始回收")
    url = page.input_value("#public-url")
    desk.close()

    phone = new_context(
        browser, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    form = phone.new_page()
    form.goto(url)
    assert form.evaluate("document.documentElement.scrollWidth") <= 375
    rows = form.locator(".inline.cols")
    assert rows.count() == 4
    for i in range(rows.count()):
        labels = rows.nth(i).locator("label.opt")
        boxes = [labels.nth(k).bounding_box() for k in range(labels.count())]
        assert len({round(b["y"]) for b in boxes}) == 1, boxes  # one row, not 3 + 2
        assert len({round(b["height"]) for b in boxes}) == 1, boxes  # no label wraps
        assert all(b["x"] + b["width"] <= 375 for b in boxes)
        # Each label's text fits its column (the widest is 非常不满意).
        spans = labels.evaluate_all("ls => ls.map(l => l.scrollWidth <= l.clientWidth)")
        assert all(spans), spans
    form.screenshot(path=str(tmp_path / "matrix-375.png"), full_page=True)
    phone.close()
