"""The fee and deposit ledger (pure): balances recomputed from entries, invariants, status.

No running totals are ever stored: every figure below is a sum over the entries, so a voided
or corrected entry can never leave a stale balance behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from workbench.finance.terms import places

ZERO = Decimal("0.00")


class EntryKind(StrEnum):
    invoiced = "invoiced"
    received = "received"
    withheld = "withheld"
    released = "released"
    forfeited = "forfeited"


KIND_NAMES = {
    EntryKind.invoiced: "开票",
    EntryKind.received: "收款",
    EntryKind.withheld: "预留质量保证金",
    EntryKind.released: "保证金释放到账",
    EntryKind.forfeited: "保证金不予释放",
}

# Kinds a person records directly; released/forfeited follow from the quality rating.
MANUAL_KINDS = (EntryKind.invoiced, EntryKind.received, EntryKind.withheld)


class DepositStatus(StrEnum):
    none = "none"
    withheld = "withheld"
    due = "due"
    overdue = "overdue"
    released = "released"
    closed = "closed"


STATUS_NAMES = {
    DepositStatus.none: "无保证金",
    DepositStatus.withheld: "预留中",
    DepositStatus.due: "待释放",
    DepositStatus.overdue: "逾期未释放",
    DepositStatus.released: "已释放",
    DepositStatus.closed: "已结清",
}

# Bootstrap colours for the status badges.
STATUS_STYLES = {
    DepositStatus.none: "secondary",
    DepositStatus.withheld: "info",
    DepositStatus.due: "warning",
    DepositStatus.overdue: "danger",
    DepositStatus.released: "success",
    DepositStatus.closed: "secondary",
}


class EntryLike(Protocol):
    kind: str
    amount: Decimal
    instalment: int | None


@dataclass(frozen=True)
class Balances:
    """Every figure of one engagement's ledger, recomputed from its entries."""

    fee: Decimal
    deposit: Decimal
    invoiced: Decimal
    received: Decimal
    withheld: Decimal
    released: Decimal
    forfeited: Decimal

    @property
    def receivable(self) -> Decimal:
        """Invoiced but not yet received."""
        return self.invoiced - self.received

    @property
    def deposit_outstanding(self) -> Decimal:
        """Withheld and neither paid back nor forfeited."""
        return self.withheld - self.released - self.forfeited

    @property
    def uninvoiced(self) -> Decimal:
        """Fee neither invoiced nor withheld as deposit."""
        return self.fee - self.invoiced - self.withheld

    @property
    def collected(self) -> Decimal:
        """Cash in: instalments received plus deposit paid back."""
        return self.received + self.released


def _total(entries: Iterable[EntryLike], kind: EntryKind) -> Decimal:
    return sum((e.amount for e in entries if e.kind == kind), ZERO)


def balances(fee: Decimal, deposit: Decimal, entries: Sequence[EntryLike]) -> Balances:
    """Sum the entries by kind."""
    return Balances(
        fee=fee,
        deposit=deposit,
        invoiced=_total(entries, EntryKind.invoiced),
        received=_total(entries, EntryKind.received),
        withheld=_total(entries, EntryKind.withheld),
        released=_total(entries, EntryKind.released),
        forfeited=_total(entries, EntryKind.forfeited),
    )


def per_instalment(entries: Sequence[EntryLike]) -> dict[int, tuple[Decimal, Decimal]]:
    """(invoiced, received) of each linked instalment index."""
    found: dict[int, tuple[Decimal, Decimal]] = {}
    for entry in entries:
        if entry.instalment is None or entry.kind not in (EntryKind.invoiced, EntryKind.received):
            continue
        invoiced, received = found.get(entry.instalment, (ZERO, ZERO))
        if entry.kind == EntryKind.invoiced:
            invoiced += entry.amount
        else:
            received += entry.amount
        found[entry.instalment] = (invoiced, received)
    return found


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def entry_problems(kind: str, amount: Decimal | None) -> list[dict]:
    """Problems of one entry on its own: a known kind and a positive amount in cents."""
    errors = []
    if kind not in EntryKind.__members__:
        errors.append({"field": "kind", "message": "款项类型无效"})
    if amount is None or not amount.is_finite() or amount <= 0:
        errors.append({"field": "amount", "message": "金额须大于 0"})
    elif places(amount) > 2:
        errors.append({"field": "amount", "message": "金额最多保留两位小数（分）"})
    return errors


def ledger_problems(
    *,
    fee: Decimal,
    deposit: Decimal,
    amounts: Sequence[Decimal],
    deposit_instalments: set[int],
    entries: Sequence[EntryLike],
    release: Decimal | None,
) -> list[dict]:
    """What is wrong with a set of entries under the contract's terms (empty when consistent).

    `amounts` are the instalment amounts, `release` the amount to release after the quality
    rating (None before it).
    """
    errors: list[dict] = []
    b = balances(fee, deposit, entries)
    if b.invoiced + b.withheld > fee:
        errors.append(
            {
                "field": "amount",
                "message": (
                    f"开票金额（{_money(b.invoiced)} 元）与预留保证金（{_money(b.withheld)} 元）"
                    f"合计不能超过合同金额 {_money(fee)} 元"
                ),
            }
        )
    if b.received > b.invoiced:
        errors.append(
            {
                "field": "amount",
                "message": (
                    f"收款合计（{_money(b.received)} 元）不能超过开票合计（{_money(b.invoiced)} 元）"
                ),
            }
        )
    if b.withheld > deposit:
        errors.append(
            {
                "field": "amount",
                "message": (
                    f"预留保证金合计（{_money(b.withheld)} 元）不能超过合同约定的质量保证金 "
                    f"{_money(deposit)} 元"
                ),
            }
        )
    if b.released + b.forfeited > b.withheld:
        errors.append(
            {
                "field": "amount",
                "message": (
                    f"已释放（{_money(b.released)} 元）与不予释放（{_money(b.forfeited)} 元）"
                    f"合计不能超过已预留的保证金 {_money(b.withheld)} 元"
                ),
            }
        )
    if release is None and (b.released or b.forfeited):
        errors.append({"field": "kind", "message": "尚未进行质量考核，不能登记保证金释放"})
    if release is not None and b.released > release:
        errors.append(
            {
                "field": "amount",
                "message": (
                    f"保证金释放到账合计（{_money(b.released)} 元）不能超过按质量考核结果"
                    f"应释放的 {_money(release)} 元"
                ),
            }
        )
    errors += _instalment_problems(amounts, deposit_instalments, entries)
    return errors


def _instalment_problems(
    amounts: Sequence[Decimal], deposit_instalments: set[int], entries: Sequence[EntryLike]
) -> list[dict]:
    errors: list[dict] = []
    for index, (invoiced, received) in sorted(per_instalment(entries).items()):
        n = index + 1
        if not 0 <= index < len(amounts):
            errors.append({"field": "instalment", "message": f"合同中没有第 {n} 期付款"})
            continue
        if index in deposit_instalments:
            errors.append(
                {
                    "field": "instalment",
                    "message": f"第 {n} 期为质量保证金，请在质量考核后通过“保证金释放”登记",
                }
            )
            continue
        if invoiced > amounts[index]:
            errors.append(
                {
                    "field": "amount",
                    "message": (
                        f"第 {n} 期开票合计（{_money(invoiced)} 元）超过该期应付金额 "
                        f"{_money(amounts[index])} 元"
                    ),
                }
            )
        if received > invoiced:
            errors.append(
                {
                    "field": "amount",
                    "message": (
                        f"第 {n} 期收款合计（{_money(received)} 元）超过该期开票合计 "
                        f"{_money(invoiced)} 元"
                    ),
                }
            )
    return errors


def deposit_status(
    *,
    deposit: Decimal,
    rated: bool,
    release: Decimal | None,
    released: Decimal,
    due: date | None,
    today: date,
) -> DepositStatus:
    """withheld → due → overdue (by today's date) → released, or closed when nothing is released."""
    if deposit <= 0:
        return DepositStatus.none
    if not rated or release is None:
        return DepositStatus.withheld
    if release <= 0:
        return DepositStatus.closed
    if released >= release:
        return DepositStatus.released
    if due is not None and today > due:
        return DepositStatus.overdue
    return DepositStatus.due
