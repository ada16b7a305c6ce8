"""Ledger entries: invoices, receipts and withheld deposits, and voiding a mistaken one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.finance import ledger
from workbench.finance.ledger import EntryKind
from workbench.finance.models import LedgerEntry
from workbench.finance.records import active_entries, consistency, locked_contract, require_manager


def add_entry(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    kind: str,
    amount: Decimal | None,
    entry_date: date | None,
    instalment: int | None = None,
    note: str = "",
) -> LedgerEntry:
    """Record an invoice, a receipt or a withheld deposit; the ledger must stay consistent."""
    require_manager(db, engagement, actor, after_archive=True)
    contract = locked_contract(db, engagement)
    if contract is None:
        raise Conflict("请先登记委托合同，再登记收付款")
    errors = ledger.entry_problems(kind, amount)
    if not errors and kind not in ledger.MANUAL_KINDS:
        errors.append(
            {"field": "kind", "message": "保证金释放请在质量考核后通过“登记保证金释放”办理"}
        )
    if entry_date is None:
        errors.append({"field": "entry_date", "message": "请填写日期"})
    if instalment is not None and kind == EntryKind.withheld:
        errors.append({"field": "instalment", "message": "预留保证金不对应某一期付款"})
    if errors:
        raise ValidationFailed("收付款信息有误", details=errors)
    entry = LedgerEntry(
        engagement_id=engagement.id,
        contract_id=contract.id,
        kind=EntryKind(kind),
        amount=amount,
        instalment=instalment,
        entry_date=entry_date,
        note=note.strip()[:1000],
        created_by_id=actor.id,
    )
    problems = consistency(contract, [*active_entries(db, engagement), entry])
    if problems:
        raise ValidationFailed("收付款金额不符合合同约定", details=problems)
    return write_entry(db, actor=actor, engagement=engagement, entry=entry)


def write_entry(
    db: Session, *, actor: User, engagement: Engagement, entry: LedgerEntry
) -> LedgerEntry:
    """Add an already checked entry and audit it."""
    db.add(entry)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action=f"finance.entry.{entry.kind}",
        obj=entry,
        engagement_id=engagement.id,
        after=audit.snapshot(entry, ["kind", "amount", "instalment", "entry_date", "note"]),
        summary=f"{entry.kind_name} {entry.amount:,.2f} 元",
    )
    return entry


def void_entry(
    db: Session, *, actor: User, engagement: Engagement, entry_id: int, reason: str
) -> LedgerEntry:
    """Void a mistaken entry (kept for the record, left out of every sum)."""
    require_manager(db, engagement, actor, after_archive=True)
    contract = locked_contract(db, engagement)
    entry = db.get(LedgerEntry, entry_id)
    if contract is None or entry is None or entry.engagement_id != engagement.id:
        raise NotFound("收付款记录不存在")
    if entry.voided:
        raise Conflict("该记录已作废")
    if entry.kind == EntryKind.forfeited or (contract.rated and entry.kind == EntryKind.withheld):
        raise Conflict("质量考核后的保证金预留和不予释放记录由系统登记，不能作废")
    if not reason.strip():
        raise ValidationFailed.of_field("reason", "请填写作废原因")
    remaining = [e for e in active_entries(db, engagement) if e.id != entry.id]
    problems = consistency(contract, remaining)
    if problems:
        raise ValidationFailed("作废后收付款将不一致，请先作废相关记录", details=problems)
    entry.voided_at = utcnow()
    entry.voided_by_id = actor.id
    entry.void_reason = reason.strip()[:1000]
    db.add(entry)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="finance.entry.void",
        obj=entry,
        engagement_id=engagement.id,
        before=audit.snapshot(entry, ["kind", "amount", "instalment", "entry_date"]),
        after={"reason": entry.void_reason},
        summary=f"作废 {entry.kind_name} {entry.amount:,.2f} 元",
    )
    return entry
