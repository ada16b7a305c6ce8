"""Finance pages and the deposit API over HTTP: forms, refusals, who may see fees."""

import re
from datetime import date
from decimal import Decimal

from sqlmodel import select

from tests.finance.conftest import contract_data, counts
from workbench.finance import services
from workbench.finance.models import FinanceSettings

D = Decimal


def _contract_form(**overrides) -> dict:
    form = {
        "number": "HT-2026-088",
        "signed_on": "2026-03-01",
        "fee": "360,000.00",
        "deposit_rate": "10",
        "release_days": "30",
        "note": "",
        "version": "",
    }
    rows = [("signing", "30"), ("report_approved", "60"), ("deposit_release", "10")]
    for i in range(6):
        event, percent = rows[i] if i < len(rows) else ("", "")
        form[f"instalments-{i}-event"] = event
        form[f"instalments-{i}-percent"] = percent
    bands = [("90", "100"), ("80", "80"), ("60", "50"), ("0", "0")]
    for i in range(6):
        low, share = bands[i] if i < len(bands) else ("", "")
        form[f"bands-{i}-min_score"] = low
        form[f"bands-{i}-fraction"] = share
    form.update(overrides)
    return form


def value_of(html: str, name: str) -> str | None:
    """The value attribute of the input named `name`."""
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return found.group(1) if found else None


def test_overview_shows_contract_balances_and_ledger(login, demo):
    html = (
        login("demo-lead").get(f"/engagements/{demo.engagement.id}/finance").get_data(as_text=True)
    )
    assert "480,000.00" in html and "48,000.00" in html and "144,000.00" in html
    assert "合同签订后" in html and "评价报告审核通过后" in html and "质量保证金释放" in html
    assert "首期服务费到账" in html and 'id="entry-form"' in html and "预留中" in html
    # Evaluators see the figures but get no booking forms.
    html = (
        login("demo-evaluator")
        .get(f"/engagements/{demo.engagement.id}/finance")
        .get_data(as_text=True)
    )
    assert (
        "480,000.00" in html and 'id="entry-form"' not in html and 'id="edit-contract"' not in html
    )


def test_fees_are_hidden_from_bureau_unit_and_expert(login, demo):
    url = f"/engagements/{demo.engagement.id}/finance"
    assert login("demo-bureau").get(url).status_code == 403
    assert login("demo-unit").get(url).status_code == 403
    assert login("demo-expert").get(url).status_code == 403
    assert login("demo-bureau2").get(url).status_code == 404
    flowchart = (
        login("demo-bureau").get(f"/engagements/{demo.engagement.id}").get_data(as_text=True)
    )
    assert "费用与保证金" not in flowchart and "480,000" not in flowchart
    assert "费用与保证金" in login("demo-lead").get(f"/engagements/{demo.engagement.id}").get_data(
        as_text=True
    )


def test_contract_form_prefilled_from_defaults_then_saved(login, db, demo, fresh):
    e = fresh()
    c = login("demo-lead")
    html = c.get(f"/engagements/{e.id}/finance").get_data(as_text=True)
    assert "尚未登记委托合同" in html and 'id="new-contract"' in html
    html = c.get(f"/engagements/{e.id}/finance/contract").get_data(as_text=True)
    assert value_of(html, "instalments-0-percent") == "30"
    assert value_of(html, "instalments-2-percent") == "10"
    assert value_of(html, "bands-1-fraction") == "80"
    assert value_of(html, "deposit_rate") == "10"
    assert value_of(html, "release_days") == "30"
    r = c.post(f"/engagements/{e.id}/finance/contract", data=_contract_form())
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/engagements/{e.id}/finance")
    contract = services.contract_for(db, e)
    assert (contract.fee, contract.deposit, contract.number) == (
        D("360000.00"),
        D("36000.00"),
        "HT-2026-088",
    )
    assert contract.terms.bands[1].fraction == D("0.8")
    # Edit: stale version is refused with the conflict message.
    r = c.post(
        f"/engagements/{e.id}/finance/contract",
        data=_contract_form(number="HT-改", version=str(contract.version + 5)),
        headers={"Referer": f"/engagements/{e.id}/finance/contract"},
        follow_redirects=True,
    )
    assert "合同已被他人修改，请刷新后重试" in r.get_data(as_text=True)
    db.expire_all()
    assert services.contract_for(db, e).number == "HT-2026-088"


def test_contract_form_errors_name_row_and_nothing_is_saved(login, db, fresh):
    e = fresh()
    c = login("demo-lead")
    before = counts(db, e)
    cases = [
        ({"instalments-1-percent": "50"}, "各期付款比例合计须为 100%，当前合计 90%"),
        ({"instalments-1-percent": "六十"}, "第 2 行“比例”：“六十”不是数字"),
        ({"bands-2-min_score": "85"}, "第 3 档：分数下限须低于上一档（80），请按从高到低填写"),
        ({"bands-0-fraction": "120"}, "第 1 档：释放比例须在 0–100% 之间"),
        ({"bands-3-fraction": ""}, "第 4 行：请同时填写得分下限和释放比例"),
        ({"fee": "abc"}, "“abc”不是有效的数字"),
        ({"fee": "0"}, "合同金额须大于 0"),
        ({"release_days": "三十"}, "释放期限须为整数天数"),
        ({"deposit_rate": "12"}, "“质量保证金释放”一期的比例（10%）须等于保证金比例（12%）"),
        ({"number": ""}, "请填写合同编号"),
    ]
    for overrides, message in cases:
        html = c.post(
            f"/engagements/{e.id}/finance/contract", data=_contract_form(**overrides)
        ).get_data(as_text=True)
        assert message in html, message
    assert counts(db, e) == before


def test_booking_forms(login, db, demo, fresh):
    e = fresh()
    services.create_contract(db, actor=demo.users["demo-lead"], engagement=e, data=contract_data())
    db.flush()
    c = login("demo-lead")
    url = f"/engagements/{e.id}/finance"
    r = c.post(
        f"{url}/entries",
        data={
            "kind": "invoiced",
            "instalment": "0",
            "amount": "144,000",
            "entry_date": "2026-03-05",
        },
    )
    assert r.status_code == 302
    r = c.post(
        f"{url}/entries",
        data={
            "kind": "received",
            "instalment": "0",
            "amount": "144000.01",
            "entry_date": "2026-03-09",
        },
        follow_redirects=True,
    )
    html = r.get_data(as_text=True)
    assert "第 1 期收款合计（144,000.01 元）超过该期开票合计 144,000.00 元" in html
    r = c.post(
        f"{url}/entries",
        data={"kind": "received", "instalment": "", "amount": "一百", "entry_date": "2026-03-09"},
        follow_redirects=True,
    )
    assert "“一百”不是有效的数字" in r.get_data(as_text=True)
    r = c.post(f"{url}/entries", data={"kind": "received", "amount": ""}, follow_redirects=True)
    assert "请填写金额" in r.get_data(as_text=True)
    entries = services.all_entries(db, e)
    assert [(x.kind, x.amount, x.instalment) for x in entries] == [("invoiced", D("144000.00"), 0)]
    r = c.post(f"{url}/entries/{entries[0].id}/void", data={"reason": ""}, follow_redirects=True)
    assert "请填写作废原因" in r.get_data(as_text=True)
    c.post(f"{url}/entries/{entries[0].id}/void", data={"reason": "发票作废"})
    db.expire_all()  # the request wrote through its own session
    assert services.active_entries(db, e) == []
    assert "已作废：发票作废" in c.get(url).get_data(as_text=True)


def test_release_form_after_rating(login, db, demo, fresh):
    e = fresh()
    services.create_contract(db, actor=demo.users["demo-lead"], engagement=e, data=contract_data())
    services.apply_quality_rating(
        db, actor=demo.users["demo-bureau"], engagement=e, score=D("82.5"), rated_at=date.today()
    )
    db.flush()
    c = login("demo-lead")
    html = c.get(f"/engagements/{e.id}/finance").get_data(as_text=True)
    assert 'id="release-form"' in html and 'value="38400.00"' in html and "待释放" in html
    r = c.post(
        f"/engagements/{e.id}/finance/release",
        data={"amount": "38,400.00", "paid_on": date.today().isoformat(), "note": "财政直接支付"},
    )
    assert r.status_code == 302
    html = c.get(f"/engagements/{e.id}/finance").get_data(as_text=True)
    assert "已释放" in html and 'id="release-form"' not in html and "9,600.00" in html


def test_settings_page(login, db, demo):
    c = login("demo-admin")
    html = c.get("/finance/settings").get_data(as_text=True)
    assert value_of(html, "bands-0-min_score") == "90"
    form = {k: v for k, v in _contract_form().items() if k.startswith(("instalments", "bands"))}
    form.update({"deposit_rate": "10", "release_days": "45", "version": ""})
    form["bands-3-min_score"], form["bands-3-fraction"] = "", ""
    assert c.post("/finance/settings", data=form).status_code == 302
    db.expire_all()
    row = db.exec(select(FinanceSettings)).one()
    assert row.data["release_days"] == 45 and len(row.data["bands"]) == 3
    form["deposit_rate"] = "200"
    html = c.post("/finance/settings", data={**form, "version": str(row.version)}).get_data(
        as_text=True
    )
    assert "保证金比例须在 0–100% 之间" in html
    assert login("demo-lead").get("/finance/settings").status_code == 403


def test_deposit_api_shape_and_permissions(client, db, demo, token_for):
    url = f"/api/v1/engagements/{demo.engagement.id}/deposit"
    r = client.get(url, headers=token_for(demo.users["demo-lead"]))
    assert r.status_code == 200
    assert r.json == {
        "fee": "480000.00",
        "deposit": "48000.00",
        "rate": "0.10",
        "quality_score": None,
        "release_fraction": None,
        "released": "0.00",
        "due_date": None,
        "status": "withheld",
    }
    assert client.get(url, headers=token_for(demo.users["demo-admin"])).status_code == 200
    assert client.get(url, headers=token_for(demo.users["demo-bureau"])).status_code == 403
    assert client.get(url, headers=token_for(demo.users["demo-unit"])).status_code == 403
    assert client.get(url, headers=token_for(demo.users["demo-expert"])).status_code == 403
    assert client.get(url, headers=token_for(demo.users["demo-bureau2"])).status_code == 404
    assert client.get(url).status_code == 401
    services.apply_quality_rating(
        db,
        actor=demo.users["demo-bureau"],
        engagement=demo.engagement,
        score=D("91.25"),
        rated_at=date(2026, 12, 1),
    )
    db.flush()
    body = client.get(url, headers=token_for(demo.users["demo-reviewer"])).json
    assert body["quality_score"] == "91.25" and body["release_fraction"] == "1.00"
    assert body["due_date"] == "2026-12-31" and body["status"] in {"due", "overdue"}
    doc = client.get("/api/v1/openapi.json").json
    assert "/engagements/{id}/deposit" in doc["paths"]
