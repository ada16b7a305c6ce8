"""Finance fixtures: a fresh engagement of demo-lead without a contract, contract input."""

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import func, select

from workbench.core.audit import AuditEntry
from workbench.engagements import services as engagements
from workbench.engagements.models import DeclarationKind
from workbench.finance import terms as t
from workbench.finance.contracts import ContractInput
from workbench.finance.models import Contract, LedgerEntry


def contract_data(**overrides) -> ContractInput:
    data = dict(
        number="HT-2026-001",
        signed_on=date(2026, 3, 1),
        fee=Decimal("480000.00"),
        deposit_rate=Decimal("10"),
        instalments=list(t.DEFAULT_INSTALMENTS),
        bands=list(t.DEFAULT_BANDS),
        release_days=30,
        note="",
    )
    data.update(overrides)
    return ContractInput(**data)


@pytest.fixture()
def fresh(db, demo):
    """A new engagement led by demo-lead (declarations signed), with no contract yet."""

    def _make(title: str = "测试项目", bureau_id: int | None = None, lead=None):
        lead = lead or demo.users["demo-lead"]
        engagement = engagements.create(
            db,
            actor=lead,
            data=engagements.EngagementInput(
                title=title,
                type="project",
                bureau_id=bureau_id or demo.engagement.bureau_id,
                unit_id=demo.engagement.unit_id,
                budget_year=2025,
            ),
        )
        for kind in DeclarationKind:
            engagements.sign_declaration(db, actor=lead, engagement=engagement, kind=kind)
        db.flush()
        return engagement

    return _make


def counts(db, engagement) -> tuple[int, int, int]:
    """(contracts, ledger entries, audit entries) of the engagement: nothing half-written."""
    contracts = db.exec(
        select(func.count()).select_from(Contract).where(Contract.engagement_id == engagement.id)
    ).one()
    entries = db.exec(
        select(func.count())
        .select_from(LedgerEntry)
        .where(LedgerEntry.engagement_id == engagement.id)
    ).one()
    audits = db.exec(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.engagement_id == engagement.id)
    ).one()
    return contracts, entries, audits
