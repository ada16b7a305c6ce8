"""The 基本信息 page, the 报告体检 card on the report page and the API, over HTTP."""

from sqlmodel import select

from workbench.facts import services
from workbench.indicators.tree import list_indicators
from workbench.reports import services as reports
from workbench.reports.checkup_models import ReportCheck
from workbench.reports.services import checkups


def url(demo, path=""):
    return f"/engagements/{demo.engagement.id}{path}"


def form(db, demo, **values):
    data = {"version": str(services.sheet_version(db, demo.engagement))}
    for fact in services.current(db, demo.engagement):
        data[f"fact-{fact.key}"] = fact.input_text if fact.source == "entered" else ""
        if fact.source == "paper":
            data[f"source-{fact.key}"] = f"paper:{fact.paper_id}:{fact.paper_ref}"
    return data | values


def test_the_page_is_a_tab_and_shows_values_with_sources(db, demo, login):
    client = login("demo-evaluator")
    flowchart = client.get(url(demo)).get_data(as_text=True)
    assert f'href="{url(demo, "/facts")}">基本信息</a>' in flowchart
    page = client.get(url(demo, "/facts")).get_data(as_text=True)
    assert "1,250.00万元" in page and "来自底稿 D-07-01" in page and "50,936人" in page
    assert "{{fact:budget}}" in page  # the fields a narrative may insert


def test_saving_updates_the_indicator_and_a_bad_value_writes_nothing(db, demo, login):
    client = login("demo-lead")
    response = client.post(
        url(demo, "/facts"), data=form(db, demo, **{"fact-beneficiaries": "51000"})
    )
    assert response.status_code == 302
    item = next(i for i in list_indicators(db, demo.engagement) if i.name == "受益学生人数")
    assert item.actual == "51,000人"
    page = client.get(url(demo, "/facts")).get_data(as_text=True)
    assert "已同步更新指标：受益学生人数" in page
    bad = form(db, demo, **{"fact-beneficiaries": "很多", "fact-units_covered": "200"})
    client.post(url(demo, "/facts"), data=bad, headers={"Referer": url(demo, "/facts")})
    page = client.get(url(demo, "/facts")).get_data(as_text=True)
    assert "实际受益人数“很多”不是有效的数字" in page
    assert services.current(db, demo.engagement)[8].text == "126个"  # units_covered unchanged


def test_the_report_page_shows_the_check_and_the_lead_acknowledges(db, demo, login):
    client = login("demo-lead")
    page = client.get(url(demo, "/report")).get_data(as_text=True)
    assert f'hx-get="{url(demo, "/report/checkup")}"' in page  # loaded after the page
    card = client.get(url(demo, "/report/checkup"), headers={"HX-Request": "true"})
    assert "<html" not in card.get_data(as_text=True)
    page = client.get(url(demo, "/report/checkup")).get_data(as_text=True)
    assert 'id="checkup"' in page and "评分结果尚未经项目负责人签字确认" in page
    result = checkups.run(db, demo.engagement)
    assert result.warnings
    client.post(url(demo, "/report/checkup/acknowledge"), data={"fingerprint": result.fingerprint})
    page = client.get(url(demo, "/report/checkup")).get_data(as_text=True)
    assert 'id="checkup-ack"' in page and "以上警告已由李项目于" in page
    stale = client.post(
        url(demo, "/report/checkup/acknowledge"),
        data={"fingerprint": "0" * 64},
        headers={"Referer": url(demo, "/report")},
    )
    assert stale.status_code == 302
    assert "体检结果已变化" in client.get(url(demo, "/report/checkup")).get_data(as_text=True)


def test_a_version_records_its_check_and_the_list_shows_it(ctx, db, demo, login):
    lead = demo.users["demo-lead"]
    version = reports.generate(
        db, actor=lead, engagement=demo.engagement, kind="report", label="初稿"
    )
    row = db.exec(select(ReportCheck).where(ReportCheck.version_id == version.id)).one()
    assert row.errors >= 1 and row.findings[0]["level"] == "error"
    page = login("demo-lead").get(url(demo, "/report")).get_data(as_text=True)
    assert f"体检：错误{row.errors}项，警告{row.warnings}项" in page


def test_the_api_reads_facts_and_the_check(db, demo, client, token_for):
    reviewer = token_for(demo.users["demo-reviewer"])
    base = f"/api/v1/engagements/{demo.engagement.id}"
    facts = client.get(f"{base}/facts", headers=reviewer).get_json()["facts"]
    budget = next(f for f in facts if f["key"] == "budget")
    assert budget == {
        "key": "budget",
        "label": "预算资金",
        "unit": "万元",
        "value": "12500000.00",
        "text": "1,250.00万元",
        "source": "paper",
        "source_label": "来自底稿 D-07-01",
    }
    answer = client.get(f"{base}/report-check", headers=reviewer)
    check = answer.get_json()
    assert answer.status_code == 200, check
    assert check["errors"] == len([f for f in check["findings"] if f["level"] == "error"]) > 0
    bureau = token_for(demo.users["demo-bureau"])
    assert client.get(f"{base}/facts", headers=bureau).status_code == 403


def test_a_fact_change_that_clears_the_score_sign_off_asks_first(db, demo, login):
    from workbench.core.audit import AuditEntry
    from workbench.core.timeutil import utcnow
    from workbench.indicators.system import ensure_system

    system = ensure_system(db, demo.engagement)
    system.scores_signed_at, system.scores_signed_by_id = utcnow(), demo.users["demo-lead"].id
    db.flush()
    client = login("demo-lead")
    page = client.get(url(demo, "/facts")).get_data(as_text=True)
    warning = page.split('id="clear-warning"')[1].split("</div></div>")[0]
    assert "修改绑定指标所用的基本信息将清除李项目（项目负责人）的评分签字" in warning
    changed = form(db, demo, **{"fact-beneficiaries": "51000"})
    refused = client.post(
        url(demo, "/facts"), data=changed, headers={"Referer": url(demo, "/facts")},
        follow_redirects=True,
    )  # fmt: skip
    assert "将清除李项目（项目负责人）的评分签字" in refused.get_data(as_text=True)
    db.expire_all()
    item = next(i for i in list_indicators(db, demo.engagement) if i.name == "受益学生人数")
    facts = {f.key: f.text for f in services.current(db, demo.engagement)}
    assert item.actual == "50,936人" and facts["beneficiaries"] == "50,936人"  # nothing written
    assert ensure_system(db, demo.engagement).scores_signed_at is not None
    done = client.post(url(demo, "/facts"), data={**changed, "confirm_clear_signoffs": "y"})
    assert done.status_code == 302
    db.expire_all()
    item = next(i for i in list_indicators(db, demo.engagement) if i.name == "受益学生人数")
    assert item.actual == "51,000人"
    assert ensure_system(db, demo.engagement).scores_signed_at is None
    actions = db.exec(
        select(AuditEntry.action).where(AuditEntry.engagement_id == demo.engagement.id)
    )
    assert "scoring.signoff_cleared" in actions.all()
