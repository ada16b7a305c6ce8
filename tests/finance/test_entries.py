"""Ledger entries through the services: instalments, partial payments, refusals, voiding."""

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from tests.finance.conftest import contract_data, counts
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from workbench.finance import services

D = Decimal
DAY = date(2026, 3, 10)


@pytest.fixture()
def booked(db, demo, fresh):
    """A fresh engagement with the default contract (480,000.00; 30/60/10; 10%)."""
    e = fresh()
    lead = demo.users["demo-lead"]
    services.create_contract(db, actor=lead, engagement=e, data=contract_data())
    db.flush()

    def add(kind, amount, instalment=None, **kw):
        return services.add_entry(
            db,
            actor=lead,
            engagement=e,
            kind=kind,
            amount=D(amount),
            entry_date=kw.pop("entry_date", DAY),
            instalment=instalment,
            **kw,
        )

    return type("Booked", (), {"engagement": e, "lead": lead, "add": staticmethod(add)})


def test_instalments_with_partial_payments(db, booked):
    add = booked.add
    add("invoiced", "144000.00", 0, note="首期发票")
    add("received", "100000.00", 0)
    add("received", "44000.00", 0)
    add("invoiced", "200000.00", 1)
    add("received", "120000.50", 1)
    add("received", "0.01", 1)
    add("invoiced", "88000.00", 1)
    add("withheld", "48000.00")
    s = services.summary(db, booked.engagement)
    b = s.balances
    assert (b.fee, b.invoiced, b.received) == (D("480000.00"), D("432000.00"), D("264000.51"))
    assert b.receivable == D("167999.49")
    assert (b.withheld, b.deposit_outstanding, b.uninvoiced) == (
        D("48000.00"),
        D("48000.00"),
        D("0.00"),
    )
    rows = [(r.invoiced, r.received) for r in s.instalments]
    assert rows == [
        (D("144000.00"), D("144000.00")),
        (D("288000.00"), D("120000.51")),
        (D("48000.00"), D("0.00")),  # the deposit row: withheld / released
    ]
    assert s.status.value == "withheld"
    audits = db.exec(
        select(AuditEntry.action).where(AuditEntry.engagement_id == booked.engagement.id)
    ).all()
    assert audits.count("finance.entry.received") == 4


@pytest.mark.parametrize(
    ("kind", "amount", "instalment", "message"),
    [
        ("received", "0.01", None, "收款合计（0.01 元）不能超过开票合计（0.00 元）"),
        ("invoiced", "144000.01", 0, "第 1 期开票合计（144,000.01 元）超过该期应付金额 144,000.00 元"),
        ("invoiced", "10.00", 2, "第 3 期为质量保证金，请在质量考核后通过“保证金释放”登记"),
        ("invoiced", "10.00", 9, "合同中没有第 10 期付款"),
        ("withheld", "48000.01", None, "预留保证金合计（48,000.01 元）不能超过合同约定的质量保证金 48,000.00 元"),
        ("invoiced", "432000.01", None, "开票金额（432,000.01 元）与预留保证金（48,000.00 元）合计不能超过合同金额 480,000.00 元"),
        ("withheld", "1.00", 0, "预留保证金不对应某一期付款"),
        ("released", "1.00", None, "保证金释放请在质量考核后通过“登记保证金释放”办理"),
        ("forfeited", "1.00", None, "保证金释放请在质量考核后通过“登记保证金释放”办理"),
        ("refund", "1.00", None, "款项类型无效"),
        ("invoiced", "0", None, "金额须大于 0"),
        ("invoiced", "-3", None, "金额须大于 0"),
        ("invoiced", "1.234", None, "金额最多保留两位小数（分）"),
    ],
)  # fmt: skip
def test_bad_entries_are_refused_with_a_clear_message(
    db, booked, kind, amount, instalment, message
):
    e = booked.engagement
    if "432000.01" in amount:
        booked.add("withheld", "48000.00")
    before = counts(db, e)
    with pytest.raises(ValidationFailed) as error:
        booked.add(kind, amount, instalment)
    assert message in [d["message"] for d in error.value.details]
    assert counts(db, e) == before


def test_entry_needs_a_date_and_a_contract(db, demo, booked, fresh):
    with pytest.raises(ValidationFailed) as error:
        booked.add("invoiced", "1.00", entry_date=None)
    assert error.value.details == [{"field": "entry_date", "message": "请填写日期"}]
    with pytest.raises(Conflict, match="请先登记委托合同"):
        services.add_entry(
            db,
            actor=demo.users["demo-lead"],
            engagement=fresh(title="无合同"),
            kind="invoiced",
            amount=D(1),
            entry_date=DAY,
        )


def test_team_members_who_do_not_manage_cannot_book(db, demo, booked):
    for username in ("demo-evaluator", "demo-reviewer", "demo-bureau", "demo-unit"):
        with pytest.raises(NotAllowed):
            services.add_entry(
                db,
                actor=demo.users[username],
                engagement=booked.engagement,
                kind="invoiced",
                amount=D(1),
                entry_date=DAY,
            )


def test_void_keeps_the_ledger_consistent(db, demo, booked):
    e, lead = booked.engagement, booked.lead
    invoice = booked.add("invoiced", "144000.00", 0)
    receipt = booked.add("received", "144000.00", 0)
    with pytest.raises(ValidationFailed) as error:
        services.void_entry(db, actor=lead, engagement=e, entry_id=invoice.id, reason="开错")
    assert "收款合计（144,000.00 元）不能超过开票合计（0.00 元）" in [
        d["message"] for d in error.value.details
    ]
    assert not invoice.voided
    with pytest.raises(ValidationFailed, match="作废原因"):
        services.void_entry(db, actor=lead, engagement=e, entry_id=receipt.id, reason=" ")
    services.void_entry(db, actor=lead, engagement=e, entry_id=receipt.id, reason="重复登记")
    services.void_entry(db, actor=lead, engagement=e, entry_id=invoice.id, reason="发票作废重开")
    db.flush()
    b = services.summary(db, e).balances
    assert (b.invoiced, b.received) == (D("0.00"), D("0.00"))
    assert len(services.all_entries(db, e)) == 2 and services.active_entries(db, e) == []
    assert receipt.void_reason == "重复登记" and receipt.voided_by_id == lead.id
    with pytest.raises(Conflict, match="已作废"):
        services.void_entry(db, actor=lead, engagement=e, entry_id=receipt.id, reason="再次")
    with pytest.raises(NotFound):
        services.void_entry(db, actor=lead, engagement=e, entry_id=10**9, reason="x")
    other = services.all_entries(db, demo.engagement)[0]
    with pytest.raises(NotFound):
        services.void_entry(db, actor=lead, engagement=e, entry_id=other.id, reason="别的项目")
    actions = db.exec(
        select(AuditEntry.action).where(
            AuditEntry.engagement_id == e.id, AuditEntry.action == "finance.entry.void"
        )
    ).all()
    assert len(actions) == 2
