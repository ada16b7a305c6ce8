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
    # The finance record through the API (issue 21): reads as 费用与保证金, writes as its forms.
    "api.get_contract_get": TEAM,
    "api.record_contract_post": MANAGE,
    "api.edit_contract_patch": MANAGE,
    "api.list_instalments_get": TEAM,
    "api.list_invoices_get": TEAM,
    "api.record_invoice_post": MANAGE,
    "api.list_receipts_get": TEAM,
    "api.record_receipt_post": MANAGE,
    "api.list_deposit_entries_get": TEAM,
    "api.record_withholding_post": MANAGE,
    "api.record_deposit_release_post": MANAGE,
    "api.void_ledger_entry_post": MANAGE,
}


def params(db, demo) -> dict:
    """A ledger entry of the demo engagement (its contract's first invoice)."""
    from workbench.finance.services import all_entries

    return {"entry_id": all_entries(db, demo.engagement)[0].id}
