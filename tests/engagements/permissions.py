"""Route × role expectations of the engagements' pages beyond those in tests/test_permission_matrix
(the dashboard and the flowchart are there), and of the team API."""

from tests.permissions_roles import ANY_ADMIN, AUTH, DECLARE, INTERNAL, MANAGE, TEAM, each_role

EXPECTED = {
    "engagements.list_export": AUTH,  # 我的项目 as Excel: each person their own list
    "api.get_team_get": INTERNAL,  # as the 工作组与声明 page
    "api.add_team_member_post": MANAGE,
    "api.remove_team_member_delete": MANAGE,
    "api.sign_declaration_post": DECLARE,
    "api.patch_engagement_patch": MANAGE,  # as 修改项目信息
    "api.engagement_audit_get": TEAM,  # as the 操作日志 pages
    "api.agency_audit_get": ANY_ADMIN,
}


def endpoint_params(db, demo) -> dict:
    """Each manager removes a member of its own (the second would find the first one gone)."""
    from workbench.engagements import services

    def new_member(role: str) -> int:
        from workbench.accounts import services as accounts
        from workbench.accounts.models import SystemRole

        user = accounts.create_user(
            db, actor=None, username=f"api-member-{role}", display_name=f"成员{role}",
            password="demo12345x", org_id=demo.orgs["示例绩效评价咨询有限公司"].id,
            system_role=SystemRole.staff, check_policy=False,
        )  # fmt: skip
        member = services.add_member(db, actor=demo.users["demo-lead"], engagement=demo.engagement,
                                     user_id=user.id, role="evaluator")  # fmt: skip
        db.flush()
        return member.id

    return {"api.remove_team_member_delete": {"member_id": each_role(new_member)}}
