"""Route × role expectations of the 职称/资格证书 pages (read by tests/test_permission_matrix.py)."""

from __future__ import annotations

from tests.permissions_roles import ADMIN, AUTH

EXPECTED = {
    "accounts.save_qualifications": AUTH,
    "accounts.user_qualifications": ADMIN,
}
