"""Route × role expectations of the expert pool and the 专家 tab (tests/test_permission_matrix)."""

from tests.permissions_roles import (
    ADMIN,
    AGENCY,
    ANY_ADMIN,
    ANY_AGENCY,
    INTERNAL,
    MANAGE,
    TEAM,
    each_role,
)

EXPECTED = {
    "experts.pool": ANY_AGENCY,
    "experts.export": ANY_AGENCY,  # the list as Excel, each agency its own pool
    "experts.create": ANY_ADMIN,
    "experts.pool_import": ANY_ADMIN,  # 从Excel导入专家: as creating one, each admin their own pool
    "experts.pool_import_confirm": ANY_ADMIN,
    "experts.pool_import_template": ANY_ADMIN,
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
    "experts.team_import": MANAGE,  # 导入工作组成员: the lead, as adding one member
    "experts.team_import_confirm": MANAGE,
    "experts.team_import_template": MANAGE,
    # The API keeps the pages' rules: the pool is the agency's, a profile its staff's and the
    # expert's own, the assignments the 专家 tab's, the plan review the flow page's.
    "api.list_experts_get": ANY_AGENCY,
    "api.create_expert_post": ANY_ADMIN,
    "api.get_expert_get": AGENCY | {"expert"},
    "api.patch_expert_patch": ADMIN,
    "api.list_expert_assignments_get": TEAM,
    "api.assign_expert_post": MANAGE,
    "api.end_expert_assignment_post": MANAGE,
    "api.add_expert_fee_post": MANAGE,
    "api.delete_expert_fee_delete": MANAGE,
    "api.get_plan_reviews_get": INTERNAL,
    "api.sign_plan_review_post": {"expert"},  # as the page's 签署: the assigned expert only
}


def params(db, demo) -> dict:
    """The demo expert's profile, a declared tie, the demo assignment and its fee."""
    from workbench.core import storage
    from workbench.experts import plan_reviews, services

    expert = services.expert_for_user(db, demo.users["demo-expert"])
    row = services.for_engagement(db, demo.engagement)[0]
    review = plan_reviews.of_engagement(db, demo.engagement)[0]
    if review.scan_sha256 is None or not storage.verify(review.scan_sha256):
        blob = storage.store(db, b"%PDF-1.4 matrix scan", mime="application/pdf")
        review.scan_sha256, review.scan_name, review.scan_mime = (
            blob.sha256,
            "扫描件.pdf",
            blob.mime,
        )
        db.add(review)
        db.flush()
    return {
        "expert_id": expert.id,
        "conflict_id": services.conflicts_of(db, expert)[0].id,
        "assignment_id": row.assignment.id,
        "fee_id": row.fees[0].id,
        "review_id": plan_reviews.of_engagement(db, demo.engagement)[0].id,
    }


def endpoint_params(db, demo) -> dict:
    """A fresh tie (withdrawal pending where the admin decides) and a fresh fee for every call."""
    import itertools
    from datetime import date
    from decimal import Decimal

    from workbench.experts import services

    admin, engagement = demo.users["demo-admin"], demo.engagement
    expert = services.expert_for_user(db, demo.users["demo-expert"])
    assignment_id = services.for_engagement(db, engagement)[0].assignment.id

    numbers = itertools.count(1)

    def tie(pending: bool):
        def for_role(role: str) -> int:
            name = f"矩阵{role}关联单位{next(numbers)}"
            conflict = services.declare_conflict(
                db, actor=admin, expert=expert, org_name=name, relation=""
            )
            if pending:
                services.remove_conflict(
                    db, actor=demo.users["demo-expert"], expert=expert, conflict_id=conflict.id
                )
            db.flush()
            return conflict.id

        return for_role

    def fee(role: str) -> int:
        row = services.add_fee(
            db, actor=admin, engagement=engagement, assignment_id=assignment_id,
            item=f"矩阵{role}", amount=Decimal("100"), fee_date=date(2026, 1, 5),
        )  # fmt: skip
        db.flush()
        return row.id

    return {
        "experts.remove_conflict": {"conflict_id": each_role(tie(pending=False))},
        "experts.approve_withdrawal": {"conflict_id": each_role(tie(pending=True))},
        "experts.refuse_withdrawal": {"conflict_id": each_role(tie(pending=True))},
        "experts.delete_fee": {"fee_id": each_role(fee)},
        "api.delete_expert_fee_delete": {"fee_id": each_role(fee)},
    }
