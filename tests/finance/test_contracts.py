"""The contract, the firm defaults, the commission gate and the demo contract."""

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from tests.finance.conftest import contract_data, counts
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, Locked, NotAllowed, ValidationFailed
from workbench.engagements import flow
from workbench.engagements.stages import Stage, registry
from workbench.finance import services
from workbench.finance import terms as t
from workbench.finance.terms import Band, Instalment

D = Decimal


def test_create_contract_computes_deposit_and_audits(db, demo, fresh):
    e = fresh()
    lead = demo.users["demo-lead"]
    c = services.create_contract(db, actor=lead, engagement=e, data=contract_data())
    assert (c.fee, c.deposit_rate, c.deposit) == (D("480000.00"), D("10.00"), D("48000.00"))
    assert c.instalment_amounts() == [D("144000.00"), D("288000.00"), D("48000.00")]
    assert c.deposit_instalments() == {2}
    assert c.release_fraction is None and c.release_amount is None and c.release_due is None
    audit = db.exec(
        select(AuditEntry).where(
            AuditEntry.action == "finance.contract.create", AuditEntry.engagement_id == e.id
        )
    ).one()
    assert audit.actor_id == lead.id and audit.after["fee"] == "480000.00"
    assert audit.after["instalments"][0] == {"event": "signing", "percent": "30"}
    with pytest.raises(Conflict, match="已登记委托合同"):
        services.create_contract(db, actor=lead, engagement=e, data=contract_data())


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"number": "  "}, "number", "请填写合同编号"),
        ({"signed_on": None}, "signed_on", "请填写合同签订日期"),
        ({"fee": D("0")}, "fee", "合同金额须大于 0"),
        ({"fee": None}, "fee", "合同金额须大于 0"),
        ({"fee": D("-1")}, "fee", "合同金额须大于 0"),
        ({"fee": D("100.001")}, "fee", "合同金额最多保留两位小数，且须小于一万亿元"),
        ({"deposit_rate": D("120")}, "deposit_rate", "保证金比例须在 0–100% 之间"),
        ({"deposit_rate": None}, "deposit_rate", "保证金比例须在 0–100% 之间"),
        (
            {"instalments": [Instalment("signing", D(30)), Instalment("deposit_release", D(10))]},
            "instalments",
            "各期付款比例合计须为 100%，当前合计 40%",
        ),
        (
            {"bands": [Band(D(80), D(1)), Band(D(90), D("0.5"))]},
            "bands",
            "第 2 档：分数下限须低于上一档（80），请按从高到低填写",
        ),
        ({"release_days": -3}, "release_days", "释放期限须为 0–3650 天之间的整数"),
        ({"release_days": None}, "release_days", "释放期限须为 0–3650 天之间的整数"),
    ],
)
def test_invalid_contract_is_refused_and_nothing_written(
    db, demo, fresh, overrides, field, message
):
    e = fresh()
    before = counts(db, e)
    with pytest.raises(ValidationFailed) as error:
        services.create_contract(
            db, actor=demo.users["demo-lead"], engagement=e, data=contract_data(**overrides)
        )
    assert {"field": field, "message": message} in [
        {"field": d["field"], "message": d["message"]} for d in error.value.details
    ]
    assert counts(db, e) == before and before[0] == 0


def test_only_the_lead_or_an_admin_with_signed_declarations(db, demo, fresh, make_user):
    e = fresh()
    for username in ("demo-evaluator", "demo-bureau", "demo-expert"):
        with pytest.raises(NotAllowed):
            services.create_contract(
                db, actor=demo.users[username], engagement=e, data=contract_data()
            )
    admin = demo.users["demo-admin"]
    assert services.create_contract(db, actor=admin, engagement=e, data=contract_data()).id
    # Another agency's engagement: the demo agency's admin cannot act on it.
    other = fresh(title="他机构项目", lead=make_user("agency", username="otherlead"))
    assert other.agency_id != admin.org_id
    with pytest.raises(NotAllowed):
        services.create_contract(db, actor=admin, engagement=other, data=contract_data())


def test_lead_must_have_signed_declarations(db, demo):
    from workbench.engagements import services as engagements

    lead = demo.users["demo-lead"]
    e = engagements.create(
        db,
        actor=lead,
        data=engagements.EngagementInput(
            title="未签声明", type="project", bureau_id=demo.engagement.bureau_id, budget_year=2025
        ),
    )
    with pytest.raises(NotAllowed, match="请先签署"):
        services.create_contract(db, actor=lead, engagement=e, data=contract_data())


def test_update_with_version_and_ledger_consistency(db, demo, fresh):
    e = fresh()
    lead = demo.users["demo-lead"]
    c = services.create_contract(db, actor=lead, engagement=e, data=contract_data())
    db.flush()
    version = c.version
    with pytest.raises(Conflict, match="已被他人修改"):
        services.update_contract(
            db, actor=lead, engagement=e, data=contract_data(number="X"), version=version + 1
        )
    services.add_entry(
        db,
        actor=lead,
        engagement=e,
        kind="invoiced",
        amount=D("144000.00"),
        entry_date=date(2026, 3, 5),
        instalment=0,
    )
    before = counts(db, e)
    # Lowering the fee to 300,000 makes instalment 1 worth 90,000 < the 144,000 invoiced.
    with pytest.raises(ValidationFailed) as error:
        services.update_contract(
            db, actor=lead, engagement=e, data=contract_data(fee=D("300000")), version=version
        )
    assert "第 1 期开票合计（144,000.00 元）超过该期应付金额 90,000.00 元" in [
        d["message"] for d in error.value.details
    ]
    assert c.fee == D("480000.00") and counts(db, e) == before
    services.update_contract(
        db,
        actor=lead,
        engagement=e,
        data=contract_data(number="HT-2026-001-补", fee=D("500000.00")),
        version=version,
    )
    db.flush()
    assert (c.number, c.fee, c.deposit, c.version) == (
        "HT-2026-001-补",
        D("500000.00"),
        D("50000.00"),
        version + 1,
    )
    audit = db.exec(select(AuditEntry).where(AuditEntry.action == "finance.contract.update")).all()[
        -1
    ]
    assert audit.before["fee"] == "480000.00" and audit.after["fee"] == "500000.00"


def test_archived_engagement_is_read_only(db, demo, fresh):
    from workbench.core.timeutil import utcnow

    e = fresh()
    e.archived_at = utcnow()
    with pytest.raises(Locked):
        services.create_contract(
            db, actor=demo.users["demo-lead"], engagement=e, data=contract_data()
        )


def test_commission_gate_replaces_the_contract_checklist(db, demo, fresh):
    assert registry.checklist(Stage.commission) == []
    e = fresh()
    blockers = flow.blockers_for(db, e, Stage.commission)
    contract = [b for b in blockers if "委托合同" in b.text]
    assert [(b.text, b.link) for b in contract] == [
        (
            "尚未登记委托合同（合同金额、付款安排和质量保证金条款）",
            f"/engagements/{e.id}/finance/contract",
        )
    ]
    services.create_contract(db, actor=demo.users["demo-lead"], engagement=e, data=contract_data())
    assert not [b for b in flow.blockers_for(db, e, Stage.commission) if "委托合同" in b.text]


def test_firm_settings_are_defaults_for_new_contracts(db, demo, fresh):
    admin, lead = demo.users["demo-admin"], demo.users["demo-lead"]
    assert services.firm_terms(db, agency_id=admin.org_id) == t.default_terms()
    terms = t.Terms(
        instalments=[
            Instalment("signing", D(40)),
            Instalment("plan_approved", D(45)),
            Instalment("deposit_release", D(15)),
        ],
        deposit_rate=D(15),
        bands=[Band(D(85), D(1)), Band(D(70), D("0.6"))],
        release_days=45,
    )
    with pytest.raises(NotAllowed):
        services.update_settings(db, actor=lead, terms=terms, version=None)
    bad = t.Terms(terms.instalments, D(10), terms.bands, 45)
    with pytest.raises(ValidationFailed, match="默认规则有误"):
        services.update_settings(db, actor=admin, terms=bad, version=None)
    assert services.settings_row(db, agency_id=admin.org_id) is None
    row = services.update_settings(db, actor=admin, terms=terms, version=None)
    db.flush()
    assert services.firm_terms(db, agency_id=admin.org_id) == terms
    with pytest.raises(Conflict, match="已被他人修改"):
        services.update_settings(db, actor=admin, terms=terms, version=row.version + 1)
    data = services.default_input(db, fresh())
    assert (data.deposit_rate, data.release_days, data.bands) == (D(15), 45, terms.bands)
    assert [i.percent for i in data.instalments] == [D(40), D(45), D(15)]
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "finance.settings")).one()


def test_demo_contract_and_first_instalment(db, demo):
    s = services.summary(db, demo.engagement)
    c = s.contract
    assert c.fee == D("480000.00") and c.deposit_rate == D("10.00") and c.deposit == D("48000.00")
    assert [(r.event, r.percent, r.amount) for r in s.instalments] == [
        ("signing", D(30), D("144000.00")),
        ("report_approved", D(60), D("288000.00")),
        ("deposit_release", D(10), D("48000.00")),
    ]
    assert (s.balances.invoiced, s.balances.received) == (D("144000.00"), D("144000.00"))
    assert [
        (e.kind, e.amount, e.instalment) for e in services.all_entries(db, demo.engagement)
    ] == [
        ("invoiced", D("144000.00"), 0),
        ("received", D("144000.00"), 0),
    ]
    assert s.instalments[0].triggered and not s.instalments[1].triggered
    assert demo.engagement.stage != "commission"  # the contract gate let the demo move on
