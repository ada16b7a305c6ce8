"""The ledger (pure): balances from entries, invariants with clear messages, deposit status."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from workbench.finance import ledger
from workbench.finance.ledger import DepositStatus

D = Decimal
FEE, DEPOSIT = D("480000.00"), D("48000.00")
AMOUNTS = [D("144000.00"), D("288000.00"), D("48000.00")]


@dataclass
class E:
    kind: str
    amount: Decimal
    instalment: int | None = None


def problems(entries, release=None):
    return [
        p["message"]
        for p in ledger.ledger_problems(
            fee=FEE,
            deposit=DEPOSIT,
            amounts=AMOUNTS,
            deposit_instalments={2},
            entries=entries,
            release=release,
        )
    ]


def test_balances_are_sums_by_kind_with_partial_payments():
    entries = [
        E("invoiced", D("144000.00"), 0),
        E("received", D("100000.00"), 0),
        E("received", D("44000.00"), 0),
        E("invoiced", D("288000.00"), 1),
        E("received", D("150000.55"), 1),
        E("withheld", D("48000.00")),
        E("forfeited", D("9600.00")),
        E("released", D("20000.00")),
        E("released", D("18400.00")),
    ]
    b = ledger.balances(FEE, DEPOSIT, entries)
    assert (b.invoiced, b.received) == (D("432000.00"), D("294000.55"))
    assert b.receivable == D("137999.45")
    assert (b.withheld, b.released, b.forfeited) == (D("48000.00"), D("38400.00"), D("9600.00"))
    assert b.deposit_outstanding == D("0.00")
    assert b.uninvoiced == D("0.00")
    assert b.collected == D("332400.55")
    assert ledger.per_instalment(entries) == {
        0: (D("144000.00"), D("144000.00")),
        1: (D("288000.00"), D("150000.55")),
    }
    assert problems(entries, release=D("38400.00")) == []


def test_empty_ledger():
    b = ledger.balances(FEE, DEPOSIT, [])
    assert b.invoiced == b.received == b.deposit_outstanding == D("0.00")
    assert b.uninvoiced == FEE


def test_received_cannot_exceed_invoiced():
    assert problems([E("invoiced", D("100.00")), E("received", D("100.01"))]) == [
        "收款合计（100.01 元）不能超过开票合计（100.00 元）"
    ]


def test_invoiced_plus_withheld_cannot_exceed_the_fee():
    assert problems([E("invoiced", D("432000.01")), E("withheld", D("48000.00"))]) == [
        "开票金额（432,000.01 元）与预留保证金（48,000.00 元）合计不能超过合同金额 480,000.00 元"
    ]


def test_withheld_cannot_exceed_the_deposit():
    assert problems([E("withheld", D("48000.01"))]) == [
        "预留保证金合计（48,000.01 元）不能超过合同约定的质量保证金 48,000.00 元"
    ]


def test_released_and_forfeited_within_withheld_and_release():
    entries = [E("withheld", D("1000.00")), E("released", D("900.00")), E("forfeited", D("200.00"))]
    assert problems(entries, release=D("900.00")) == [
        "已释放（900.00 元）与不予释放（200.00 元）合计不能超过已预留的保证金 1,000.00 元"
    ]
    assert problems([E("withheld", D("48000.00")), E("released", D("38400.01"))], D("38400")) == [
        "保证金释放到账合计（38,400.01 元）不能超过按质量考核结果应释放的 38,400.00 元"
    ]
    assert problems([E("withheld", D("10.00")), E("released", D("1.00"))]) == [
        "尚未进行质量考核，不能登记保证金释放"
    ]


def test_instalment_links_are_checked():
    assert problems([E("invoiced", D("144000.01"), 0)]) == [
        "第 1 期开票合计（144,000.01 元）超过该期应付金额 144,000.00 元"
    ]
    assert problems([E("invoiced", D("100.00"), 0), E("received", D("50.00"), 1)]) == [
        "第 2 期收款合计（50.00 元）超过该期开票合计 0.00 元"
    ]
    assert problems([E("invoiced", D("10.00"), 2)]) == [
        "第 3 期为质量保证金，请在质量考核后通过“保证金释放”登记"
    ]
    assert problems([E("invoiced", D("10.00"), 7)]) == ["合同中没有第 8 期付款"]


def test_entry_problems():
    def msgs(kind, amount):
        return [e["message"] for e in ledger.entry_problems(kind, amount)]

    assert msgs("invoiced", D("0")) == ["金额须大于 0"]
    assert msgs("invoiced", D("-5")) == ["金额须大于 0"]
    assert msgs("invoiced", None) == ["金额须大于 0"]
    assert msgs("invoiced", D("NaN")) == ["金额须大于 0"]
    assert msgs("invoiced", D("1.005")) == ["金额最多保留两位小数（分）"]
    assert msgs("refund", D("1")) == ["款项类型无效"]
    assert msgs("received", D("0.01")) == []


def test_deposit_status_lifecycle():
    today = date(2027, 1, 10)

    def status(**kw):
        base = dict(
            deposit=DEPOSIT,
            rated=True,
            release=D("38400.00"),
            released=D("0.00"),
            due=date(2027, 1, 14),
            today=today,
        )
        return ledger.deposit_status(**{**base, **kw})

    assert status(rated=False, release=None) == DepositStatus.withheld
    assert status() == DepositStatus.due
    assert status(due=today) == DepositStatus.due  # due on the day itself
    assert status(due=date(2027, 1, 9)) == DepositStatus.overdue
    assert status(due=date(2027, 1, 9), released=D("20000.00")) == DepositStatus.overdue
    assert status(released=D("38400.00")) == DepositStatus.released
    assert status(release=D("0.00")) == DepositStatus.closed
    assert status(deposit=D("0.00"), rated=False, release=None) == DepositStatus.none
