"""The demo engagement's contract and its first instalment, invoiced and received."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.engagements.models import Engagement
from workbench.finance import terms as t
from workbench.finance.contracts import ContractInput, create_contract
from workbench.finance.entries import add_entry

DEMO_FEE = Decimal("480000.00")


def fill(session: Session, engagement: Engagement, users: dict[str, User]) -> None:
    """Contract (480,000.00 yuan, 30/60/10, 10% deposit); the signing instalment paid."""
    lead = users["demo-lead"]
    signed = engagement.planned_start or engagement.created_at.date()
    create_contract(
        session,
        actor=lead,
        engagement=engagement,
        data=ContractInput(
            number=f"HT-{engagement.budget_year + 1}-0{engagement.id:03d}",
            signed_on=signed,
            fee=DEMO_FEE,
            deposit_rate=t.DEFAULT_DEPOSIT_RATE,
            instalments=list(t.DEFAULT_INSTALMENTS),
            bands=list(t.DEFAULT_BANDS),
            release_days=t.DEFAULT_RELEASE_DAYS,
            note="演示合同：首付 30%，报告通过后 60%，质量保证金 10% 按质量考核结果释放",
        ),
    )
    first = t.q2(DEMO_FEE * Decimal("0.30"))
    for kind, days, note in (
        ("invoiced", 2, "首期服务费发票"),
        ("received", 9, "首期服务费到账"),
    ):
        add_entry(
            session,
            actor=lead,
            engagement=engagement,
            kind=kind,
            amount=first,
            entry_date=signed + timedelta(days=days),
            instalment=0,
            note=note,
        )
