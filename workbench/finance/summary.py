"""One engagement's finance at a glance: balances, instalment progress, deposit status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from workbench.core.timeutil import today_local
from workbench.engagements.models import Engagement
from workbench.engagements.stages import Stage, index
from workbench.finance import ledger
from workbench.finance import terms as t
from workbench.finance.ledger import Balances, DepositStatus
from workbench.finance.models import Contract, LedgerEntry
from workbench.finance.records import all_entries, contract_for


@dataclass(frozen=True)
class InstalmentRow:
    index: int
    event: str
    event_name: str
    percent: Decimal
    amount: Decimal
    invoiced: Decimal
    received: Decimal
    is_deposit: bool
    triggered: bool


@dataclass(frozen=True)
class Summary:
    """One engagement's finance at a glance (None figures: no contract yet)."""

    contract: Contract | None
    balances: Balances | None
    status: DepositStatus
    instalments: list[InstalmentRow]

    @property
    def due_uncollected(self) -> Decimal | None:
        """应收未收: the instalments whose payment event has come, less what was received.

        Not invoiced-minus-received: an instalment falls due by the contract's event whether or
        not an invoice was issued, and the card must agree with the rows marked 应收.
        """
        if self.contract is None:
            return None
        due = sum(
            (r.amount for r in self.instalments if r.triggered and not r.is_deposit), ledger.ZERO
        )
        return max(due - self.balances.received, ledger.ZERO)

    @property
    def release_outstanding(self) -> Decimal | None:
        if self.contract is None or self.contract.release_amount is None:
            return None
        return self.contract.release_amount - self.balances.released


def summarise(
    contract: Contract | None, entries: list[LedgerEntry], *, stage_index: int, today: date
) -> Summary:
    """Balances, deposit status and instalment progress from the contract and its entries."""
    if contract is None:
        return Summary(None, None, DepositStatus.none, [])
    active = [e for e in entries if not e.voided]
    b = ledger.balances(contract.fee, contract.deposit, active)
    status = ledger.deposit_status(
        deposit=contract.deposit,
        rated=contract.rated,
        release=contract.release_amount,
        released=b.released,
        due=contract.release_due,
        today=today,
    )
    sums = ledger.per_instalment(active)
    rows = []
    for i, (item, amount) in enumerate(
        zip(contract.terms.instalments, contract.instalment_amounts(), strict=True)
    ):
        invoiced, received = sums.get(i, (ledger.ZERO, ledger.ZERO))
        is_deposit = item.event == t.InstalmentEvent.deposit_release
        if is_deposit:
            invoiced, received = b.withheld, b.released
        rows.append(
            InstalmentRow(
                index=i,
                event=item.event,
                event_name=t.EVENT_NAMES.get(item.event, item.event),
                percent=item.percent,
                amount=amount,
                invoiced=invoiced,
                received=received,
                is_deposit=is_deposit,
                triggered=t.triggered(
                    item.event,
                    signed=True,
                    plan_done=stage_index > index(Stage.plan),
                    report_approved=contract.rated or stage_index > index(Stage.bureau_review),
                    rated=contract.rated,
                ),
            )
        )
    return Summary(contract, b, status, rows)


def summary(db: Session, engagement: Engagement, *, today: date | None = None) -> Summary:
    """The engagement's contract, balances and deposit status as of today."""
    contract = contract_for(db, engagement)
    entries = all_entries(db, engagement) if contract is not None else []
    return summarise(
        contract, entries, stage_index=index(Stage(engagement.stage)), today=today or today_local()
    )


def deposit_figures(s: Summary) -> dict:
    """The deposit API body: Decimals as strings, null where not yet known."""
    contract = s.contract
    if contract is None:
        return {
            "fee": None,
            "deposit": None,
            "rate": None,
            "quality_score": None,
            "release_fraction": None,
            "released": None,
            "due_date": None,
            "status": s.status.value,
        }
    return {
        "fee": f"{contract.fee:.2f}",
        "deposit": f"{contract.deposit:.2f}",
        "rate": t.fraction_text(contract.deposit_rate / t.HUNDRED),
        "quality_score": None
        if contract.quality_score is None
        else f"{contract.quality_score:.2f}",
        "release_fraction": t.fraction_text(contract.release_fraction),
        "released": f"{s.balances.released:.2f}",
        "due_date": contract.release_due.isoformat() if contract.release_due else None,
        "status": s.status.value,
    }
