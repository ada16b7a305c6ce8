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
    # workbench/api/scoring_record.py: the scoring page's predicates
    "api.get_score_signoff_get": TEAM,  # as scoring.index
    "api.sign_scores_post": MANAGE,  # as scoring.sign
    "api.unsign_scores_delete": MANAGE,  # as scoring.unsign
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
    # The API's DELETE of the sign-off sorts before its POST: a signed system per manager to unsign.
    to_unsign = for_roles(MANAGE, lambda role: _signed(db, demo, f"{role}接口撤销签字").id)
    to_sign_api = for_roles(
        MANAGE, lambda role: with_sheet(db, demo, f"{role}接口签字", confirmed=True).id
    )
    return {
        "api.sign_scores_post": {"id": to_sign_api},
        "api.unsign_scores_delete": {"id": to_unsign},
        "scoring.expert_submit": {"indicator_id": expert_leaf.id},
        "scoring.sign": {"engagement_id": to_sign},
        "scoring.unsign": {"engagement_id": to_sign},
    }


def _signed(db, demo, title: str):
    from workbench.scoring import services

    engagement = with_sheet(db, demo, title, confirmed=True)
    services.sign(db, actor=demo.users["demo-lead"], engagement=engagement)
    db.flush()
    return engagement


__all__ = ["EXPECTED", "endpoint_params", "params"]
