"""Route × role expectations of the facts pages and API (read by tests/test_permission_matrix.py)."""

from tests.permissions_roles import INTERNAL, TEAM

EXPECTED = {
    "facts.page": INTERNAL,
    "facts.save": TEAM,
    "facts.bind": TEAM,
    "facts.sync": TEAM,
    "facts.import_page": TEAM,  # 导入基本信息: whoever may save the facts form
    "facts.import_confirm": TEAM,
    "facts.import_template": TEAM,
    "api.list_facts_get": INTERNAL,
    "api.report_check_get": INTERNAL,
}
