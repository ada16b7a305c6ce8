"""Firm finance settings, the engagement contract and its fee/deposit ledger entries."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from workbench.core.models import version_column
from workbench.core.money import DecimalType
from workbench.core.timeutil import utcnow
from workbench.finance import terms as t
from workbench.finance.ledger import KIND_NAMES, EntryKind

_settings_version = version_column()


class FinanceSettings(SQLModel, table=True):
    """One agency's default contract terms (JSON; missing keys fall back to code defaults)."""

    __tablename__ = "finance_settings"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="organisation.id", unique=True)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON))
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    version: int = Field(default=1, sa_column=_settings_version)

    __mapper_args__ = {"version_id_col": _settings_version}

    @property
    def terms(self) -> t.Terms:
        return t.terms_from_json(self.data)


_contract_version = version_column()


class Contract(SQLModel, table=True):
    """The engagement's contract (委托合同): fee, instalments, deposit terms and the rating."""

    __tablename__ = "finance_contract"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", unique=True)
    number: str = Field(max_length=60)  # 合同编号
    signed_on: date
    fee: Decimal = Field(sa_type=DecimalType(2))
    deposit_rate: Decimal = Field(sa_type=DecimalType(2))  # percent of the fee
    instalments: list = Field(default_factory=list, sa_column=Column(JSON))
    bands: list = Field(default_factory=list, sa_column=Column(JSON))  # release table
    release_days: int = 30
    note: str = Field(default="", max_length=2000)
    # The bureau's quality rating, recorded by apply_quality_rating; acceptance date = its date.
    quality_score: Decimal | None = Field(default=None, sa_type=DecimalType(2))
    accepted_on: date | None = None
    rated_at: datetime | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_contract_version)

    __mapper_args__ = {"version_id_col": _contract_version}

    @property
    def terms(self) -> t.Terms:
        return t.Terms(
            instalments=t.instalments_from_json(self.instalments),
            deposit_rate=self.deposit_rate,
            bands=t.bands_from_json(self.bands),
            release_days=self.release_days,
        )

    @property
    def deposit(self) -> Decimal:
        return t.deposit_amount(self.fee, self.deposit_rate)

    @property
    def rated(self) -> bool:
        return self.quality_score is not None

    @property
    def release_fraction(self) -> Decimal | None:
        if self.quality_score is None:
            return None
        return t.release_fraction(self.quality_score, self.terms.bands)

    @property
    def release_amount(self) -> Decimal | None:
        fraction = self.release_fraction
        return None if fraction is None else t.release_amount(self.deposit, fraction)

    @property
    def release_due(self) -> date | None:
        if self.accepted_on is None:
            return None
        return t.release_due(self.accepted_on, self.release_days)

    def instalment_amounts(self) -> list[Decimal]:
        return t.instalment_amounts(self.fee, self.terms.instalments)

    def deposit_instalments(self) -> set[int]:
        return {
            i
            for i, row in enumerate(self.instalments)
            if row.get("event") == t.InstalmentEvent.deposit_release
        }


class LedgerEntry(SQLModel, table=True):
    """One movement of money: invoiced, received, withheld, released or forfeited (yuan)."""

    __tablename__ = "finance_entry"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    contract_id: int = Field(foreign_key="finance_contract.id", index=True)
    kind: str = Field(max_length=20)
    amount: Decimal = Field(sa_type=DecimalType(2))
    instalment: int | None = None  # 0-based index into the contract's instalments
    entry_date: date
    note: str = Field(default="", max_length=1000)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    # Entries are never deleted: a mistaken one is voided with a reason and leaves the sums.
    voided_at: datetime | None = None
    voided_by_id: int | None = Field(default=None, foreign_key="user.id")
    void_reason: str = Field(default="", max_length=1000)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[EntryKind(self.kind)]

    @property
    def voided(self) -> bool:
        return self.voided_at is not None
