"""Route × role expectations of the expert pool and the 专家 tab (tests/test_permission_matrix)."""

from tests.permissions_roles import (
    ADMIN,
    AGENCY,
    ANY_ADMIN,
    ANY_AGENCY,
    INTERNAL,
    MANAGE,
    TEAM,
)

EXPECTED = {
    "experts.pool": ANY_AGENCY,
    "experts.create": ANY_ADMIN,
    "experts.my_profile": {"expert"},
    "experts.profile": AGENCY | {"expert"},  # the demo expert's own profile
    "experts.edit": ADMIN,
    "experts.add_conflict": {"admin", "expert"},
    "experts.remove_conflict": {"admin", "expert"},
    "experts.approve_withdrawal": ADMIN,
    "experts.refuse_withdrawal": ADMIN,
    "experts.engagement_experts": TEAM,
    "experts.assign": MANAGE,
    "experts.end_assignment": MANAGE,
    "experts.add_fee": MANAGE,
    "experts.delete_fee": MANAGE,
    "experts.plan_reviews_page": INTERNAL,
    "experts.sign_plan_review": {"expert"},
    "experts.record_plan_review": MANAGE,
    "experts.plan_review_scan": INTERNAL,
}


def params(db, demo) -> dict:
    """The demo expert's profile, a declared tie, the demo assignment and its fee."""
    from workbench.experts import plan_reviews, services

    expert = services.expert_for_user(db, demo.users["demo-expert"])
    row = services.for_engagement(db, demo.engagement)[0]
    return {
        "expert_id": expert.id,
        "conflict_id": services.conflicts_of(db, expert)[0].id,
        "assignment_id": row.assignment.id,
        "fee_id": row.fees[0].id,
        "review_id": plan_reviews.of_engagement(db, demo.engagement)[0].id,
    }
