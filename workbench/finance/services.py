"""Finance services: firm defaults, the contract, the ledger and the quality deposit.

The work is split by subject (contracts.py, entries.py, deposits.py, summary.py,
dashboard.py); this module is the one other domains import, e.g. the bureau review calls
`finance.services.apply_quality_rating(db, actor=..., engagement=..., score=..., rated_at=...)`.
"""

from workbench.finance import (
    demo,  # the demo engagement's contract terms (workbench demo)
    permissions,  # noqa: F401 - registers the finance predicates
)
from workbench.finance.contracts import (
    ContractInput,
    contract_input,
    create_contract,
    default_input,
    firm_terms,
    settings_row,
    update_contract,
    update_settings,
)
from workbench.finance.dashboard import (
    DUE_SOON_DAYS,
    Dashboard,
    DepositRow,
    Totals,
    agency_deposits,
    dashboard,
    overdue_for,
)
from workbench.finance.deposits import Release, apply_quality_rating, record_release
from workbench.finance.entries import add_entry, void_entry
from workbench.finance.records import active_entries, all_entries, contract_for
from workbench.finance.summary import Summary, deposit_figures, summarise, summary

__all__ = [
    "ContractInput",
    "DUE_SOON_DAYS",
    "Dashboard",
    "DepositRow",
    "Release",
    "Summary",
    "Totals",
    "active_entries",
    "add_entry",
    "agency_deposits",
    "all_entries",
    "apply_quality_rating",
    "contract_for",
    "contract_input",
    "create_contract",
    "dashboard",
    "default_input",
    "demo",
    "deposit_figures",
    "firm_terms",
    "overdue_for",
    "record_release",
    "settings_row",
    "summarise",
    "summary",
    "update_contract",
    "update_settings",
    "void_entry",
]
