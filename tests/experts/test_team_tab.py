"""An expert added or removed on the 工作组 tab is the same record as the 专家 tab's assignment."""

from sqlmodel import select

from workbench.core.audit import AuditEntry
from workbench.experts import plan_reviews, services
from workbench.experts.models import ExpertAssignment


def _assignments(db, pool):
    return db.exec(
        select(ExpertAssignment).where(
            ExpertAssignment.engagement_id == pool.engagement.id,
            ExpertAssignment.expert_id == pool.clean.id,
        )
    ).all()


def test_an_expert_added_on_the_team_tab_counts_on_the_experts_tab(db, login, pool):
    c = login("demo-lead")
    base = f"/engagements/{pool.engagement.id}"
    c.post(
        f"{base}/team/add",
        data={"user_id": pool.clean_user.id, "role": "expert", "duty": "专家评分"},
    )
    (assignment,) = _assignments(db, pool)
    assert assignment.active and assignment.duty == "专家评分"
    db.refresh(pool.engagement)
    assert [m.id for m in pool.engagement.members if m.user_id == pool.clean_user.id] == [
        assignment.member_id
    ]
    assert pool.clean in plan_reviews.assigned_experts(db, pool.engagement)
    experts_tab = c.get(f"{base}/experts").get_data(as_text=True)
    assert f'data-assignment="{assignment.id}"' in experts_tab and "专家评分" in experts_tab
    # Removed on the team tab: the assignment ends with the membership, its history stays.
    c.post(f"{base}/team/{assignment.member_id}/remove")
    db.refresh(assignment)
    assert not assignment.active and assignment.end_reason == "在工作组页移除"
    db.refresh(pool.engagement)
    assert pool.clean_user.id not in {m.user_id for m in pool.engagement.members}
    actions = db.exec(
        select(AuditEntry.action).where(AuditEntry.engagement_id == pool.engagement.id)
    ).all()
    assert "expert.assign" in actions and "expert.unassign" in actions


def test_the_team_tab_runs_the_conflict_check(db, login, pool):
    page = login("demo-lead").post(
        f"/engagements/{pool.engagement.id}/team/add",
        data={"user_id": pool.tied_user.id, "role": "expert"},
        follow_redirects=True,
    )
    assert "该专家与本项目存在利益冲突" in page.get_data(as_text=True)
    db.refresh(pool.engagement)
    assert pool.tied_user.id not in {m.user_id for m in pool.engagement.members}


def test_an_account_without_a_pool_profile_is_told_what_to_do(db, login, pool, make_user):
    from workbench.accounts.models import Organisation

    agency = db.get(Organisation, pool.engagement.agency_id)
    stranger = make_user("expert", username="expert-zhou", managed_by=agency)
    db.flush()
    page = login("demo-lead").post(
        f"/engagements/{pool.engagement.id}/team/add",
        data={"user_id": stranger.id, "role": "expert"},
        follow_redirects=True,
    )
    assert "尚无本机构专家库档案" in page.get_data(as_text=True)
    db.refresh(pool.engagement)
    assert stranger.id not in {m.user_id for m in pool.engagement.members}
    assert services.expert_for_user(db, stranger) is None
