"""Route × role expectations of the finance pages and API (read by tests/test_permission_matrix)."""

from tests.permissions_roles import ANY_ADMIN, ANY_AGENCY, MANAGE, TEAM

EXPECTED = {
    "finance.overview": TEAM,
    "finance.contract": MANAGE,
    "finance.add_entry": MANAGE,
    "finance.void_entry": MANAGE,
    "finance.record_release": MANAGE,
    "finance.deposits": ANY_AGENCY,
    "finance.deposits_export": ANY_AGENCY,
    "finance.settings": ANY_ADMIN,
    "api.get_deposit_get": TEAM,
}


def params(db, demo) -> dict:
    """A ledger entry of the demo engagement (its contract's first invoice)."""
    from workbench.finance.services import all_entries

    return {"entry_id": all_entries(db, demo.engagement)[0].id}
