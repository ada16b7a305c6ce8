"""Journey: the lead books an invoice on the finance tab; the admin reads the deposit ledger,
exports it to Excel and looks after the expert pool."""

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import log_in, open_tab

pytestmark = pytest.mark.browser
TITLE = "2025年度农村义务教育学生营养改善计划补助资金绩效评价"


def test_lead_books_an_invoice_and_sees_the_balances(page, live_server):
    log_in(page, live_server, "demo-lead")
    page.locator("table a", has_text=TITLE).first.click()
    page.wait_for_selector("#flow")
    open_tab(page, "费用与保证金")
    page.wait_for_selector("#instalment-table")
    assert "480,000.00" in page.locator("#fee").inner_text()
    assert "48,000.00" in page.locator("#deposit-amount").inner_text()
    assert page.locator("#deposit-status").inner_text() == "预留中"

    # A receipt larger than what was invoiced is refused with the reason.
    page.select_option("select[name=kind]", value="received")
    page.select_option("select[name=instalment]", index=2)
    page.fill("input[name=amount]", "1000")
    page.click("#add-entry")
    page.wait_for_selector(".alert-warning")
    assert "第 2 期收款合计（1,000.00 元）超过该期开票合计 0.00 元" in page.content()

    page.select_option("select[name=kind]", value="invoiced")
    page.select_option("select[name=instalment]", index=2)
    page.fill("input[name=amount]", "100,000")
    page.fill("input[name=note]", "第二期部分开票")
    page.click("#add-entry")
    page.wait_for_selector("text=已登记开票 100,000.00 元")
    assert "244,000.00" in page.locator('[data-balance="invoiced"]').inner_text()
    assert "100,000.00" in page.locator('[data-balance="receivable"]').inner_text()
    row = page.locator('#instalment-table tr[data-instalment="1"]').inner_text()
    assert "100,000.00" in row and "288,000.00" in row


def test_admin_exports_deposits_and_manages_the_pool(page, live_server):
    log_in(page, live_server, "demo-admin")
    page.locator(".navbar a", has_text="保证金台账").click()
    page.wait_for_selector("#outstanding-table")
    assert (
        "2025年度农村义务教育学生营养改善计划补助资金绩效评价"
        in page.locator("#outstanding-table").inner_text()
    )
    with page.expect_download() as info:
        page.click("#export")
    with open(info.value.path(), "rb") as handle:  # the download has no .xlsx suffix
        book = load_workbook(handle)
    detail = book["保证金明细"]
    assert detail.max_row == 2 and float(detail.cell(row=2, column=8).value) == 48000

    page.locator(".navbar a", has_text="专家库").click()
    page.wait_for_selector("#experts")
    page.fill("input[name=q]", "高级")
    page.locator("form button", has_text="查询").click()
    names = page.locator("#experts").inner_text()
    assert "陈专家" in names and "郑高工" in names and "吴研究员" not in names
    page.locator("#experts a", has_text="陈专家").click()
    page.wait_for_selector("#conflicts")
    page.fill("input[name=org_name]", "示例市审计局")
    page.fill("input[name=relation]", "曾任职")
    page.click("#declare-conflict")
    page.wait_for_selector("text=已申报关联单位")
    assert "示例市审计局" in page.locator("#conflicts").inner_text()
    assert "1,500.00" in page.locator("#history").inner_text()
