"""Loading the contract and its entries, and the checks every finance write shares."""

from __future__ import annotations

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core.permissions import authorize
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared
from workbench.finance import ledger
from workbench.finance.models import Contract, LedgerEntry


def contract_for(db: Session, engagement: Engagement) -> Contract | None:
    return db.exec(select(Contract).where(Contract.engagement_id == engagement.id)).first()


def locked_contract(db: Session, engagement: Engagement) -> Contract | None:
    """The contract row locked for the rest of the transaction (PostgreSQL; SQLite serialises
    writers anyway), so two concurrent ledger writes cannot both pass the invariants."""
    return db.exec(
        select(Contract).where(Contract.engagement_id == engagement.id).with_for_update()
    ).first()


def require_manager(
    db: Session, engagement: Engagement, actor: User, *, after_archive: bool = False
) -> None:
    """Contract and ledger work: the lead or an agency admin, on a writable engagement.

    `after_archive`: the ledger (invoices, receipts, the deposit's release) stays open after the
    archive, since the deposit falls due after the bureau's acceptance (DOMAIN.md §8); the
    contract's terms and the rating stay locked with the rest of the evaluation.
    """
    if not after_archive:
        ensure_writable(engagement)
    authorize(
        actor,
        "engagement.manage",
        engagement,
        message="只有项目负责人或机构管理员可以办理合同与收付款",
    )
    require_cleared(db, engagement, actor)


def all_entries(db: Session, engagement: Engagement) -> list[LedgerEntry]:
    """Every entry, voided ones included, in date order (the ledger page)."""
    return list(
        db.exec(
            select(LedgerEntry)
            .where(LedgerEntry.engagement_id == engagement.id)
            .order_by(col(LedgerEntry.entry_date), col(LedgerEntry.id))
        ).all()
    )


def active_entries(db: Session, engagement: Engagement) -> list[LedgerEntry]:
    return [e for e in all_entries(db, engagement) if not e.voided]


def entries_by_engagement(db: Session, ids: set[int]) -> dict[int, list[LedgerEntry]]:
    """Active entries of many engagements in one query (dashboards)."""
    found: dict[int, list[LedgerEntry]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = db.exec(
        select(LedgerEntry).where(
            col(LedgerEntry.engagement_id).in_(ids), col(LedgerEntry.voided_at).is_(None)
        )
    ).all()
    for row in rows:
        found[row.engagement_id].append(row)
    return found


def consistency(contract: Contract, entries: list) -> list[dict]:
    """The ledger invariants of `entries` under `contract`'s terms (empty when consistent)."""
    return ledger.ledger_problems(
        fee=contract.fee,
        deposit=contract.deposit,
        amounts=contract.instalment_amounts(),
        deposit_instalments=contract.deposit_instalments(),
        entries=entries,
        release=contract.release_amount,
    )
