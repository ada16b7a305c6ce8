"""Offline mode: every endpoint is let through or refused on purpose, a refusal says where the work
is done, the banner names the checkout, audit entries name the laptop."""

from __future__ import annotations

import pytest

from tests.offline.laptop_helpers import DEVICE, rows
from workbench.core import audit
from workbench.core.audit import AuditEntry
from workbench.fieldwork.models import Finding
from workbench.offline import mode

WORK = {
    "accounts": {"login", "logout", "change_password", "set_language"},
    "fieldwork": {
        "binder_page", "binder_zip", "evidence_delete", "evidence_download", "evidence_list",
        "evidence_upload", "evidence_upload_loose", "finding_add", "finding_delete",
        "findings_export", "findings_list", "item_status", "item_upload", "link_page",
        "link_upload", "note_add", "note_reopen", "note_resolve", "paper_edit", "paper_export",
        "paper_new", "paper_return", "paper_show", "paper_sign", "papers_index_export",
        "papers_list", "request_add_items", "request_import", "request_import_confirm",
        "request_import_template", "request_link", "request_new", "request_revoke",
        "request_send", "request_show", "requests_export", "requests_list",
    },
    "surveys": {"public_form", "public_submit", "public_thanks", "entry", "export_paper"},
    "scoring": {"leaf"},
    "review": {"notifications", "read_notification", "read_all"},
    "laptop": {"export"},
}  # fmt: skip
READ = {
    "about": {"about"},
    "accounts": {"profile", "audit_log", "audit_export"},
    "engagements": {"dashboard", "list_export", "flowchart", "team", "audit_log", "audit_export"},
    "fieldwork": {"templates", "template_new", "template_edit", "template_yaml",
                  "stage_papers_page"},
    "surveys": {"index", "show", "design", "poster", "qr_png", "qr_svg", "responses_list",
                "stats", "export_xlsx"},
    "indicators": {"index", "export_sheet"},
    "scoring": {"index"},
    "health": {"healthz", "readyz", "favicon"},
}  # fmt: skip
# Blueprints refused whole: what they hold is not on the laptop or is the server's to change.
REFUSED_WHOLE = {
    "api", "reports", "finance", "experts", "library", "hub", "webhooks", "facts", "offline",
}  # fmt: skip


def _names(table: dict[str, set[str]]) -> set[str]:
    return {f"{bp}.{name}" for bp, names in table.items() for name in names}


def test_every_endpoint_is_let_through_or_refused_on_purpose(laptop_client):
    rules = list(laptop_client.app.url_map.iter_rules())
    endpoints = {rule.endpoint for rule in rules}
    methods = {e: set() for e in endpoints}
    for rule in rules:
        methods[rule.endpoint] |= rule.methods
    found = {level: {e for e in endpoints if mode.access(e) is level} for level in mode.Access}

    assert found[mode.Access.work] == _names(WORK)
    assert found[mode.Access.read] == _names(READ) | {"static"}
    for endpoint in found[mode.Access.read]:
        assert "GET" in methods[endpoint], f"{endpoint} is read-only but has no page to read"
    refused = found[mode.Access.refused]
    assert {e.partition(".")[0] for e in refused} == REFUSED_WHOLE | {
        "accounts", "engagements", "fieldwork", "indicators", "scoring", "surveys", "review",
    }  # fmt: skip
    assert {e for e in endpoints if e.partition(".")[0] in REFUSED_WHOLE} <= refused
    for endpoint in refused:
        for method in methods[endpoint] - {"HEAD", "OPTIONS"}:
            message = mode.refusal(endpoint, method)
            assert message and message.startswith("离线模式下不能"), endpoint
            assert "进行此操作" not in message and message.endswith("请回到单位后在服务器上操作")
    for endpoint in found[mode.Access.read]:
        assert mode.refusal(endpoint, "GET") is None
        assert mode.refusal(endpoint, "POST") is not None


def test_a_refused_change_answers_403_with_the_reason(laptop_client, checkout_file, interview):
    engagement_id = checkout_file[1]["engagement_id"]
    lead = laptop_client("demo-lead")
    answer = lead.post(f"/engagements/{engagement_id}/advance")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 403
    assert "离线模式下不能修改项目信息、工作组或推进流程，请回到单位后在服务器上操作" in text
    report = lead.get(f"/engagements/{engagement_id}/report")
    assert report.status_code == 403 and "离线模式下不能编写方案和报告" in report.get_data(
        as_text=True
    )
    api = lead.get(f"/api/v1/engagements/{engagement_id}")
    assert api.status_code == 403 and api.get_json()["error"].startswith("离线模式下不能使用 API")
    deleted = lead.post(f"/engagements/{engagement_id}/papers/{interview['id']}/delete")
    assert deleted.status_code == 403 and "离线模式下不能删除底稿" in deleted.get_data(as_text=True)


def test_fieldwork_goes_through_and_its_audit_entry_names_the_laptop(
    laptop_client, checkout_file, interview
):
    engagement_id = checkout_file[1]["engagement_id"]
    evaluator = laptop_client("demo-evaluator")
    answer = evaluator.post(
        f"/engagements/{engagement_id}/papers/{interview['id']}/findings",
        data={"text": "现场发现：食堂账目未单独核算", "kind": "observation", "indicator_id": 0},
    )
    assert answer.status_code == 302
    (finding,) = rows(laptop_client.app, Finding, Finding.text == "现场发现：食堂账目未单独核算")
    assert finding.paper_id == interview["id"]
    entries = rows(laptop_client.app, AuditEntry, AuditEntry.action == "finding.add")
    assert [e.device for e in entries] == [DEVICE]
    logins = rows(laptop_client.app, AuditEntry, AuditEntry.action == "user.login")
    assert logins and {e.device for e in logins} == {DEVICE}


def test_the_server_records_no_device(app, db, demo):
    with app.test_request_context():
        entry = audit.record(db, actor=demo.users["demo-lead"], action="user.login")
    assert entry.device == ""
    assert "laptop.export" not in app.view_functions


def test_every_page_shows_the_banner_with_the_way_back(laptop_client, checkout_file):
    manifest = checkout_file[1]
    login_page = laptop_client().get("/login").get_data(as_text=True)
    lead = laptop_client("demo-lead")
    for page in (login_page, lead.get("/").get_data(as_text=True)):
        banner = page.split('id="offline-banner"')[1].split("</div>")[0]
        assert "离线模式" in banner and DEVICE in banner
        assert f"《{manifest['engagement_title']}》" in banner and "检出于" in banner
        assert "工作完成后请" in banner and "并带回单位导入" in banner
        assert 'href="/offline/export"' in banner


def test_the_menus_link_only_to_pages_the_laptop_opens(laptop_client, checkout_file):
    engagement_id = checkout_file[1]["engagement_id"]
    page = laptop_client("demo-lead").get(f"/engagements/{engagement_id}").get_data(as_text=True)
    nav = page.split('<ul class="navbar-nav me-auto">')[1].split("</ul>")[0]
    assert nav.count("<li") == 1 and "我的项目" in nav
    tabs = page.split('id="engagement-tabs"')[1].split("</ul>\n</div>")[0]
    links = {link.split('"')[0] for link in tabs.split('href="')[1:]} - {"#"}
    assert f"/engagements/{engagement_id}/papers" in links
    assert f"/engagements/{engagement_id}/surveys" in links
    for link in links:
        path = link.split("#")[0].split("?")[0]
        endpoint = laptop_client.app.url_map.bind("localhost").match(path)[0]
        assert mode.refusal(endpoint, "GET") is None, link


def test_the_server_shows_no_banner(login, demo):
    page = login("demo-lead").get("/").get_data(as_text=True)
    assert "offline-banner" not in page


@pytest.fixture()
def open_survey(laptop_client, checkout_file):
    """The demo survey as if it had been open when the engagement was checked out (the laptop
    itself cannot open or close a survey: its state is the server's)."""
    from sqlmodel import select

    from workbench import db as database
    from workbench.accounts.models import User
    from workbench.engagements.models import Engagement
    from workbench.surveys.collection import states
    from workbench.surveys.models import Survey

    survey_id = checkout_file[2]["reference"]["survey"][0]["id"]
    with laptop_client.app.app_context(), database.session_scope() as session:
        survey = session.get(Survey, survey_id)
        lead = session.exec(select(User).where(User.username == "demo-lead")).one()
        engagement = session.get(Engagement, survey.engagement_id)
        states.reopen_survey(
            session, actor=lead, engagement=engagement, survey=survey, reason="现场补充调查"
        )
        return survey


ANSWERS = {
    "a.q1": "1",
    "a.q2": "0",
    "a.q3": ["0", "2"],
    "r.0.q4": "0",
    "r.1.q4": "1",
    "r.2.q4": "1",
    "r.3.q4": "2",
    "a.q5": "0",
    "a.q6": "希望继续办下去",
}


def test_an_answer_on_the_laptops_form_is_collected_offline(laptop_client, open_survey):
    from workbench.surveys.models import CHANNEL_NAMES, Channel, SurveyResponse

    phone = laptop_client()
    form = phone.get(f"/s/{open_survey.token}")
    assert form.status_code == 200 and "offline-banner" not in form.get_data(as_text=True)
    answer = phone.post(f"/s/{open_survey.token}", data=ANSWERS)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    (response,) = rows(
        laptop_client.app, SurveyResponse, SurveyResponse.channel == Channel.offline.value
    )
    assert response.survey_id == open_survey.id and response.answers["q5"] == 0
    assert CHANNEL_NAMES[Channel.offline] == "离线采集"
    (entry,) = rows(laptop_client.app, AuditEntry, AuditEntry.action == "survey.answer")
    assert entry.device == DEVICE and "离线采集" in entry.summary
    from workbench.surveys.views.results import PER_PAGE

    last = -(-(response.id) // PER_PAGE)  # the answers are listed by id; the new one is the last
    listing = laptop_client("demo-evaluator").get(
        f"/engagements/{open_survey.engagement_id}/surveys/{open_survey.id}/responses?page={last}"
    )
    row = listing.get_data(as_text=True).split(f"<td>{response.id}</td>")[1].split("</tr>")[0]
    assert listing.status_code == 200 and "离线采集" in row


def test_links_and_qr_codes_point_at_the_laptops_hotspot_address(laptop_client, open_survey):
    evaluator = laptop_client("demo-evaluator")
    base = f"/engagements/{open_survey.engagement_id}/surveys/{open_survey.id}"
    link = f"http://192.168.137.1:5000/s/{open_survey.token}"
    assert link in evaluator.get(base).get_data(as_text=True)
    assert link in evaluator.get(f"{base}/poster").get_data(as_text=True)
    svg = evaluator.get(f"{base}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
