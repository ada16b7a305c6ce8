"""Route × role rows for core's own routes (tests/test_permission_matrix.py collects them)."""

from tests.permissions_roles import AUTH, PUBLIC

EXPECTED = {
    "health.favicon": PUBLIC,
    "about.about": AUTH,
}
