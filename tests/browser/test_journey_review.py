"""Journey: the lead submits the final report, the bureau returns it with a comment, the agency
answers and resubmits, the bureau approves and rates it, and the deposit release appears."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser.conftest import PASSWORD, log_in, new_context
from workbench import create_app, migrate
from workbench import db as database

pytestmark = pytest.mark.browser

SECTIONS = {
    "overview": {"title": "（一）项目概况", "html": "<p>项目覆盖全市126所学校。</p><p>资金来源为市级财政。</p>"},
    "problems": {
        "title": "（二）存在的问题及原因分析",
        "html": "<ol><li>资金拨付不及时，部分学校延迟两个月到账</li><li>绩效目标设置不够细化量化</li></ol>",
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def review_server(tmp_path_factory):
    """Like the shared live server, but keeps the app so the test can add report versions."""
    folder = tmp_path_factory.mktemp("live-review")
    app = create_app(
        {
            "INSTANCE_PATH": folder,
            "DATABASE_URL": f"sqlite:///{folder / 'live.db'}",
            "SECRET_KEY": "browser-tests",
            "DEMO_PASSWORD": PASSWORD,
            "LOGIN_LIMIT": "100 per minute",
        }
    )  # fmt: skip  (many role switches)
    with app.app_context():
        migrate.upgrade(database.engine())
        from workbench.demo.loader import load_demo

        with database.session_scope() as session:
            load_demo(session, password=PASSWORD)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def add_report_version(app, note: str) -> int:
    """What generating the report does: a stored file and its sections, as the next version."""
    from sqlmodel import func, select

    from workbench.core import storage
    from workbench.demo.loader import DEMO_TITLE
    from workbench.engagements.models import Engagement
    from workbench.reports.models import DeliverableVersion

    with app.app_context(), database.session_scope() as session:
        engagement = session.exec(select(Engagement).where(Engagement.title == DEMO_TITLE)).one()
        number = (
            session.exec(
                select(func.max(DeliverableVersion.number)).where(
                    DeliverableVersion.engagement_id == engagement.id,
                    DeliverableVersion.kind == "report",
                )
            ).one()
            or 0
        ) + 1
        data = f"评价报告 第{number}版 {note}".encode()
        blob = storage.store(session, data, mime="application/octet-stream")
        session.add(
            DeliverableVersion(
                engagement_id=engagement.id, kind="report", number=number, label="送审稿",
                sha256=blob.sha256, filename=f"评价报告-第{number}版.docx",
                mime="application/octet-stream", size=len(data), stage=engagement.stage,
                sections=SECTIONS,
            )
        )  # fmt: skip
        return engagement.id


def test_review_loop_rating_and_deposit(review_server, browser, tmp_path):
    app, base = review_server
    eid = add_report_version(app, "初次送审")
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())

    # The lead submits the final report from the review tab.
    log_in(page, base, "demo-lead")
    page.goto(f"{base}/engagements/{eid}")
    page.goto(base + page.locator("a", has_text="委托方审核").first.get_attribute("href"))
    assert "评价工作方案" in page.locator("#kind-plan").inner_text()  # the demo's returned plan
    page.select_option("select[name=kind]", value="final_report")
    page.click("#submit-version")
    page.wait_for_selector("text=已提交委托方审核")
    assert page.locator('[data-status="submitted"]').count() >= 1
    context.clear_cookies()

    # The bureau finds it in its inbox, reads it, comments on a paragraph and returns it.
    log_in(page, base, "demo-bureau")
    page.click("text=审核收件箱")
    page.locator("#inbox tr.table-warning", has_text="正式评价报告").get_by_role(
        "link", name="审核", exact=True
    ).click()
    page.wait_for_selector(".review-section")
    assert "资金来源为市级财政" in page.locator(".review-section").first.inner_text()
    page.locator('.comment-here[data-section="overview"][data-paragraph="2"]').click()
    assert page.input_value("input[name=paragraph]") == "2"
    page.fill("textarea[name=body]", "请注明资金文号和到位时间")
    page.click("#add-comment")
    page.wait_for_selector("text=已添加审核意见")
    page.click("#return")
    page.wait_for_selector("text=第 1 版：已退回")
    assert page.locator('[data-status="returned"]').count() >= 1
    page.screenshot(path=str(tmp_path / "returned.png"), full_page=True)
    context.clear_cookies()

    # The lead is notified, answers the comment, regenerates and resubmits.
    log_in(page, base, "demo-lead")
    page.goto(f"{base}/notifications")
    page.locator("#notifications .list-group-item", has_text="正式评价报告").first.locator(
        "button"
    ).click()
    page.wait_for_selector(".answer-form")
    page.fill(".answer-form textarea[name=answer]", "已补充资金文号及到位时间")
    page.click(".answer-form button")
    page.wait_for_selector("text=已保存回复")
    add_report_version(app, "按意见修改")
    page.click("#review-nav >> text=提交与审核意见")
    page.select_option("select[name=kind]", value="final_report")
    page.click("#submit-version")
    page.wait_for_selector("text=第 2 版已提交委托方审核")
    context.clear_cookies()

    # The bureau approves the second version and rates the agency.
    log_in(page, base, "demo-bureau")
    page.click("text=审核收件箱")
    page.locator("#inbox tr.table-warning", has_text="正式评价报告").get_by_role(
        "link", name="审核", exact=True
    ).click()
    # The answer to the first version's comment is carried onto the second version's page.
    expect(page.locator("#earlier-rounds")).to_contain_text("已补充资金文号及到位时间")
    page.click("#approve")
    page.wait_for_selector("text=已通过")
    page.click("#review-nav >> text=质量考核")
    for name, value in [("team_competence", "13"), ("team_stability", "12"), ("communication", "18"),
                        ("report_data", "21.5"), ("conclusions", "20.5")]:  # fmt: skip
        page.fill(f"input[name=score_{name}]", value)
    page.click("#save-rating")
    page.wait_for_selector("text=质量考核已保存：总分 85.00 分")
    assert "质量保证金" not in page.content()  # fees stay with the agency
    context.clear_cookies()

    # The agency sees the score and the deposit release computed by finance.
    log_in(page, base, "demo-lead")
    page.goto(f"{base}/engagements/{eid}/review/rating")
    assert page.inner_text("#rating-total").startswith("85.00")
    assert "应释放 38400.00 元" in page.inner_text("#deposit")
    page.goto(f"{base}/finance/deposits")
    expect(page.locator("main")).to_contain_text("38,400.00")
    page.screenshot(path=str(tmp_path / "rated.png"), full_page=True)
    context.close()


def archive_now(app, eid: int) -> None:
    """What 完成归档 does once every gate holds (the demo's earlier stages are not all done)."""
    from workbench.accounts.models import User
    from workbench.engagements.archive_hooks import archive
    from workbench.engagements.models import Engagement

    with app.app_context(), database.session_scope() as session:
        from sqlmodel import select

        lead = session.exec(select(User).where(User.username == "demo-lead")).one()
        engagement = session.get(Engagement, eid)
        engagement.stage = "archive"
        archive(session, actor=lead, engagement=engagement)


def test_after_the_archive_ledger_and_rectification_stay_open(review_server, browser, tmp_path):
    """Continues the loop above: items from the approved report, 完成归档, then the unit reports
    with evidence, the admin records the deposit release, and the package gains its addendum."""
    app, base = review_server
    from sqlmodel import select

    from workbench.demo.loader import DEMO_TITLE
    from workbench.engagements.models import Engagement

    with app.app_context(), database.session_scope() as session:
        eid = session.exec(select(Engagement).where(Engagement.title == DEMO_TITLE)).one().id
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, base, "demo-lead")
    page.goto(f"{base}/engagements/{eid}/review/rectification")
    page.click("#create-items")
    page.wait_for_selector("text=项整改跟踪事项")
    assert page.locator(".rectification-item").count() == 2
    context.clear_cookies()
    archive_now(app, eid)

    # The unit is told, and reports feedback with its evidence from its own page.
    log_in(page, base, "demo-unit")
    page.goto(f"{base}/notifications")
    expect(page.locator("#notifications")).to_contain_text("请按期反馈 2 项问题的整改情况")
    page.goto(f"{base}/engagements/{eid}")
    tab = page.locator("a", has_text="整改情况").first  # the unit's own tab on its engagement
    page.goto(base + tab.get_attribute("href"))
    page.wait_for_selector(".unit-item")
    first = page.locator(".unit-item").first
    first.locator("textarea[name=text]").fill("已印发资金拨付时限制度")
    pdf = tmp_path / "拨付制度.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    first.locator("input[name=files]").set_input_files(str(pdf))
    first.locator("button[type=submit]").click()
    page.wait_for_selector("text=已报送整改反馈")
    expect(page.locator(".unit-item").first).to_contain_text("拨付制度.pdf")
    expect(page.locator(".unit-item").first.locator(".state")).to_have_text("已反馈，整改中")
    page.screenshot(path=str(tmp_path / "unit-rectification.png"), full_page=True)
    context.clear_cookies()

    # The admin records the second instalment and the deposit's release after the archive.
    log_in(page, base, "demo-admin")
    page.goto(f"{base}/engagements/{eid}/finance")
    expect(page.locator("#archived-ledger-note")).to_be_visible()
    assert page.locator("#edit-contract").count() == 0
    assert page.inner_text('[data-balance="due"]').split()[-1] == "288,000.00"  # instalment 2
    page.select_option("#entry-form select[name=kind]", value="invoiced")
    page.select_option("#entry-form select[name=instalment]", index=2)
    page.fill("#entry-form input[name=amount]", "288,000")
    page.click("#add-entry")
    page.wait_for_selector("text=已登记开票 288,000.00 元")
    page.click("#record-release")
    page.wait_for_selector("text=已登记保证金释放到账")
    expect(page.locator("#deposit-status")).to_have_text("已释放")
    page.screenshot(path=str(tmp_path / "finance-after-archive.png"), full_page=True)

    # The lead sees the unit's report and confirms the rectification; the package has an addendum.
    context.clear_cookies()
    log_in(page, base, "demo-lead")
    page.goto(f"{base}/engagements/{eid}/review/rectification")
    item = page.locator(".rectification-item").first
    expect(item).to_contain_text("已印发资金拨付时限制度")
    item.locator("select[name=status]").select_option("rectified")
    item.locator("input[name=note]").fill("经核实制度已印发")
    item.locator(".progress-form button").click()
    page.wait_for_selector("text=已登记：已整改")
    page.goto(f"{base}/engagements/{eid}/archive")
    expect(page.locator('[data-key="rectification"]')).to_contain_text("尚有 1 项整改事项未完成")
    expect(page.locator("#addendum-note")).to_contain_text("addendum/ 补充件")
    page.screenshot(path=str(tmp_path / "archive.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#export-archive")
    path = tmp_path / "package.zip"
    download.value.save_as(path)
    from workbench.review.manifest import verify_zip

    result = verify_zip(path)
    assert result.ok and result.addendum is not None, result.problems
    context.close()
