"""Route × role expectations of the engagements' pages beyond those in tests/test_permission_matrix
(the dashboard and the flowchart are there)."""

from tests.permissions_roles import AUTH

EXPECTED = {
    "engagements.list_export": AUTH,  # 我的项目 as Excel: each person their own list
}
