"""After 完成归档 the ledger stays open and audited, the contract stays locked; the summary's
应收未收 follows the instalments that are due (issue 15 item 2)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from tests.finance.conftest import contract_data, counts
from workbench.core.audit import AuditEntry
from workbench.core.errors import Locked, ValidationFailed
from workbench.core.timeutil import utcnow
from workbench.engagements.stages import Stage
from workbench.finance import services
from workbench.finance.ledger import DepositStatus

D = Decimal


@pytest.fixture()
def archived(db, demo, fresh):
    """Rated (release due), then archived: the deposit falls due after the archive."""
    e = fresh()
    services.create_contract(db, actor=demo.users["demo-lead"], engagement=e, data=contract_data())
    services.apply_quality_rating(
        db, actor=demo.users["demo-bureau"], engagement=e, score=D("92"), rated_at=date.today()
    )
    e.stage = Stage.archive.value
    e.archived_at = utcnow()
    db.add(e)
    db.flush()
    return e


def test_ledger_entries_and_release_after_the_archive(archived, db, demo):
    admin = demo.users["demo-admin"]
    entry = services.add_entry(
        db, actor=admin, engagement=archived, kind="invoiced", amount=D("144000"),
        entry_date=date.today(), instalment=0, note="首期开票",
    )  # fmt: skip
    services.add_entry(
        db, actor=admin, engagement=archived, kind="received", amount=D("144000"),
        entry_date=date.today(), instalment=0,
    )  # fmt: skip
    assert entry.created_by_id == admin.id
    release = services.record_release(
        db, actor=admin, engagement=archived, amount=D("48000"), paid_on=date.today()
    )
    assert release.amount == D("48000.00")
    s = services.summary(db, archived)
    assert s.status == DepositStatus.released and s.balances.released == D("48000.00")
    actions = db.exec(
        select(AuditEntry.action).where(AuditEntry.engagement_id == archived.id)
    ).all()
    assert {"finance.entry.invoiced", "finance.entry.received", "finance.entry.released"} <= set(
        actions
    )


def test_the_contract_stays_locked_after_the_archive(archived, db, demo):
    before = counts(db, archived)
    with pytest.raises(Locked, match="项目已归档"):
        services.update_contract(
            db, actor=demo.users["demo-lead"], engagement=archived,
            data=contract_data(fee=D("500000")), version=1,
        )  # fmt: skip
    with pytest.raises(ValidationFailed):  # bad input after the archive: refused, nothing written
        services.add_entry(
            db, actor=demo.users["demo-lead"], engagement=archived, kind="received",
            amount=D("1"), entry_date=date.today(), instalment=1,
        )  # fmt: skip
    assert counts(db, archived) == before


def test_due_uncollected_counts_instalments_whose_event_came(db, demo, fresh):
    e = fresh()
    services.create_contract(db, actor=demo.users["demo-lead"], engagement=e, data=contract_data())
    db.flush()
    s = services.summary(db, e)
    # Signing has come (30% = 144,000.00 due), nothing invoiced: 应收未收 is not 0.00.
    assert [r.triggered for r in s.instalments] == [True, False, False]
    assert s.balances.receivable == D("0") and s.due_uncollected == D("144000.00")
    e.stage = Stage.archive.value  # past the bureau's approval: instalment 2 is due too
    s = services.summary(db, e)
    assert [r.triggered for r in s.instalments][:2] == [True, True]
    assert s.due_uncollected == D("432000.00")
    services.add_entry(
        db, actor=demo.users["demo-lead"], engagement=e, kind="invoiced", amount=D("144000"),
        entry_date=date.today(), instalment=0,
    )  # fmt: skip
    services.add_entry(
        db, actor=demo.users["demo-lead"], engagement=e, kind="received", amount=D("100000"),
        entry_date=date.today(), instalment=0,
    )  # fmt: skip
    s = services.summary(db, e)
    assert s.due_uncollected == D("332000.00") and s.balances.receivable == D("44000.00")


def test_the_page_after_the_archive(archived, login, db):
    for user in ("demo-admin", "demo-lead"):
        c = login(user)
        html = c.get(f"/engagements/{archived.id}/finance").get_data(as_text=True)
        assert 'id="archived-ledger-note"' in html
        assert 'id="entry-form"' in html and 'id="release-form"' in html, user
        assert 'id="edit-contract"' not in html
        assert 'data-balance="due"' in html
    c = login("demo-admin")
    r = c.post(
        f"/engagements/{archived.id}/finance/entries",
        data={"kind": "invoiced", "instalment": "1", "amount": "288,000.00",
              "entry_date": date.today().isoformat(), "note": "第二期开票"},
        follow_redirects=True,
    )  # fmt: skip
    assert "已登记开票 288,000.00 元" in r.get_data(as_text=True)
    r = c.post(
        f"/engagements/{archived.id}/finance/release",
        data={"amount": "48,000.00", "paid_on": (date.today() - timedelta(days=1)).isoformat()},
        follow_redirects=True,
    )
    html = r.get_data(as_text=True)
    assert "已登记保证金释放到账 48,000.00 元" in html and 'id="release-form"' not in html
