"""Route × role expectations of the scoring pages (tests/test_permission_matrix)."""

from tests.indicators.permissions import params
from tests.permissions_roles import MANAGE, TEAM

EXPECTED = {
    "scoring.index": TEAM,
    "scoring.leaf": TEAM,
    "scoring.sign": MANAGE,
    "scoring.unsign": MANAGE,
    "scoring.expert_page": {"expert"},
    "scoring.expert_submit": {"expert"},
    "scoring.self_score_page": TEAM,
}

__all__ = ["EXPECTED", "params"]
