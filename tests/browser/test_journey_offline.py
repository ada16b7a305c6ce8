"""Journey: offline fieldwork (issue 18) with a real laptop process.

The evaluator checks the demo engagement out on the firm's server (the live server), the lead
edits a working paper there meanwhile; `workbench offline open` serves the package on a "laptop"
(a subprocess), where the evaluator edits the same paper, writes a new one with a photo and signs
it, and two phones on the hotspot answer an open survey; the return package is exported there and
imported on the server, which reports what came back; the lead settles the conflict for the
laptop's version, and the survey's answers are listed as 离线采集.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import fill_site_visit, log_in, new_context
from tests.fieldwork.helpers import jpeg
from tests.live_server import free_port, stop

pytestmark = pytest.mark.browser

PASSPHRASE = "现场口令-2026"
DEVICE = "笔记本 A"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}
SURVEY = "家长满意度调查（现场扫码）"
PAPER = "D-05-01"  # the demo's draft 学校后勤主任访谈
BASE_VALUE = "示例市第一中心小学后勤主任"
SERVER_VALUE = "示例市第一中心小学后勤主任（服务器更正）"
OFFLINE_VALUE = "示例市第一中心小学后勤主任王某（现场核实）"
NEW_PAPER = "第三中心小学食堂现场核查（离线）"


def _context(browser, **options):
    context = new_context(browser, **options)
    context.set_default_timeout(15000)
    return context


def _paper_url(page, base: str, engagement_id: int, index_no: str) -> str:
    page.goto(f"{base}/engagements/{engagement_id}/papers")
    page.locator(f'[data-paper="{index_no}"] a').first.click()
    page.wait_for_selector("#signoffs")
    assert page.locator("#paper-index").inner_text() == index_no
    return page.url


def _edit_interviewee(page, paper_url: str, value: str) -> None:
    page.goto(paper_url)
    page.click("#edit-paper")
    page.wait_for_selector("#paper-form")
    assert page.input_value("input[name=f-interviewee]") == BASE_VALUE
    page.fill("input[name=f-interviewee]", value)
    page.click("#save-paper")
    page.wait_for_selector("#signoffs")
    expect(page.locator("#fields")).to_contain_text(value)


def _start_laptop(package: Path, folder: Path, port: int, log: Path) -> subprocess.Popen:
    """`workbench offline open` as the console script runs it (workbench.cli:main)."""
    env = {
        **os.environ,
        "WORKBENCH_OFFLINE_PASSPHRASE": PASSPHRASE,
        "WORKBENCH_OFFLINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    for name in ("WORKBENCH_DATABASE_URL", "WORKBENCH_INSTANCE_PATH"):
        env.pop(name, None)
    with log.open("wb") as out:
        laptop = subprocess.Popen(
            [sys.executable, "-c", "from workbench.cli import main; main()"]
            + ["offline", "open", str(package), "--dir", str(folder)]
            + ["--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if laptop.poll() is not None:
            raise AssertionError(f"workbench offline open exited: {log.read_text('utf-8')}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return laptop
        except OSError:
            time.sleep(0.2)
    stop(laptop)
    raise AssertionError(f"workbench offline open did not start: {log.read_text('utf-8')}")


def _answer_on_a_phone(browser, url: str, shot: Path | None) -> None:
    """One phone on the hotspot (its own context: one answer per device)."""
    context = _context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(url)
    assert "login" not in phone.url
    expect(phone.locator("#survey-submit")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.locator("#offline-banner").count() == 0  # respondents see the form only
    phone.check('input[name="a.q1"][value="0"]')
    phone.check('input[name="a.q2"][value="1"]')
    phone.check('input[name="a.q3"][value="0"]')
    for row in range(4):
        phone.check(f'input[name="r.{row}.q4"][value="0"]')
    phone.check('input[name="a.q5"][value="0"]')
    phone.fill('textarea[name="a.q6"]', "现场扫码填写")
    if shot is not None:
        phone.screenshot(path=str(shot), full_page=True)
    phone.click("#survey-submit")
    phone.wait_for_selector("#survey-thanks")
    context.close()


def test_checked_out_worked_on_a_laptop_with_phones_and_checked_in(browser, live_server, tmp_path):
    server = live_server

    # -- The firm's server: the evaluator opens a survey, then checks the engagement out. --------
    evaluator_context = _context(browser, viewport=DESKTOP)
    evaluator = evaluator_context.new_page()
    evaluator.on("dialog", lambda dialog: dialog.accept())
    log_in(evaluator, server, "demo-evaluator")
    evaluator.click("table a:has-text('营养改善计划补助资金绩效评价')")
    engagement_id = int(re.search(r"/engagements/(\d+)", evaluator.url).group(1))
    evaluator.goto(f"{server}/engagements/{engagement_id}/surveys")
    evaluator.select_option("#create-survey select[name=template]", value="parents")
    evaluator.fill("#create-survey input[name=title]", SURVEY)
    evaluator.click("#create-submit")
    evaluator.wait_for_selector("#questions")
    survey_path = re.search(r"/engagements/\d+/surveys/\d+", evaluator.url).group(0)
    evaluator.click("#survey-nav >> text=概况与发放")
    evaluator.click("#open-survey")
    evaluator.wait_for_selector("text=问卷已开始回收")
    token = evaluator.input_value("#public-url").rsplit("/s/", 1)[1]

    evaluator.goto(f"{server}/engagements/{engagement_id}/offline")
    expect(evaluator.locator("#no-checkouts")).to_be_visible()
    evaluator.fill("#checkout-form input[name=device]", DEVICE)
    evaluator.fill("#checkout-form input[name=passphrase]", PASSPHRASE)
    evaluator.fill("#checkout-form input[name=passphrase2]", PASSPHRASE)
    with evaluator.expect_download() as download_info:
        evaluator.click("#checkout-submit")
    download = download_info.value
    assert download.suggested_filename.startswith("离线包-")
    assert download.suggested_filename.endswith(f"-{DEVICE.replace(' ', '_')}-{_today()}.wbpkg")
    package = tmp_path / download.suggested_filename
    download.save_as(package)
    assert package.stat().st_size > 0
    evaluator.reload()
    out = evaluator.locator("#active-checkouts")
    expect(out).to_contain_text(f"离线工作中（张评价，{DEVICE}，自")
    evaluator.screenshot(path=str(tmp_path / "01-server-checked-out.png"), full_page=True)

    # -- Meanwhile on the server the lead corrects the interview paper. ---------------------------
    lead_context = _context(browser, viewport=DESKTOP)
    lead = lead_context.new_page()
    log_in(lead, server, "demo-lead")
    server_paper = _paper_url(lead, server, engagement_id, PAPER)
    _edit_interviewee(lead, server_paper, SERVER_VALUE)
    lead.goto(f"{server}/engagements/{engagement_id}")
    expect(lead.locator("#offline-notice")).to_contain_text(f"张评价，{DEVICE}")

    # -- The laptop: `workbench offline open`, the evaluator at work. -----------------------------
    port = free_port()
    hotspot = f"http://127.0.0.1:{port}"
    laptop = _start_laptop(package, tmp_path / "laptop", port, tmp_path / "laptop.log")
    try:
        printed = (tmp_path / "laptop.log").read_text("utf-8")
        assert f"离线模式：{DEVICE} · 项目《" in printed
        assert f"手机（连接本机热点或同一局域网）访问： {hotspot}/" in printed

        field_context = _context(browser, viewport=DESKTOP, accept_downloads=True)
        field = field_context.new_page()
        log_in(field, hotspot, "demo-evaluator")
        banner = field.locator("#offline-banner")
        expect(banner).to_contain_text(f"离线模式 · {DEVICE} · 项目《")
        expect(banner).to_contain_text("营养改善计划补助资金绩效评价")
        expect(banner.locator("#offline-export-link")).to_have_text("“导出回传包”")
        field.screenshot(path=str(tmp_path / "02-laptop-banner.png"))

        # The same paper, a different correction: a conflict once back.
        laptop_paper = _paper_url(field, hotspot, engagement_id, PAPER)
        assert laptop_paper.removeprefix(hotspot) == server_paper.removeprefix(server)
        _edit_interviewee(field, laptop_paper, OFFLINE_VALUE)

        # A new paper with a photo taken on site, signed as 编制.
        field.goto(f"{hotspot}/engagements/{engagement_id}/papers")
        field.click("#new-paper")
        field.select_option("select[name=template]", value="site_visit")
        field.fill("input[name=title]", NEW_PAPER)
        field.click("#create-paper")
        field.wait_for_selector("#paper-form")
        new_index = fill_site_visit(
            field,
            site="示例市第三中心小学",
            visit_date="2026-03-10",
            summary="离线现场核查：留样记录完整。",
        )
        assert re.fullmatch(r"D-04-\d\d", new_index)
        photo = tmp_path / "留样柜.jpg"
        photo.write_bytes(jpeg("2026:03:10 09:30:00"))
        field.set_input_files("input[name=files]", str(photo))
        field.click("#upload-submit")
        field.wait_for_selector("text=已上传 1 个文件")
        evidence = field.locator("#evidence-table").inner_text()
        assert "留样柜.jpg" in evidence and "2026-03-10 09:30" in evidence
        field.click("#sign-prepare")
        field.wait_for_selector("text=已作为编制人签字")
        assert field.locator(".signoff .signer").all_inner_texts() == ["张评价"]

        # The open survey's link points at the hotspot; two phones answer it.
        field.goto(f"{hotspot}{survey_path}")
        public = field.input_value("#public-url")
        assert public == f"{hotspot}/s/{token}"
        expect(field.locator("#accepting")).to_contain_text("公开链接正在接受填写")
        expect(field.locator("#qr")).to_be_visible()
        _answer_on_a_phone(browser, public, tmp_path / "03-phone-form.png")
        _answer_on_a_phone(browser, public, None)
        field.reload()
        assert field.locator("#collected").inner_text().strip() == "2"

        # 导出回传包, from the banner.
        field.click("#offline-export-link")
        field.wait_for_selector("#export-form")
        answers = field.locator('#export-contents tr[data-table="survey_response"] td')
        assert answers.nth(1).inner_text() == "242"  # the demo survey's 240 and the phones' 2
        assert field.locator("#export-files").inner_text().startswith("1")
        field.fill("#export-form input[name=passphrase]", PASSPHRASE)
        with field.expect_download() as download_info:
            field.click("#export-form button[type=submit]")
        returned = download_info.value
        assert (
            returned.suggested_filename == f"离线回传-{DEVICE.replace(' ', '_')}-{_today()}.wbpkg"
        )
        return_package = tmp_path / returned.suggested_filename
        returned.save_as(return_package)
        assert list((tmp_path / "laptop" / "exports").glob("*.wbpkg"))  # a copy kept there
        field_context.close()
    finally:
        stop(laptop)

    # -- Back at the firm: the evaluator imports the return package. ------------------------------
    evaluator.goto(f"{server}/engagements/{engagement_id}/offline")
    evaluator.set_input_files("#checkin-form input[name=file]", str(return_package))
    evaluator.fill("#checkin-form input[name=passphrase]", PASSPHRASE)
    expect(evaluator.locator("#checkin-form input[name=finish]")).to_be_checked()
    evaluator.click("#checkin-submit")
    evaluator.wait_for_selector("#figures")
    assert "/offline/checkins/" in evaluator.url
    flashed = evaluator.locator(".alert-warning", has_text="已导入回传包").inner_text()
    assert "已导入回传包：新增 5、更新 0、删除 0；1 条冲突待项目负责人处理" in flashed
    labels = evaluator.locator("#figures > div > div").evaluate_all(
        "cells => cells.map(c => c.lastChild.textContent.trim())"
    )
    numbers = [int(n) for n in evaluator.locator("#figures .fs-5").all_inner_texts()]
    figures = dict(zip(labels, numbers, strict=True))
    assert {k: v for k, v in figures.items() if k != "审计记录"} == {
        "新增": 5, "更新": 0, "删除": 0, "冲突": 1, "需重新签字": 0, "收到文件": 1
    }  # fmt: skip
    assert figures["审计记录"] >= 6  # login, edit, new paper, upload, sign-off, answers, export
    kinds = {
        row.locator("td").nth(0).inner_text(): [
            int(row.locator("td").nth(i).inner_text()) for i in (1, 2, 3)
        ]
        for row in evaluator.locator("#by-kind tbody tr").all()
    }
    # The new paper, its photo, its 编制 sign-off and the phones' answers; the paper edited on
    # both sides is the conflict, not an update.
    assert kinds == {"底稿": [1, 0, 0], "证据": [1, 0, 0], "问卷答卷": [2, 0, 0], "签字": [1, 0, 0]}
    facts = evaluator.locator("#checkin-facts").inner_text()
    assert f"{DEVICE}（已回传）" in facts and "张评价" in facts
    conflicts = evaluator.locator("#report-conflicts li")
    expect(conflicts).to_have_count(1)
    expect(conflicts).to_contain_text(PAPER)
    expect(conflicts).to_contain_text("待处理")
    evaluator.screenshot(path=str(tmp_path / "04-server-report.png"), full_page=True)
    evaluator.goto(f"{server}/engagements/{engagement_id}/offline")
    expect(evaluator.locator("#no-checkouts")).to_be_visible()  # 导入后结束该检出
    expect(evaluator.locator("#open-conflicts")).to_contain_text("有 1 条离线冲突待项目负责人处理")
    evaluator.goto(f"{server}/engagements/{engagement_id}/papers")
    arrived = evaluator.locator(f'[data-paper="{new_index}"]')
    expect(arrived).to_contain_text(NEW_PAPER)
    expect(arrived.locator("td").nth(4)).to_contain_text("张评价")  # 编制, signed on the laptop
    expect(arrived.locator("td").last).to_have_text("1 / 0 / 0")  # with its photo

    # -- The lead settles the conflict for the laptop's version. ----------------------------------
    lead.goto(f"{server}/engagements/{engagement_id}/offline/conflicts")
    lead.locator("#open-conflicts h3 a", has_text=PAPER).click()
    lead.wait_for_selector(".resolve-form")
    headers = lead.locator("table.offline-diff thead th").all_inner_texts()
    assert headers == ["字段", "检出时", "服务器现在", "离线版本"]
    rows = lead.locator("table.offline-diff tbody tr")
    expect(rows).to_have_count(1)  # only the field both sides changed
    assert rows.locator("th").inner_text() == "访谈对象"
    assert rows.locator("td").all_inner_texts() == [BASE_VALUE, SERVER_VALUE, OFFLINE_VALUE]
    assert rows.locator("td.changed").count() == 2  # both sides marked as changed
    lead.screenshot(path=str(tmp_path / "05-conflict.png"), full_page=True)
    lead.get_by_label("采用离线版本").check()
    lead.click(".resolve-form button[type=submit]")
    lead.wait_for_selector("#no-open-conflicts")
    expect(lead.locator(".alert-success")).to_contain_text("：采用离线版本")
    expect(lead.locator("#resolved-conflicts")).to_contain_text(DEVICE)
    lead.goto(server_paper)
    fields = lead.locator("#fields")
    expect(fields).to_contain_text(OFFLINE_VALUE)
    expect(fields).not_to_contain_text(SERVER_VALUE)

    # -- The phones' answers, on the server, as 离线采集. --------------------------------------------
    lead.goto(f"{server}{survey_path}/responses")
    expect(lead.locator("#validity-summary")).to_have_text("共 2 份答卷，有效 2 份，剔除 0 份。")
    channels = lead.locator("#responses tbody tr td:nth-child(2)").all_inner_texts()
    assert channels == ["离线采集", "离线采集"]
    lead_context.close()
    evaluator_context.close()


def _today() -> str:
    from workbench.core.timeutil import today_local

    return f"{today_local():%Y%m%d}"
