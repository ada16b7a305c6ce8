"""The quality deposit: the bureau's rating sets the release; the release is then paid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.timeutil import local, today_local, utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable
from workbench.finance import ledger
from workbench.finance import terms as t
from workbench.finance.entries import write_entry
from workbench.finance.ledger import DepositStatus, EntryKind
from workbench.finance.models import Contract, LedgerEntry
from workbench.finance.records import (
    active_entries,
    consistency,
    locked_contract,
    require_manager,
)


@dataclass(frozen=True)
class Release:
    """What the quality rating means for the deposit."""

    score: Decimal
    fraction: Decimal
    deposit: Decimal
    amount: Decimal  # to be released (paid back)
    forfeited: Decimal  # the unreleased part
    due_date: date
    status: DepositStatus


def _accepted_on(rated_at: date | datetime) -> date:
    """The acceptance date: the rating's (Beijing) calendar day."""
    if isinstance(rated_at, datetime):
        return local(rated_at).date()
    return rated_at


def apply_quality_rating(
    db: Session, *, actor: User, engagement: Engagement, score: Decimal, rated_at: date | datetime
) -> Release:
    """Record the bureau's quality score: release fraction and amount, due date, ledger entries.

    The whole deposit is withheld at acceptance (a missing remainder is entered now); when
    nothing is to be released the deposit is forfeited at once and the deposit is closed.
    Re-rating is allowed until a release or forfeiture has been recorded.
    """
    ensure_writable(engagement)
    score = t.as_decimal(score) if isinstance(score, Decimal | int | str) else None
    if score is None or not (0 <= score <= 100):
        raise ValidationFailed(
            "质量考核得分无效",
            details=[{"field": "score", "message": "质量考核得分须在 0–100 分之间"}],
        )
    contract = locked_contract(db, engagement)
    if contract is None:
        raise Conflict("本项目尚未登记委托合同，无法计算质量保证金释放")
    entries = active_entries(db, engagement)
    current = ledger.balances(contract.fee, contract.deposit, entries)
    if current.released or current.forfeited:
        raise Conflict("质量保证金已开始释放或已扣减，不能重新计算")
    before = _rating_snapshot(contract)
    accepted_on = _accepted_on(rated_at)
    contract.quality_score = t.q2(score)
    contract.accepted_on = accepted_on
    contract.rated_at = rated_at if isinstance(rated_at, datetime) else utcnow()
    contract.updated_at = utcnow()
    db.add(contract)
    db.flush()
    # The whole deposit is withheld at acceptance; never more than the fee left uninvoiced.
    missing = min(contract.deposit - current.withheld, current.uninvoiced)
    if missing > 0:
        _system_entry(
            db, actor, engagement, contract, EntryKind.withheld, missing, accepted_on,
            "项目验收，预留质量保证金（质量考核时自动登记）",
        )  # fmt: skip
    withheld = current.withheld + max(missing, ledger.ZERO)
    if contract.release_amount == 0 and withheld > 0:
        _system_entry(
            db, actor, engagement, contract, EntryKind.forfeited, withheld, accepted_on,
            f"质量考核得分 {contract.quality_score} 分，保证金不予释放",
        )  # fmt: skip
    result = release_of(contract, released=ledger.ZERO, today=today_local())
    audit.record(
        db,
        actor=actor,
        action="finance.quality_rating",
        obj=contract,
        engagement_id=engagement.id,
        before=before,
        after=_rating_snapshot(contract),
        summary=(
            f"质量考核 {result.score} 分，释放 {t.fraction_text(result.fraction)}，"
            f"应释放 {result.amount:,.2f} 元，{result.due_date:%Y-%m-%d} 前"
        ),
    )
    return result


def _rating_snapshot(contract: Contract) -> dict:
    return {
        "quality_score": contract.quality_score,
        "accepted_on": contract.accepted_on,
        "release_fraction": t.fraction_text(contract.release_fraction),
        "deposit": contract.deposit,
        "release_amount": contract.release_amount,
        "release_due": contract.release_due,
    }


def _system_entry(
    db: Session,
    actor: User,
    engagement: Engagement,
    contract: Contract,
    kind: EntryKind,
    amount: Decimal,
    on: date,
    note: str,
) -> LedgerEntry:
    entry = LedgerEntry(
        engagement_id=engagement.id,
        contract_id=contract.id,
        kind=kind,
        amount=amount,
        entry_date=on,
        note=note,
        created_by_id=actor.id,
    )
    return write_entry(db, actor=actor, engagement=engagement, entry=entry)


def release_of(contract: Contract, *, released: Decimal, today: date) -> Release:
    """The rated contract's release figures and status."""
    amount = contract.release_amount or ledger.ZERO
    return Release(
        score=contract.quality_score,
        fraction=contract.release_fraction,
        deposit=contract.deposit,
        amount=amount,
        forfeited=contract.deposit - amount,
        due_date=contract.release_due,
        status=ledger.deposit_status(
            deposit=contract.deposit,
            rated=True,
            release=amount,
            released=released,
            due=contract.release_due,
            today=today,
        ),
    )


def record_release(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    amount: Decimal | None,
    paid_on: date | None,
    note: str = "",
) -> LedgerEntry:
    """Record a payment of the released deposit (partial payments allowed).

    The first payment also forfeits the unreleased part, so the deposit account closes when
    the payments reach the release amount.
    """
    require_manager(db, engagement, actor, after_archive=True)
    contract = locked_contract(db, engagement)
    if contract is None or not contract.rated:
        raise Conflict("尚未进行质量考核，不能登记保证金释放")
    errors = ledger.entry_problems(EntryKind.released, amount)
    if paid_on is None:
        errors.append({"field": "paid_on", "message": "请填写到账日期"})
    if errors:
        raise ValidationFailed("保证金释放信息有误", details=errors)
    entries = active_entries(db, engagement)
    current = ledger.balances(contract.fee, contract.deposit, entries)
    forfeit = current.withheld - contract.release_amount if not current.forfeited else 0
    pending = []
    if forfeit > 0:
        pending.append(
            LedgerEntry(
                engagement_id=engagement.id,
                contract_id=contract.id,
                kind=EntryKind.forfeited,
                amount=forfeit,
                entry_date=paid_on,
                note=f"质量考核得分 {contract.quality_score} 分，未释放部分不予支付",
                created_by_id=actor.id,
            )
        )
    payment = LedgerEntry(
        engagement_id=engagement.id,
        contract_id=contract.id,
        kind=EntryKind.released,
        amount=amount,
        entry_date=paid_on,
        note=note.strip()[:1000],
        created_by_id=actor.id,
    )
    problems = consistency(contract, [*entries, *pending, payment])
    if problems:
        raise ValidationFailed("保证金释放金额有误", details=problems)
    for entry in pending:
        write_entry(db, actor=actor, engagement=engagement, entry=entry)
    return write_entry(db, actor=actor, engagement=engagement, entry=payment)
