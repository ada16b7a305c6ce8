"""The quality rating and the deposit release: amounts, due dates, ledger entries, statuses."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from tests.finance.conftest import contract_data, counts
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, ValidationFailed
from workbench.finance import services
from workbench.finance.ledger import DepositStatus

D = Decimal
ACCEPTED = date(2026, 12, 15)


@pytest.fixture()
def contracted(db, demo, fresh):
    e = fresh()
    lead = demo.users["demo-lead"]
    services.create_contract(db, actor=lead, engagement=e, data=contract_data())
    db.flush()
    return type(
        "Contracted", (), {"engagement": e, "lead": lead, "bureau": demo.users["demo-bureau"]}
    )


def rate(db, c, score, on=ACCEPTED):
    return services.apply_quality_rating(
        db, actor=c.bureau, engagement=c.engagement, score=D(score), rated_at=on
    )


def kinds(db, engagement):
    return [(e.kind, e.amount) for e in services.active_entries(db, engagement)]


@pytest.mark.parametrize(
    ("score", "fraction", "release", "forfeit"),
    [
        ("100", "1", "48000.00", "0.00"),
        ("90", "1", "48000.00", "0.00"),
        ("89.99", "0.8", "38400.00", "9600.00"),
        ("80", "0.8", "38400.00", "9600.00"),
        ("79.99", "0.5", "24000.00", "24000.00"),
        ("60", "0.5", "24000.00", "24000.00"),
        ("59.99", "0", "0.00", "48000.00"),
        ("0", "0", "0.00", "48000.00"),
    ],
)
def test_rating_at_every_band_edge(db, contracted, score, fraction, release, forfeit):
    result = rate(db, contracted, score)
    assert (result.score, result.fraction) == (D(score), D(fraction))
    assert (result.deposit, result.amount, result.forfeited) == (
        D("48000.00"),
        D(release),
        D(forfeit),
    )
    assert result.due_date == date(2027, 1, 14)
    entries = kinds(db, contracted.engagement)
    if D(release) == 0:
        # Nothing to release: the deposit is forfeited at once and the account is closed.
        assert entries == [("withheld", D("48000.00")), ("forfeited", D("48000.00"))]
        assert result.status == DepositStatus.closed
    else:
        assert entries == [("withheld", D("48000.00"))]
    figures = services.deposit_figures(services.summary(db, contracted.engagement, today=ACCEPTED))
    assert figures["quality_score"] == f"{D(score):.2f}"
    assert figures["release_fraction"] == f"{D(fraction):.2f}"
    assert figures["due_date"] == "2027-01-14"


def test_rating_tops_up_what_was_withheld_and_audits(db, contracted):
    e = contracted.engagement
    services.add_entry(
        db,
        actor=contracted.lead,
        engagement=e,
        kind="withheld",
        amount=D("20000.00"),
        entry_date=date(2026, 11, 1),
    )
    rate(db, contracted, "85.5", on=datetime(2026, 12, 15, 18, 30, tzinfo=UTC))
    # 18:30 UTC is 02:30 the next day in Beijing: acceptance is 16 December.
    c = services.contract_for(db, e)
    assert c.accepted_on == date(2026, 12, 16) and c.release_due == date(2027, 1, 15)
    assert kinds(db, e) == [("withheld", D("20000.00")), ("withheld", D("28000.00"))]
    audit = db.exec(select(AuditEntry).where(AuditEntry.action == "finance.quality_rating")).one()
    assert audit.actor_id == contracted.bureau.id
    assert audit.after["quality_score"] == "85.50" and audit.after["release_amount"] == "38400.00"
    assert audit.after["release_fraction"] == "0.80" and audit.before["quality_score"] is None


def test_partial_release_payments_forfeit_once_and_close(db, contracted):
    e, lead = contracted.engagement, contracted.lead
    rate(db, contracted, "85")
    s = services.summary(db, e, today=ACCEPTED)
    assert s.status == DepositStatus.due and s.release_outstanding == D("38400.00")
    services.record_release(db, actor=lead, engagement=e, amount=D("20000.00"), paid_on=ACCEPTED)
    assert kinds(db, e) == [
        ("withheld", D("48000.00")),
        ("forfeited", D("9600.00")),
        ("released", D("20000.00")),
    ]
    late = services.summary(db, e, today=date(2027, 1, 15))
    assert late.status == DepositStatus.overdue and late.release_outstanding == D("18400.00")
    before = counts(db, e)
    with pytest.raises(ValidationFailed) as error:
        services.record_release(
            db, actor=lead, engagement=e, amount=D("18400.01"), paid_on=date(2027, 1, 20)
        )
    assert "保证金释放到账合计（38,400.01 元）不能超过按质量考核结果应释放的 38,400.00 元" in [
        d["message"] for d in error.value.details
    ]
    assert counts(db, e) == before
    services.record_release(
        db, actor=lead, engagement=e, amount=D("18400.00"), paid_on=date(2027, 1, 20)
    )
    s = services.summary(db, e, today=date(2027, 2, 1))
    b = s.balances
    assert s.status == DepositStatus.released
    assert (b.withheld, b.released, b.forfeited, b.deposit_outstanding) == (
        D("48000.00"),
        D("38400.00"),
        D("9600.00"),
        D("0.00"),
    )
    assert services.deposit_figures(s) == {
        "fee": "480000.00",
        "deposit": "48000.00",
        "rate": "0.10",
        "quality_score": "85.00",
        "release_fraction": "0.80",
        "released": "38400.00",
        "due_date": "2027-01-14",
        "status": "released",
    }
    with pytest.raises(Conflict, match="不能重新计算"):
        rate(db, contracted, "95")


def test_rerating_before_any_release_recomputes(db, contracted):
    rate(db, contracted, "70")
    rate(db, contracted, "92", on=ACCEPTED + timedelta(days=5))
    c = services.contract_for(db, contracted.engagement)
    assert (c.release_fraction, c.release_amount, c.release_due) == (
        D(1),
        D("48000.00"),
        date(2027, 1, 19),
    )
    assert kinds(db, contracted.engagement) == [("withheld", D("48000.00"))]  # not topped twice


def test_release_refusals(db, demo, contracted, fresh):
    e, lead = contracted.engagement, contracted.lead
    with pytest.raises(Conflict, match="尚未进行质量考核"):
        services.record_release(db, actor=lead, engagement=e, amount=D(1), paid_on=ACCEPTED)
    rate(db, contracted, "95")
    with pytest.raises(ValidationFailed) as error:
        services.record_release(db, actor=lead, engagement=e, amount=D("-1"), paid_on=None)
    assert [d["field"] for d in error.value.details] == ["amount", "paid_on"]
    with pytest.raises(ValidationFailed):
        services.record_release(db, actor=lead, engagement=e, amount=D("0.001"), paid_on=ACCEPTED)
    with pytest.raises(Conflict, match="尚未登记委托合同"):
        services.apply_quality_rating(
            db,
            actor=contracted.bureau,
            engagement=fresh(title="无合同"),
            score=D(90),
            rated_at=ACCEPTED,
        )
    for bad in (D("100.01"), D("-0.01"), D("NaN"), None):
        with pytest.raises(ValidationFailed, match="质量考核得分无效"):
            services.apply_quality_rating(
                db, actor=contracted.bureau, engagement=e, score=bad, rated_at=ACCEPTED
            )


def test_rated_deposit_terms_are_frozen(db, contracted):
    e, lead = contracted.engagement, contracted.lead
    rate(db, contracted, "88")
    c = services.contract_for(db, e)
    with pytest.raises(Conflict, match="不能再修改"):
        services.update_contract(
            db, actor=lead, engagement=e, data=contract_data(fee=D("500000")), version=c.version
        )
    services.update_contract(
        db,
        actor=lead,
        engagement=e,
        data=contract_data(note="补充协议编号 BC-1"),
        version=c.version,
    )
    assert c.note == "补充协议编号 BC-1"


def test_voiding_after_rating(db, contracted):
    e, lead = contracted.engagement, contracted.lead
    rate(db, contracted, "85")
    withheld = services.active_entries(db, e)[0]
    with pytest.raises(Conflict, match="不能作废"):
        services.void_entry(db, actor=lead, engagement=e, entry_id=withheld.id, reason="x")
    payment = services.record_release(
        db, actor=lead, engagement=e, amount=D("100.00"), paid_on=ACCEPTED
    )
    services.void_entry(db, actor=lead, engagement=e, entry_id=payment.id, reason="银行退回")
    forfeited = next(x for x in services.active_entries(db, e) if x.kind == "forfeited")
    with pytest.raises(Conflict, match="不能作废"):
        services.void_entry(db, actor=lead, engagement=e, entry_id=forfeited.id, reason="x")
    # The next payment does not forfeit the unreleased part a second time.
    services.record_release(db, actor=lead, engagement=e, amount=D("38400.00"), paid_on=ACCEPTED)
    assert services.summary(db, e).balances.forfeited == D("9600.00")


def test_no_contract_figures_are_null(db, fresh):
    assert services.deposit_figures(services.summary(db, fresh())) == {
        "fee": None,
        "deposit": None,
        "rate": None,
        "quality_score": None,
        "release_fraction": None,
        "released": None,
        "due_date": None,
        "status": "none",
    }
