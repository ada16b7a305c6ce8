"""The firm-wide deposit dashboard and the overdue-deposit panel of the home page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from sqlalchemy import Select, bindparam, exists
from sqlalchemy.orm import lazyload
from sqlmodel import Session, col, select

from workbench.accounts.models import Organisation, User
from workbench.engagements.models import Engagement, Member, MemberRole
from workbench.finance import ledger
from workbench.finance.ledger import Balances, DepositStatus
from workbench.finance.models import Contract
from workbench.finance.records import entries_by_engagement

DUE_SOON_DAYS = 30
OPEN = (DepositStatus.withheld, DepositStatus.due, DepositStatus.overdue)


@dataclass(frozen=True)
class DepositRow:
    """One engagement's deposit on the dashboard."""

    engagement: Engagement
    contract: Contract
    bureau: str
    year: int
    balances: Balances
    status: DepositStatus

    @property
    def release(self) -> Decimal | None:
        return self.contract.release_amount

    @property
    def release_outstanding(self) -> Decimal:
        """Still to be paid back: the release not yet received (before rating: what is held)."""
        if self.contract.release_amount is None:
            return self.balances.deposit_outstanding
        return self.contract.release_amount - self.balances.released

    @property
    def due(self) -> date | None:
        return self.contract.release_due


@dataclass
class Totals:
    """Sums over a group of deposits."""

    label: str
    count: int = 0
    fee: Decimal = ledger.ZERO
    deposit: Decimal = ledger.ZERO
    withheld: Decimal = ledger.ZERO
    released: Decimal = ledger.ZERO
    forfeited: Decimal = ledger.ZERO
    outstanding: Decimal = ledger.ZERO  # withheld, neither released nor forfeited
    overdue: Decimal = ledger.ZERO  # release amounts past their due date, unpaid

    def add(self, row: DepositRow) -> None:
        b = row.balances
        self.count += 1
        self.fee += b.fee
        self.deposit += b.deposit
        self.withheld += b.withheld
        self.released += b.released
        self.forfeited += b.forfeited
        self.outstanding += b.deposit_outstanding
        if row.status == DepositStatus.overdue:
            self.overdue += row.release_outstanding


@dataclass
class Dashboard:
    today: date
    rows: list[DepositRow]
    by_bureau: list[Totals] = field(default_factory=list)
    by_year: list[Totals] = field(default_factory=list)
    total: Totals = field(default_factory=lambda: Totals("合计"))

    @property
    def outstanding(self) -> list[DepositRow]:
        """Deposits not yet settled (held, due or overdue)."""
        return [r for r in self.rows if r.status in OPEN]

    @property
    def due_soon(self) -> list[DepositRow]:
        """Releases due within the next 30 days."""
        limit = self.today + timedelta(days=DUE_SOON_DAYS)
        return [r for r in self.rows if r.status == DepositStatus.due and r.due <= limit]

    @property
    def overdue(self) -> list[DepositRow]:
        return [r for r in self.rows if r.status == DepositStatus.overdue]


@cache
def _statement(*, admin: bool, rated_only: bool) -> Select:
    """Contracts, engagements and bureau names for one kind of reader, built once.

    The overdue panel runs on every home page view; building and hashing this statement for
    SQLAlchemy's compiled cache costs more CPU than running it, so each shape is kept and the
    reader comes in as parameters (a built statement is immutable, safe to share).
    """
    stmt = (
        select(Contract, Engagement, Organisation.name)
        .join(Engagement, col(Engagement.id) == Contract.engagement_id)
        # The bureau's name in the same round trip (outer: a missing bureau shows as "").
        .outerjoin(Organisation, col(Organisation.id) == Engagement.bureau_id)
        # Nothing here reads the team; an engagement not yet in the session is not worth a
        # second query for its members (they still load on first access).
        .options(lazyload(Engagement.members))
        .where(Engagement.agency_id == bindparam("org_id"))
    )
    # Admins see every engagement of their agency; other agency staff those they lead.
    if not admin:
        stmt = stmt.where(
            exists().where(
                Member.engagement_id == Engagement.id,
                Member.user_id == bindparam("user_id"),
                Member.role == MemberRole.lead,
            )
        )
    if rated_only:
        stmt = stmt.where(col(Contract.quality_score).is_not(None))
    return stmt.order_by(col(Contract.signed_on).desc(), col(Contract.id).desc())


def _rows(db: Session, user: User, *, today: date, rated_only: bool = False) -> list[DepositRow]:
    return _agency_rows(
        db, org_id=user.org_id, user_id=user.id, admin=user.is_admin, today=today,
        rated_only=rated_only,
    )  # fmt: skip


def agency_deposits(db: Session, *, agency_id: int, today: date) -> Dashboard:
    """Every rated deposit of one agency, read by no one in particular (the daily webhooks)."""
    rows = _agency_rows(db, org_id=agency_id, user_id=0, admin=True, today=today, rated_only=True)
    return Dashboard(today, [r for r in rows if r.status != DepositStatus.none])


def _agency_rows(
    db: Session, *, org_id: int, user_id: int, admin: bool, today: date, rated_only: bool
) -> list[DepositRow]:
    stmt = _statement(admin=admin, rated_only=rated_only)
    found = db.exec(stmt, params={"org_id": org_id, "user_id": user_id}).all()
    if not found:
        return []
    entries = entries_by_engagement(db, {e.id for _c, e, _b in found})
    rows = []
    for contract, engagement, bureau in found:
        b = ledger.balances(contract.fee, contract.deposit, entries[engagement.id])
        status = ledger.deposit_status(
            deposit=contract.deposit,
            rated=contract.rated,
            release=contract.release_amount,
            released=b.released,
            due=contract.release_due,
            today=today,
        )
        rows.append(
            DepositRow(
                engagement=engagement,
                contract=contract,
                bureau=bureau or "",
                year=contract.signed_on.year,
                balances=b,
                status=status,
            )
        )
    return rows


def dashboard(db: Session, *, user: User, today: date) -> Dashboard:
    """Every deposit the user may see, grouped by bureau and by contract year (two queries)."""
    if not user.is_agency:
        return Dashboard(today, [])
    rows = [r for r in _rows(db, user, today=today) if r.status != DepositStatus.none]
    board = Dashboard(today, rows)
    bureaus: dict[str, Totals] = {}
    years: dict[int, Totals] = {}
    for row in rows:
        bureaus.setdefault(row.bureau, Totals(row.bureau)).add(row)
        years.setdefault(row.year, Totals(f"{row.year}年")).add(row)
        board.total.add(row)
    board.by_bureau = sorted(bureaus.values(), key=lambda x: (-x.outstanding, x.label))
    board.by_year = [years[y] for y in sorted(years, reverse=True)]
    return board


def overdue_for(db: Session, *, user: User, today: date) -> list[DepositRow]:
    """Overdue releases the user answers for: every one for an admin, their own for a lead."""
    if not getattr(user, "is_authenticated", False) or not user.is_agency:
        return []
    rows = _rows(db, user, today=today, rated_only=True)
    return [r for r in rows if r.status == DepositStatus.overdue]
