"""The product's acceptance test: a new user follows the README from its first command to an
archived engagement, only by clicking and typing in the pages.

The workbench is started as the README starts it (`workbench serve --demo`, a real waitress
process on a fresh instance); the demo logins are read from what it prints. A firm then takes a NEW
engagement through the ten stages, each person under their own login: contract and team, the plan
(expert review, the bureau's approval), indicators from the library, working papers under three
sign-offs, a survey imported from a 问卷星 export, scoring, the report (报告体检, generation, sign-offs),
the unit's consultation, the bureau's review and rating, and the archive.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from tests.live_server import free_port, stop
from workbench.db import make_engine
from workbench.review.manifest import verify_zip

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/acceptance")
TITLE = "2026年度城区公共体育设施运营补助资金绩效评价"
TODAY = date.today().isoformat()


@pytest.fixture(scope="module")
def readme_server(tmp_path_factory, chromium_path):
    """`workbench serve --demo` in a subprocess on a fresh instance; yields its URL and logins.

    On the built-in SQLite as the README starts it; on a fresh PostgreSQL database of its own
    when the suite runs on PostgreSQL (WORKBENCH_TEST_DATABASE_URL, as CI's second run does).
    """
    folder = tmp_path_factory.mktemp("acceptance")
    port = free_port()
    env = {
        **os.environ,
        "WORKBENCH_INSTANCE_PATH": str(folder),
        "WORKBENCH_FAST_HASH": "1",
        "WORKBENCH_LOGIN_LIMIT": "1000 per minute",  # one firm switching roles many times
        "WORKBENCH_TOC_PAGES": "outline",
    }
    env.pop("WORKBENCH_DATABASE_URL", None)
    with _server_database() as url:
        if url:
            env["WORKBENCH_DATABASE_URL"] = url
        log = open(folder / "server.log", "w+b")  # noqa: SIM115  (closed after the server stops)
        server = subprocess.Popen(
            [sys.executable, "-c", "from workbench.cli import main; main()", "serve", "--demo"]
            + ["--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(server, base, folder / "server.log")
            yield base, _printed_logins((folder / "server.log").read_text(encoding="utf-8"))
        finally:
            stop(server)
            log.close()


@contextmanager
def _server_database() -> Iterator[str | None]:
    """None for SQLite; else a new PostgreSQL database beside the suite's, dropped afterwards."""
    url = os.environ.get("WORKBENCH_TEST_DATABASE_URL")
    if not url:
        yield None
        return
    base = make_engine(url).url
    name = f"wb_acceptance_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _wait_until_up(server: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"workbench serve exited: {log.read_text(encoding='utf-8')}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("workbench serve did not start")


ROLES = {  # who does what in the firm → how the console labels that demo account
    "admin": "机构管理员",
    "lead": "项目负责人",
    "evaluator": "评价人员",
    "reviewer": "复核人",
    "expert": "专家",
    "bureau": "委托方",
    "unit": "被评价单位",
}


def _printed_logins(output: str) -> dict[str, str]:
    """The password and each role's demo account, as the console prints them after `--demo`."""
    password = re.search(r"演示账号（密码均为 (\S+)）", output).group(1)
    logins = dict(re.findall(r"^\s+(demo-\S+)\s+(\S.*)$", output, flags=re.M))
    people = {
        role: next(u for u, label in logins.items() if label.startswith(start))
        for role, start in ROLES.items()
    }  # the first 委托方 is the engagement's bureau (the other one sees nothing of it)
    return {"password": password, **people}


class Firm:
    """One browser tab in which the firm's people take turns, each under their own login."""

    def __init__(self, page: Page, base: str, logins: dict[str, str]):
        self.page, self.base, self.logins = page, base, logins
        self.password = logins["password"]
        self.eid: int | None = None

    def as_(self, role: str) -> Page:
        """Sign out and in again as the person in that role (their printed demo login)."""
        page, username = self.page, self.logins[role]
        page.context.clear_cookies()
        page.goto(f"{self.base}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", self.password)
        page.click("#login-submit")
        page.wait_for_url(f"{self.base}/")
        return page

    def open_engagement(self) -> Page:
        """From the home page, the engagement by its title (as anyone on it finds it)."""
        page = self.page
        page.locator("a", has_text=TITLE).first.click()
        expect(page.locator("#engagement-tabs")).to_be_visible()
        return page

    def tab(self, label: str) -> Page:
        """Open an engagement page by its tab (a grouped tab sits in its group's dropdown)."""
        page = self.page
        page.wait_for_load_state("load")  # the dropdowns work once Bootstrap's script has run
        tabs = page.locator("#engagement-tabs")
        link = tabs.locator("a.nav-link:not(.dropdown-toggle), a.dropdown-item")
        link = link.filter(has_text=label).first
        if not link.is_visible():
            group = link.locator("xpath=ancestor::li[contains(@class,'dropdown')]")
            group.locator(".dropdown-toggle").click()
            expect(link).to_be_visible()
        href = link.get_attribute("href")
        link.click()
        page.wait_for_url(f"{self.base}{href}")  # never act on the page being left
        page.wait_for_load_state("load")
        return page

    def flowchart(self) -> Page:
        self.page.locator("#engagement-tabs a", has_text="流程图").first.click()
        expect(self.page.locator("#flow")).to_be_visible()
        return self.page

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def flash(self, text: str) -> None:
        expect(self.page.locator(".alert-success").first).to_contain_text(text)

    def advance(self, into: str) -> None:
        """The lead completes the current stage from the flowchart; the next one is current."""
        page = self.flowchart()
        expect(page.locator("#blockers li")).to_have_count(0)
        page.click("#advance")
        expect(page.locator('.flow-step[data-status="current"]')).to_contain_text(into)


def sign_declarations(firm: Firm) -> None:
    page = firm.tab("工作组与声明")
    for kind, done in (
        ("independence", "已签署独立性与回避声明"),
        ("confidentiality", "已签署保密承诺"),
    ):
        page.check(f"#agree-{kind}")
        page.locator(f"form:has(#agree-{kind}) button[type=submit]").click()
        firm.flash(done)


def write_paper(
    firm: Firm,
    template: str,
    values: dict[str, str],
    *,
    indicators: tuple[str, ...] = (),
    findings: dict[str, str] | None = None,
) -> str:
    """The evaluator creates a paper from its template, fills it in, records a finding for each
    indicator it judges ({indicator name: finding}) and signs as preparer; returns its address."""
    page = firm.tab("工作底稿")
    page.click("#new-paper")
    page.select_option("select[name=template]", value=template)
    for label in indicators:
        page.locator("#paper-new-form label", has_text=label).first.click()
    page.click("#create-paper")
    expect(page.locator("#paper-form")).to_be_visible()
    for name, value in values.items():
        field = page.locator(f"#paper-form [name='f-{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    page.locator("#paper-form button[type=submit]").click()
    expect(page.locator("#signoffs")).to_be_visible()
    for count, (indicator, finding) in enumerate((findings or {}).items(), start=1):
        page.locator("#findings summary").click()
        form = page.locator("#finding-form")
        form.locator("textarea[name=text]").fill(finding)
        option = form.locator("select[name=indicator_id] option", has_text=f"/{indicator}（")
        form.locator("select[name=indicator_id]").select_option(option.get_attribute("value"))
        form.locator("button[type=submit]").click()
        expect(page.locator("#findings li", has_text=finding)).to_be_visible()
        expect(page.locator("#findings li")).to_have_count(count)
    page.click("#sign-prepare")
    firm.flash("已作为编制人签字")
    return page.url


def review_and_approve(firm: Firm, paper_urls: list[str]) -> None:
    """The reviewer, then the lead, sign each paper from the list of papers waiting for them."""
    for who, button, done in (
        ("reviewer", "#sign-review", "已作为复核人签字"),
        ("lead", "#sign-approve", "已作为项目负责人签字"),
    ):
        firm.as_(who)
        firm.open_engagement()
        for url in paper_urls:
            page = firm.tab("工作底稿")
            page.locator("a", has_text="待我复核/批准").click()
            page.wait_for_url(re.compile(r"/papers\?ready=1"))
            paper_id = re.search(r"/papers/(\d+)", url).group(1)
            page.locator(f"#papers a[href$='/papers/{paper_id}']").first.click()
            page.wait_for_url(re.compile(rf"/papers/{paper_id}$"))
            page.click(button)
            firm.flash(done)


# ---------------------------------------------------------------- 1 接受委托


def add_member(firm: Firm, who: str, role: str) -> None:
    page = firm.page
    option = page.locator("select[name=user_id] option", has_text=f"（{firm.logins[who]}，")
    name = option.inner_text().split("（")[0]
    page.select_option("select[name=user_id]", value=option.get_attribute("value"))
    page.select_option("select[name=role]", label=role)
    page.click("#add-member")
    expect(page.locator("#members")).to_contain_text(name)


def commission(firm: Firm) -> None:
    page = firm.as_("lead")
    page.click("text=新建项目")
    page.fill("input[name=title]", TITLE)
    page.select_option("select[name=bureau_id]", label="示例市财政局")
    page.select_option("select[name=unit_id]", label="示例市教育局")
    page.fill("input[name=budget_amount]", "3000000")
    page.fill("input[name=funds_available]", "3000000")
    page.fill("input[name=funds_spent]", "2800000")
    page.fill("input[name=budget_year]", "2026")
    page.click("#save")
    expect(page.locator("#flow")).to_be_visible()
    firm.eid = int(re.search(r"/engagements/(\d+)", page.url).group(1))
    sign_declarations(firm)
    page = firm.tab("工作组与声明")
    for user, role in (
        ("evaluator", "评价人员"),
        ("reviewer", "复核人"),
        ("unit", "被评价单位联系人"),
    ):
        add_member(firm, user, role)
    page = firm.tab("专家")
    demo_expert = page.locator("#expert_id option", has_text="陈专家").get_attribute("value")
    page.select_option("#expert_id", value=demo_expert)  # the printed demo login's profile
    page.fill("#duty", "方案评审、专家打分")
    page.click("#assign-expert")
    firm.flash("已指派专家")
    # The contract, from the blocker that asks for it.
    page = firm.flowchart()
    page.locator("#blockers a", has_text="尚未登记委托合同").click()
    page.fill("#number", "TY-2026-01")
    page.fill("#fee", "480000")
    page.click("#save-contract")
    firm.flash("委托合同已保存")
    for member in ("evaluator", "reviewer", "expert"):
        firm.as_(member)
        firm.open_engagement()
        sign_declarations(firm)
    firm.as_("evaluator")
    firm.open_engagement()
    papers = [
        write_paper(firm, "engagement_acceptance", {
            "client": "示例市财政局", "subject": TITLE, "assessed_on": TODAY,
            "checks-0-result": "符合", "decision": "承接", "conclusion": "委托事项明确，同意承接。",
        }),
        write_paper(firm, "independence", {
            "assessed_on": TODAY, "declarations": "工作组成员均已签署回避声明和保密承诺。",
            "conclusion": "独立性不受影响",
        }),
    ]  # fmt: skip
    review_and_approve(firm, papers)
    firm.shot("01-commission")
    firm.advance("评价方案")


# ---------------------------------------------------------------- 2 评价方案


def bureau_decides(firm: Firm, kind: str, *, approve: bool = True) -> None:
    """The bureau opens the deliverable from its inbox and approves it."""
    page = firm.as_("bureau")
    page.click("text=审核收件箱")
    row = page.locator("#inbox tr.table-warning", has_text=kind)
    row.get_by_role("link", name="审核", exact=True).click()
    page.click("#approve")
    firm.flash(f"{kind}第")
    expect(page.locator(".alert-success").first).to_contain_text("已通过")


def submit_to_bureau(firm: Firm, kind: str) -> None:
    page = firm.tab("委托方审核")
    page.select_option("select[name=kind]", label=kind)
    page.click("#submit-version")
    firm.flash("已提交委托方审核")


def plan(firm: Firm) -> None:
    firm.as_("evaluator")
    firm.open_engagement()
    research = write_paper(firm, "preliminary_research", {
        "held_on": TODAY, "participants": "张评价、赵复核；示例市教育局体卫艺科",
        "items-0-finding": "项目经市政府常务会议批准立项", "scope": "覆盖城区 12 处公共体育设施。",
    })  # fmt: skip
    review_and_approve(firm, [research])
    # The lead (still signed in) generates the plan and submits it to the bureau.
    page = firm.tab("评价方案")
    page.select_option("#generate-plan select[name=label]", label="送审稿")
    page.locator("#generate-plan button[type=submit]").click()
    expect(page.locator("#version-table .download-link").first).to_be_visible(timeout=120_000)
    submit_to_bureau(firm, "评价工作方案")


def plan_review(firm: Firm) -> None:
    # The expert reviews the plan from the flowchart's condition.
    firm.as_("expert")
    page = firm.open_engagement()
    page.locator("#derived a", has_text="评价工作方案已经专家评审").first.click()
    page.select_option("#sign-conclusion", label="通过")
    page.fill("#sign-opinion", "方案评价范围明确，指标设置合理，同意实施。")
    page.locator("#sign-form button[type=submit]").click()
    firm.flash("方案评审意见已签署")
    expect(page.locator("main")).to_contain_text("方案评价范围明确")
    bureau_decides(firm, "评价工作方案")
    firm.as_("lead")
    firm.open_engagement()
    firm.shot("02-plan")
    firm.advance("指标体系")


# ---------------------------------------------------------------- 3 指标体系


def indicators(firm: Firm) -> None:
    page = firm.tab("指标体系")
    page.click("#from-framework")  # the library's 项目支出 framework pack
    firm.flash("共性框架生成20项三级指标")
    expect(page.locator("main")).to_contain_text("分值合计 100.00 分")
    # A sector pack's leaf replaces the framework's 生态效益 (no ecological goal here).
    page.click("text=从指标库添加")
    page.fill("#library-search input[name=q]", "设施运营")
    page.locator("#library-search button[type=submit]").click()
    found = page.locator(".library-result", has_text="设施运营管理长效机制")
    found.locator("input[name=level1]").fill("效益")
    found.locator("input[name=level2]").fill("项目效益")
    found.locator("button[type=submit]").click()
    firm.flash("已从指标库添加“设施运营管理长效机制”")
    page.click("text=返回指标体系")
    page.locator("tr", has_text="生态效益").first.locator("button[title=删除]").click()
    firm.flash("已删除指标“生态效益”")
    expect(page.locator("main")).to_contain_text("分值合计 100.00 分")
    # The pack leaves the planned cost to the project: the page says so, the lead writes it in.
    warning = "产出/产出成本/成本节约率尚未填写目标值"
    expect(page.locator("#indicator-warnings")).to_contain_text(warning)
    page.locator("tr", has_text="成本节约率").first.locator("a[title=编辑]").click()
    page.fill("#target", "3000000元")
    page.click("#save")
    firm.flash("已保存指标“成本节约率”")
    expect(page.locator("main")).not_to_contain_text(warning)
    firm.as_("evaluator")
    firm.open_engagement()
    justification = write_paper(firm, "indicator_justification", {
        "held_on": TODAY, "method": "内部讨论", "participants": "李项目、张评价、赵复核",
        "basis": "项目支出绩效评价共性指标框架；项目绩效目标。", "conclusion": "指标体系可行。",
    })  # fmt: skip
    review_and_approve(firm, [justification])
    page = firm.tab("指标体系")
    page.click("#confirm-system")
    expect(page.locator("main")).not_to_contain_text("尚未经项目负责人确认")
    firm.advance("资料收集与现场评价")


# ---------------------------------------------------------------- 4 资料收集与现场评价

JUDGED = {  # every leaf but the survey's: what the fieldwork found about it
    "立项依据充分性": "立项依据为市政府常务会议纪要及全民健身实施计划，依据充分。",
    "立项程序规范性": "经可行性论证和集体决策，程序规范。",
    "绩效目标合理性": "绩效目标与项目内容相符。",
    "绩效指标明确性": "绩效指标已细化量化。",
    "预算编制科学性": "预算按设施面积和开放时长测算。",
    "资金分配合理性": "按设施运营成本分配，测算依据充分。",
    "资金到位率": "预算 300 万元，到位 300 万元。",
    "预算执行率": "实际支出 280 万元。",
    "资金使用合规性": "抽查凭证 40 份，未发现不合规支出。",
    "管理制度健全性": "已制定补助资金管理办法和运营考核办法。",
    "制度执行有效性": "运营考核按季度开展，记录完整。",
    "实际完成率": "计划运营设施 12 处，实际 12 处。",
    "质量达标率": "12 处设施年检均合格。",
    "完成及时性": "12 处设施均按期开放。",
    "成本节约率": "实际成本 280 万元，低于计划。",
    "经济效益": "带动周边体育消费，达成年度目标。",
    "社会效益": "年服务群众 86 万人次，达成年度目标。",
    "设施运营管理长效机制": "各设施均明确运营主体、人员和经费。",
    "可持续影响": "建立长效运营机制。",
}


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REQUESTED = ("设施运营补助资金管理办法", "2026年运营考核记录")


def document_request(firm: Firm) -> None:
    """The lead sends the unit a 资料清单; the unit uploads each item from its own login."""
    page = firm.tab("资料清单")
    page.click("#new-request")
    page.fill("#title", "第一批评价资料")
    page.fill("#items", "\n".join(REQUESTED))
    page.click("#save-request")
    firm.flash("资料清单“第一批评价资料”已创建")
    page.click("#send-request")
    firm.flash("资料清单已发送")
    firm.as_("unit")
    page = firm.open_engagement()
    page = firm.tab("资料清单")
    page.click("text=第一批评价资料")
    for name in REQUESTED:
        row = page.locator("tr", has_text=name)
        row.locator("input[name=files]").set_input_files(
            files=[{"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        row.locator("button[type=submit]", has_text="上传").click()
        expect(page.locator("tr", has_text=name)).to_contain_text("已收到")
        firm.flash("已上传 1 个文件")


def fieldwork(firm: Firm) -> None:
    document_request(firm)
    firm.as_("evaluator")
    firm.open_engagement()
    scoring_paper = write_paper(
        firm,
        "indicator_scoring",
        {"judgement": "各指标核查情况见发现的问题。", "score": "92"},
        indicators=tuple(f"/{name}" for name in JUDGED),
        findings=JUDGED,
    )
    review_and_approve(firm, [scoring_paper])
    firm.shot("04-fieldwork")
    firm.advance("满意度调查")


# ---------------------------------------------------------------- 5 满意度调查

WJX_EXPORT = (
    Path(__file__).resolve().parents[2] / "workbench/demo/samples/wjx_satisfaction_text.xlsx"
)


def survey(firm: Firm) -> None:
    """A 问卷星 export creates the questionnaire and brings its 240 answers; the stage's gate
    asks for a sample plan met, the collection closed and the satisfaction leaf linked."""
    page = firm.as_("evaluator")
    firm.open_engagement()
    page = firm.tab("满意度调查")
    page.fill("#detect-survey input[name=title]", "体育设施使用者满意度调查")
    page.set_input_files("#detect-file", str(WJX_EXPORT))
    page.locator("#detect-survey button[type=submit]").click()
    expect(page.locator("#mapping")).to_be_visible()
    page.click("#confirm-import")
    expect(page.locator("#import-result")).to_contain_text("新增 240 份答卷")
    page.click("#survey-nav >> text=概况与发放")
    page.fill("#plan-form input[name=population]", "500")
    page.locator("#plan-form button[type=submit]").click()
    firm.flash("应回收有效问卷 218 份")
    page.select_option("#link-form select[name=metric]", label="满意率")
    page.click("#link-submit")
    firm.flash("实际值已改为取自本问卷")
    page.click("#open-survey")
    firm.flash("问卷已开始回收")
    page.click("#close-survey")
    firm.flash("问卷已结束回收")
    expect(page.locator("main")).to_contain_text("已结束")
    firm.shot("05-survey")
    firm.as_("lead")
    firm.open_engagement()
    firm.advance("综合评分")


# ---------------------------------------------------------------- 6 综合评分

ACTUALS = {  # the measured values of the ratio leaves, as the fieldwork found them
    "资金到位率": "100%",
    "预算执行率": "93.33%",
    "实际完成率": "100%",
    "质量达标率": "100%",
    "完成及时性": "100%",
    "成本节约率": "2800000元",
}


def scoring(firm: Firm) -> None:
    """The evaluator scores each unscored leaf from the score sheet; the lead signs."""
    page = firm.as_("evaluator")
    firm.open_engagement()
    page = firm.tab("综合评分")
    for name in [*JUDGED]:
        row = page.locator("tr", has_text=name).first
        if name == "资金使用合规性":  # a deduction leaf: scored by the findings, none deducting
            expect(row).to_contain_text("5.00")
            continue
        row.get_by_role("link", name="评分").click()
        form = page.locator("#score-form")
        expect(form).to_be_visible(timeout=20_000)  # the whole suite beside it: pages load slowly
        if name in ACTUALS:
            form.locator("input[name=actual]").fill(ACTUALS[name])
        elif form.locator("select[name=level]").count():
            form.locator("select[name=level]").select_option(label="达成")
        else:
            for met in form.locator("input[name=met]").all():
                met.fill("1")
        page.click("#save-score")
        firm.flash(f"已保存“{name}”的评分数据")  # back on the score sheet
    expect(page.locator("main")).not_to_contain_text("未评分")
    firm.shot("06-scoring")
    firm.as_("lead")
    firm.open_engagement()
    page = firm.tab("综合评分")
    page.click("#sign")
    firm.flash("已签字确认评分结果")
    firm.advance("报告撰写")


# ---------------------------------------------------------------- 7 报告撰写


def report(firm: Firm) -> None:
    """The evaluator writes every section of the outline in the editor and signs as preparer;
    the reviewer and the lead sign; the lead runs the 报告体检 and generates the 征求意见稿."""
    page = firm.as_("evaluator")
    firm.open_engagement()
    page = firm.tab("评价报告")
    count = page.locator("#sections tr[data-key]").count()
    assert count == 16, count
    for i in range(count):
        row = page.locator("#sections tr[data-key]").nth(i)
        title = row.locator("a").first.inner_text()
        row.locator("a").first.click()
        page.wait_for_url(re.compile(r"/sections/\d+$"))
        expect(page.locator("#editor")).to_be_visible()
        expect(page.locator("#content")).to_be_hidden()  # the editor has replaced the textarea
        page.locator("#editor").click()
        page.keyboard.type(f"{title.strip()}：城区12处公共体育设施全年免费或低收费开放，运营规范。")
        page.click("#save-section")
        firm.flash("已保存")
        page = firm.tab("评价报告")
    expect(page.locator("#sections")).not_to_contain_text("待撰写")
    page.click("#sign-prepare")
    firm.flash("已编制签字")
    for who, level in (("reviewer", "review"), ("lead", "approve")):
        firm.as_(who)
        firm.open_engagement()
        page = firm.tab("评价报告")
        page.click(f"#sign-{level}")
        expect(page.locator(f"[data-level={level}] .text-success")).to_be_visible()
    expect(page.locator("#lock-banner")).to_contain_text("已通过三级复核")
    # 报告体检: the imported answers' scale warns (a negative α); the lead acknowledges it.
    expect(page.locator("#checkup-warnings")).to_be_visible(timeout=60_000)
    page.click("#acknowledge-checkup")
    page.wait_for_load_state()
    page.select_option("#generate-report select[name=label]", label="征求意见稿")
    page.locator("#generate-report button[type=submit]", has_text="生成评价报告").click()
    expect(page.locator("#version-table .badge", has_text="征求意见稿")).to_be_visible(
        timeout=120_000
    )
    firm.shot("07-report")
    firm.advance("征求意见")


# ---------------------------------------------------------------- 8 征求意见


def consultation(firm: Firm) -> None:
    page = firm.tab("征求意见")
    page.fill("textarea[name=message]", "请对征求意见稿提出修改意见。")
    page.click("#send-draft")
    firm.flash("征求意见稿已发送给被评价单位联系人")
    page = firm.as_("unit")
    page.click("#consultation-panel a")
    expect(page.locator("#download-draft")).to_be_visible()
    page.fill("#reference", "四、（二）")
    page.fill(
        "#opinion-content", "预算执行率偏低的原因是部分设施维修款项跨年支付，请在报告中说明。"
    )
    page.click("#add-opinion")
    firm.flash("第1条意见已保存")
    page.click("#complete-feedback")
    expect(page.locator("#feedback-closed")).to_be_visible()
    firm.as_("evaluator")
    firm.open_engagement()
    page = firm.tab("征求意见")
    page.select_option(".answer-form select[name=adoption]", value="采纳")
    page.fill(".answer-form input[name=reason]", "已在过程指标分析中补充说明。")
    page.click(".answer-form button[type=submit]")
    expect(page.locator("#consultation-done")).to_be_visible()
    page.click("#generate-opinion-table button")
    expect(page.locator("#version-table")).to_contain_text("意见采纳情况表", timeout=120_000)
    firm.shot("08-consultation")
    firm.as_("lead")
    firm.open_engagement()
    firm.advance("提交与审核")


# ---------------------------------------------------------------- 9 提交与审核

RATING = {"team_competence": "14", "team_stability": "14", "communication": "18",
          "report_data": "22", "conclusions": "22"}  # fmt: skip


def bureau_review(firm: Firm) -> None:
    """The lead generates the 正式稿 and submits it; the bureau approves it and rates the agency."""
    page = firm.tab("评价报告")
    page.select_option("#generate-report select[name=label]", label="正式稿")
    page.locator("#generate-report button[type=submit]", has_text="生成评价报告").click()
    expect(page.locator("#version-table .badge", has_text="正式稿")).to_be_visible(timeout=120_000)
    submit_to_bureau(firm, "正式评价报告")
    bureau_decides(firm, "正式评价报告")
    page = firm.page
    page.click("#review-nav >> text=质量考核")
    for name, value in RATING.items():
        page.fill(f"input[name=score_{name}]", value)
    page.click("#save-rating")
    firm.flash("质量考核已保存：总分 90.00 分")
    firm.shot("09-bureau-review")
    # The agency's admin finds the rating driving the deposit's release in the ledger.
    page = firm.as_("admin")
    page.click("nav >> text=保证金台账")
    row = page.locator("tr", has_text=TITLE).first
    expect(row).to_contain_text("90.00")  # the score: every band pays 100% from 90
    expect(row).to_contain_text("48,000.00")  # 10% of 480,000 withheld, all of it released
    firm.as_("lead")
    firm.open_engagement()
    firm.advance("归档")


# ---------------------------------------------------------------- 10 归档


def archive(firm: Firm, download_to: Path) -> None:
    """The lead reads the archive checklist, completes the archive from the flowchart and
    exports the sealed package, whose manifest verifies."""
    page = firm.tab("归档")
    expect(page.locator("main")).to_contain_text("委托方质量考核")
    page = firm.flowchart()
    expect(page.locator("main")).to_contain_text("本阶段的条件已全部满足")
    page.click("#advance")
    expect(page.locator('.flow-step[data-status="done"]')).to_have_count(10)
    expect(page.locator("#advance")).to_have_count(0)  # read-only now
    firm.shot("10-archived")
    page = firm.tab("归档")
    with page.expect_download() as download:
        page.click("#export-archive")
    download.value.save_as(download_to)


STAGES = [
    commission,
    plan,
    plan_review,
    indicators,
    fieldwork,
    survey,
    scoring,
    report,
    consultation,
    bureau_review,
]


@pytest.mark.long
def test_readme_to_archived_engagement(readme_server, browser, tmp_path):
    base, logins = readme_server
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    firm = Firm(page, base, logins)
    try:
        for stage in STAGES:
            started = time.monotonic()
            stage(firm)
            print(f"{stage.__name__}: {time.monotonic() - started:.1f}s")  # shown on failure
        archive(firm, tmp_path / "archive.zip")
    finally:
        context.close()
    result = verify_zip(tmp_path / "archive.zip")
    assert result.ok, result.problems
