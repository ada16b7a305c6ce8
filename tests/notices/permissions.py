"""Route × role rows of the notices domain (tests/test_permission_matrix.py collects them)."""

from tests.permissions_roles import AUTH

EXPECTED = {
    # Everyone signed in keeps their own notice preferences (their own profile page).
    "accounts.save_notice_preferences": AUTH,
}
