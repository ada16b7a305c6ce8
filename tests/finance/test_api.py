"""The contract and money through the JSON API (issue 21): the finance pages' rules and refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import func, select

from tests.finance.conftest import contract_data
from workbench.core.audit import AuditEntry
from workbench.core.timeutil import utcnow
from workbench.engagements.stages import Stage
from workbench.finance import services
from workbench.finance.models import LedgerEntry

D = Decimal
CONTRACT = {"number": "HT-API-001", "signed_on": "2026-03-01", "fee": "480000.00"}


def _url(engagement, tail: str) -> str:
    return f"/api/v1/engagements/{engagement.id}/{tail}"


def _actions(db, engagement) -> list[tuple[str, int]]:
    rows = db.exec(
        select(AuditEntry.action, AuditEntry.actor_id)
        .where(AuditEntry.engagement_id == engagement.id, AuditEntry.action.like("finance.%"))
        .order_by(AuditEntry.id)
    ).all()
    return [tuple(r) for r in rows]


def _messages(answer) -> dict[str, str]:
    """Each field's messages, joined."""
    found: dict[str, str] = {}
    for error in answer.json.get("errors", []):
        found[error["field"]] = found.get(error["field"], "") + error["message"]
    return found


@pytest.fixture()
def lead(demo, token_for):
    return token_for(demo.users["demo-lead"])


@pytest.fixture()
def contracted(db, demo, fresh):
    """A fresh engagement of demo-lead with the 480,000 yuan contract (30/60/10, 10% deposit)."""
    e = fresh()
    services.create_contract(db, actor=demo.users["demo-lead"], engagement=e, data=contract_data())
    db.flush()
    return e


def test_the_contract_is_recorded_with_the_agencys_default_terms(client, db, demo, fresh, lead):
    e = fresh()
    assert client.get(_url(e, "contract"), headers=lead).status_code == 404
    made = client.post(_url(e, "contract"), headers=lead, json={**CONTRACT, "note": "首付三成"})
    assert made.status_code == 201, made.json
    body = made.json
    assert (body["fee"], body["deposit_rate"], body["deposit"]) == (
        "480000.00",
        "10.00",
        "48000.00",
    )
    assert [(i["event"], i["amount"]) for i in body["instalments"]] == [
        ("signing", "144000.00"), ("report_approved", "288000.00"), ("deposit_release", "48000.00"),
    ]  # fmt: skip
    assert body["bands"][0] == {"min_score": "90", "fraction": "1"}
    assert (body["release_days"], body["note"], body["quality_score"]) == (30, "首付三成", None)
    assert _actions(db, e) == [("finance.contract.create", demo.users["demo-lead"].id)]
    again = client.post(_url(e, "contract"), headers=lead, json=CONTRACT)
    assert again.status_code == 409 and "已登记委托合同" in again.json["error"]
    read = client.get(_url(e, "contract"), headers=lead)
    assert read.status_code == 200 and read.headers["ETag"] == f'W/"{body["version"]}"'
    instalments = client.get(_url(e, "instalments"), headers=lead).json["items"]
    assert [(r["index"], r["amount"], r["is_deposit"]) for r in instalments] == [
        (0, "144000.00", False), (1, "288000.00", False), (2, "48000.00", True),
    ]  # fmt: skip


def test_the_contract_is_edited_with_its_version(client, db, demo, contracted, lead):
    url = _url(contracted, "contract")
    tag = client.get(url, headers=lead).headers["ETag"]
    missing = client.patch(url, headers=lead, json={"note": "无版本"})
    assert missing.status_code == 428 and "If-Match" in missing.json["error"]
    terms = {
        "fee": "500000.00",
        "deposit_rate": "5",
        "instalments": [
            {"event": "signing", "percent": "40"},
            {"event": "plan_approved", "percent": "55"},
            {"event": "deposit_release", "percent": "5"},
        ],
    }
    done = client.patch(url, headers={**lead, "If-Match": tag}, json=terms)
    assert done.status_code == 200, done.json
    assert (done.json["fee"], done.json["deposit"], done.json["number"]) == (
        "500000.00", "25000.00", "HT-2026-001",
    )  # fmt: skip
    assert done.headers["ETag"] != tag
    stale = client.patch(url, headers={**lead, "If-Match": tag}, json={"note": "覆盖"})
    assert stale.status_code == 412 and "已被他人修改" in stale.json["error"]
    db.expire_all()
    assert services.contract_for(db, contracted).note == ""
    fresh_tag = done.headers["ETag"]
    for bad in ({"fee": None}, {"number": ""}, {"quality_score": "90"}, {"release_days": -1}):
        assert (
            client.patch(url, headers={**lead, "If-Match": fresh_tag}, json=bad).status_code == 422
        )
    odd = client.patch(url, headers={**lead, "If-Match": fresh_tag},
                       json={"instalments": [{"event": "signing", "percent": "50"}]})  # fmt: skip
    assert odd.status_code == 422
    assert "合计须为 100%" in _messages(odd)["instalments"]
    assert [a for a, _ in _actions(db, contracted)] == [
        "finance.contract.create", "finance.contract.update",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"fee": "-1"}, "fee", "合同金额须大于 0"),
        ({"fee": "0"}, "fee", "合同金额须大于 0"),
        ({"fee": "100.001"}, "fee", "合同金额最多保留两位小数"),
        ({"deposit_rate": "120"}, "deposit_rate", "保证金比例须在 0–100% 之间"),
        ({"number": "  "}, "number", "请填写合同编号"),
        (
            {"bands": [{"min_score": "80", "fraction": "1"}, {"min_score": "90", "fraction": "0"}]},
            "bands",
            "分数下限须低于上一档",
        ),  # fmt: skip
    ],
)
def test_a_wrong_contract_is_refused_with_the_pages_messages(
    client, db, fresh, lead, change, field, message
):
    e = fresh()
    answer = client.post(_url(e, "contract"), headers=lead, json={**CONTRACT, **change})
    assert answer.status_code == 422
    assert message in _messages(answer)[field]
    assert services.contract_for(db, e) is None


def test_a_malformed_contract_body_is_refused(client, fresh, lead):
    e = fresh()
    for bad in (
        {**CONTRACT, "signed_on": "2026-02-30"},
        {**CONTRACT, "fee": "很多"},
        {**CONTRACT, "extra": 1},
        {**CONTRACT, "instalments": [{"event": "whenever", "percent": "100"}]},
        {"number": "HT-1", "fee": "1"},
    ):
        assert client.post(_url(e, "contract"), headers=lead, json=bad).status_code == 422, bad


def test_invoices_and_receipts_follow_the_ledger_rules(client, db, demo, contracted, lead):
    first = {"amount": "144000.00", "entry_date": "2026-03-05", "instalment": 0, "note": "首期"}
    invoice = client.post(_url(contracted, "invoices"), headers=lead, json=first)
    assert invoice.status_code == 201, invoice.json
    assert (invoice.json["kind"], invoice.json["kind_name"], invoice.json["amount"]) == (
        "invoiced", "开票", "144000.00",
    )  # fmt: skip
    receipt = client.post(_url(contracted, "receipts"), headers=lead,
                          json={**first, "entry_date": "2026-03-12"})  # fmt: skip
    assert receipt.status_code == 201 and receipt.json["kind"] == "received"
    refusals = [
        ("receipts", {**first, "amount": "1.00"}, "amount"),  # beyond what was invoiced
        ("invoices", {**first, "amount": "-5"}, "amount"),
        ("invoices", {**first, "amount": "0"}, "amount"),
        ("invoices", {**first, "amount": "1.001"}, "amount"),
        ("invoices", {**first, "instalment": 2, "amount": "1.00"}, "instalment"),  # the deposit
        ("invoices", {**first, "instalment": 7, "amount": "1.00"}, "instalment"),
    ]
    for tail, body, field in refusals:
        answer = client.post(_url(contracted, tail), headers=lead, json=body)
        assert answer.status_code == 422 and field in _messages(answer), (body, answer.json)
    for bad in ({**first, "entry_date": "2026-13-01"}, {**first, "kind": "released"}, {}):
        assert client.post(_url(contracted, "invoices"), headers=lead, json=bad).status_code == 422
    lead_id = demo.users["demo-lead"].id
    assert _actions(db, contracted)[1:] == [
        ("finance.entry.invoiced", lead_id), ("finance.entry.received", lead_id),
    ]  # fmt: skip
    listed = client.get(_url(contracted, "receipts"), headers=lead).json
    assert [i["id"] for i in listed["items"]] == [receipt.json["id"]]
    assert listed["next_cursor"] is None
    rows = client.get(_url(contracted, "instalments"), headers=lead).json["items"]
    assert (rows[0]["invoiced"], rows[0]["received"], rows[0]["triggered"]) == (
        "144000.00", "144000.00", True,
    )  # fmt: skip


def test_no_money_before_the_contract(client, db, fresh, lead):
    e = fresh()
    body = {"amount": "100.00", "entry_date": "2026-03-05"}
    answer = client.post(_url(e, "invoices"), headers=lead, json=body)
    assert answer.status_code == 409 and "请先登记委托合同" in answer.json["error"]
    assert client.get(_url(e, "instalments"), headers=lead).json == {"items": []}


def test_a_cursor_walks_the_invoices_newest_first(client, contracted, lead):
    made = []
    for n in range(5):
        body = {"amount": "1000.00", "entry_date": f"2026-03-0{n + 1}", "instalment": 1}
        made.append(client.post(_url(contracted, "invoices"), headers=lead, json=body).json["id"])
    seen, url = [], _url(contracted, "invoices?limit=2")
    while url:
        page = client.get(url, headers=lead).json
        assert len(page["items"]) <= 2
        seen += [i["id"] for i in page["items"]]
        url = page["next_cursor"] and _url(
            contracted, f"invoices?limit=2&cursor={page['next_cursor']}"
        )
    assert seen == sorted(made, reverse=True)
    wrong = client.get(_url(contracted, "invoices?cursor=nonsense"), headers=lead)
    assert wrong.status_code == 422


def test_a_retried_invoice_is_recorded_once(client, db, contracted, lead):
    headers = {**lead, "Idempotency-Key": "invoice-2026-03-05"}
    body = {"amount": "144000.00", "entry_date": "2026-03-05", "instalment": 0}
    first = client.post(_url(contracted, "invoices"), headers=headers, json=body)
    again = client.post(_url(contracted, "invoices"), headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    db.expire_all()
    count = db.exec(
        select(func.count()).select_from(LedgerEntry)
        .where(LedgerEntry.engagement_id == contracted.id)
    ).one()  # fmt: skip
    assert count == 1


def test_the_deposit_is_withheld_rated_and_released(client, db, demo, contracted, lead):
    withheld = {"amount": "48000.00", "entry_date": "2026-09-01", "note": "验收预留"}
    early = client.post(_url(contracted, "deposit/releases"), headers=lead,
                        json={"amount": "100.00", "paid_on": "2026-09-02"})  # fmt: skip
    assert early.status_code == 409 and "尚未进行质量考核" in early.json["error"]
    made = client.post(_url(contracted, "deposit/withholdings"), headers=lead, json=withheld)
    assert made.status_code == 201 and made.json["kind"] == "withheld"
    too_much = client.post(_url(contracted, "deposit/withholdings"), headers=lead,
                           json={**withheld, "amount": "1.00"})  # fmt: skip
    assert too_much.status_code == 422
    services.apply_quality_rating(
        db, actor=demo.users["demo-bureau"], engagement=contracted, score=D("85"),
        rated_at=date(2026, 9, 1),
    )  # fmt: skip
    db.flush()
    contract = client.get(_url(contracted, "contract"), headers=lead).json
    assert (contract["release_fraction"], contract["release_amount"], contract["release_due"]) == (
        "0.8", "38400.00", "2026-10-01",
    )  # fmt: skip
    beyond = client.post(_url(contracted, "deposit/releases"), headers=lead,
                         json={"amount": "40000.00", "paid_on": "2026-09-20"})  # fmt: skip
    assert beyond.status_code == 422
    paid = client.post(_url(contracted, "deposit/releases"), headers=lead,
                       json={"amount": "38400.00", "paid_on": "2026-09-20"})  # fmt: skip
    assert paid.status_code == 201 and paid.json["kind"] == "released"
    entries = client.get(_url(contracted, "deposit/entries"), headers=lead).json["items"]
    assert [(e["kind"], e["amount"]) for e in entries] == [
        ("released", "38400.00"), ("forfeited", "9600.00"), ("withheld", "48000.00"),
    ]  # fmt: skip
    deposit = client.get(_url(contracted, "deposit"), headers=lead).json
    assert (deposit["released"], deposit["status"]) == ("38400.00", "released")
    assert {"finance.entry.withheld", "finance.entry.released", "finance.entry.forfeited"} <= {
        a for a, _ in _actions(db, contracted)
    }


def test_a_mistaken_entry_is_voided_with_a_reason(client, db, demo, contracted, lead):
    body = {"amount": "144000.00", "entry_date": "2026-03-05", "instalment": 0}
    invoice = client.post(_url(contracted, "invoices"), headers=lead, json=body).json
    received = client.post(_url(contracted, "receipts"), headers=lead, json=body).json
    url = _url(contracted, f"ledger/{invoice['id']}/void")
    assert client.post(url, headers=lead, json={"reason": ""}).status_code == 422
    blocked = client.post(url, headers=lead, json={"reason": "开错"})
    assert blocked.status_code == 422 and "作废后收付款将不一致" in blocked.json["error"]
    first = client.post(_url(contracted, f"ledger/{received['id']}/void"), headers=lead,
                        json={"reason": "重复登记"})  # fmt: skip
    assert first.status_code == 200 and first.json["voided"] is True
    assert first.json["void_reason"] == "重复登记"
    done = client.post(url, headers=lead, json={"reason": "开错"})
    assert done.status_code == 200 and done.json["voided"] is True
    again = client.post(url, headers=lead, json={"reason": "再来"})
    assert again.status_code == 409
    listed = client.get(_url(contracted, "invoices"), headers=lead).json["items"]
    assert listed[0]["voided"] and listed[0]["voided_by_id"] == demo.users["demo-lead"].id
    assert [a for a, _ in _actions(db, contracted)][-2:] == ["finance.entry.void"] * 2
    # Another engagement's entry through this engagement's URL: not found.
    theirs = services.all_entries(db, demo.engagement)[0]
    stray = client.post(_url(contracted, f"ledger/{theirs.id}/void"), headers=lead,
                        json={"reason": "x"})  # fmt: skip
    assert stray.status_code == 404


def test_after_the_archive_the_ledger_stays_open_and_the_contract_locked(
    client, db, demo, contracted, fresh, lead
):
    unsigned = fresh("未签合同")
    for e in (contracted, unsigned):
        e.stage, e.archived_at = Stage.archive.value, utcnow()
        db.add(e)
    db.flush()
    tag = client.get(_url(contracted, "contract"), headers=lead).headers["ETag"]
    locked = client.patch(_url(contracted, "contract"), headers={**lead, "If-Match": tag},
                          json={"note": "归档后修改"})  # fmt: skip
    assert locked.status_code == 409 and "项目已归档" in locked.json["error"]
    late = client.post(_url(unsigned, "contract"), headers=lead, json=CONTRACT)
    assert late.status_code == 409 and "项目已归档" in late.json["error"]
    body = {"amount": "144000.00", "entry_date": "2026-12-05", "instalment": 0}
    assert client.post(_url(contracted, "invoices"), headers=lead, json=body).status_code == 201
    assert client.post(_url(contracted, "receipts"), headers=lead, json=body).status_code == 201


def test_the_pages_roles_and_other_agencies(client, db, demo, token_for, make_user):
    e = demo.engagement
    evaluator = token_for(demo.users["demo-evaluator"])
    assert client.get(_url(e, "contract"), headers=evaluator).status_code == 200
    assert client.get(_url(e, "invoices"), headers=evaluator).status_code == 200
    body = {"amount": "1.00", "entry_date": "2026-03-05"}
    assert client.post(_url(e, "invoices"), headers=evaluator, json=body).status_code == 403
    for name in ("demo-bureau", "demo-unit", "demo-expert"):
        answer = client.get(_url(e, "contract"), headers=token_for(demo.users[name]))
        assert answer.status_code == 403, name
    stranger = token_for(make_user("agency", role="admin"))
    assert client.get(_url(e, "receipts"), headers=stranger).status_code == 404
    assert client.post(_url(e, "receipts"), headers=stranger, json=body).status_code == 404
    tag = client.get(_url(e, "contract"), headers=token_for(demo.users["demo-lead"])).headers[
        "ETag"
    ]
    sneaky = client.patch(_url(e, "contract"), headers={**stranger, "If-Match": tag},
                          json={"note": "他人修改"})  # fmt: skip
    assert sneaky.status_code == 404
    assert client.get(_url(e, "contract")).status_code == 401
    admin = token_for(demo.users["demo-admin"])
    assert client.post(_url(e, "invoices"), headers=admin,
                       json={**body, "amount": "-1"}).status_code == 422  # fmt: skip
