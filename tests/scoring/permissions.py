"""Route × role expectations of the scoring pages (tests/test_permission_matrix)."""

from sqlmodel import select

from tests.indicators.permissions import params, with_sheet
from tests.permissions_roles import MANAGE, TEAM, for_roles
from workbench.indicators.models import Indicator

EXPECTED = {
    "scoring.index": TEAM,
    "scoring.leaf": TEAM,
    "scoring.sign": MANAGE,
    "scoring.unsign": MANAGE,
    "scoring.expert_page": {"expert"},
    "scoring.expert_submit": {"expert"},
    "scoring.self_score_page": TEAM,
}


def endpoint_params(db, demo) -> dict:
    """The demo's expert-rule leaf; per manager a confirmed, fully scored system to sign."""
    expert_leaf = db.exec(
        select(Indicator).where(
            Indicator.engagement_id == demo.engagement.id, Indicator.rule == "expert"
        )
    ).first()
    # The sample sheet scores every leaf: each manager signs a system of its own, then unsigns it.
    to_sign = for_roles(MANAGE, lambda role: with_sheet(db, demo, f"{role}签字", confirmed=True).id)
    return {
        "scoring.expert_submit": {"indicator_id": expert_leaf.id},
        "scoring.sign": {"engagement_id": to_sign},
        "scoring.unsign": {"engagement_id": to_sign},
    }


__all__ = ["EXPECTED", "endpoint_params", "params"]
