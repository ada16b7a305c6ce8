"""Expert pool, conflicts, assignments with the conflict check and override, fees."""

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import func, select

from workbench.accounts.models import Organisation
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from workbench.engagements.models import Member
from workbench.experts import services
from workbench.experts.models import Expert, ExpertAssignment, ExpertFee

D = Decimal


def _count(db, model, **where):
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.exec(stmt).one()


def _actions(db, action):
    return db.exec(select(AuditEntry).where(AuditEntry.action == action)).all()


# --- the pool ---------------------------------------------------------------------------------


def test_create_expert_normalises_tags_and_audits(db, demo):
    admin = demo.users["demo-admin"]
    expert = services.create_expert(
        db,
        actor=admin,
        data=services.ExpertInput(
            name=" 冯教授 ", title="教授", field_tags="教育、 统计；教育", email="feng@example.com"
        ),
    )
    assert (expert.name, expert.field_tags, expert.tags) == (
        "冯教授",
        "教育,统计",
        ["教育", "统计"],
    )
    assert expert.agency_id == admin.org_id and expert.active
    assert _actions(db, "expert.create")[-1].after["name"] == "冯教授"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": " "}, "name", "请填写专家姓名"),
        ({"email": "not-an-email"}, "email", "邮箱格式不正确"),
        ({"phone": "1" * 41}, "phone", "内容过长（不超过 40 个字符）"),
    ],
)
def test_invalid_profiles_are_refused(db, demo, data, field, message):
    before = _count(db, Expert)
    with pytest.raises(ValidationFailed) as error:
        services.create_expert(
            db, actor=demo.users["demo-admin"], data=services.ExpertInput(**{"name": "某", **data})
        )
    assert {"field": field, "message": message} in error.value.details
    assert _count(db, Expert) == before


def test_linked_account_must_be_an_expert_or_staff_and_unique(db, demo):
    admin = demo.users["demo-admin"]
    with pytest.raises(ValidationFailed) as error:
        services.create_expert(
            db,
            actor=admin,
            data=services.ExpertInput(name="某", user_id=demo.users["demo-bureau"].id),
        )
    assert error.value.details[0]["message"] == "关联账号须为有效的专家账号或本机构人员账号"
    with pytest.raises(ValidationFailed) as error:
        services.create_expert(
            db,
            actor=admin,
            data=services.ExpertInput(name="某", user_id=demo.users["demo-expert"].id),
        )
    assert error.value.details[0]["message"] == "该账号已关联专家“陈专家”的档案"


def test_only_admins_maintain_the_pool_and_edits_are_versioned(db, demo):
    with pytest.raises(NotAllowed):
        services.create_expert(
            db, actor=demo.users["demo-lead"], data=services.ExpertInput(name="某")
        )
    expert = services.expert_for_user(db, demo.users["demo-expert"])
    admin = demo.users["demo-admin"]
    data = services.ExpertInput(name="陈专家", title="教授", user_id=expert.user_id, active=False)
    with pytest.raises(Conflict, match="已被他人修改"):
        services.update_expert(
            db, actor=admin, expert=expert, data=data, version=expert.version + 1
        )
    with pytest.raises(NotAllowed):
        services.update_expert(
            db, actor=demo.users["demo-lead"], expert=expert, data=data, version=expert.version
        )
    old = expert.version
    services.update_expert(db, actor=admin, expert=expert, data=data, version=old)
    db.flush()
    assert (expert.title, expert.active, expert.version) == ("教授", False, old + 1)
    assert _actions(db, "expert.update")[-1].before["active"] is True


def test_search_by_words_and_exact_tag(db, demo, pool, make_user):
    lead = demo.users["demo-lead"]
    admin = demo.users["demo-admin"]
    services.create_expert(
        db, actor=admin, data=services.ExpertInput(name="褚博士", field_tags="教育学")
    )
    rows, total = services.search(db, user=lead, q="教育")
    assert {e.name for e in rows} >= {"钱专家", "陈专家", "郑高工", "褚博士"} and total == len(rows)
    rows, _ = services.search(db, user=lead, tag="教育")
    assert "褚博士" not in {e.name for e in rows} and "钱专家" in {e.name for e in rows}
    rows, _ = services.search(db, user=lead, q="会计 孙")
    assert [e.name for e in rows] == ["孙专家"]
    rows, total = services.search(db, user=lead, q="教育", page=2, per_page=2)
    assert total >= 4 and len(rows) == 2
    outsider = make_user("agency", role="admin")
    assert services.search(db, user=outsider) == ([], 0)
    assert "统计" in services.all_tags(db, agency_id=lead.org_id)


def test_conflict_declarations(db, demo, pool):
    tied = pool.tied
    conflict = services.conflicts_of(db, tied)[0]
    assert (conflict.org_name, conflict.org_id, conflict.relation) == (
        "示例市教育局",
        demo.engagement.unit_id,  # linked to the registered organisation by name
        "配偶任职",
    )
    with pytest.raises(Conflict, match="已申报过"):
        services.declare_conflict(
            db, actor=pool.admin, expert=tied, org_name=" 示例市教育局", relation=""
        )
    with pytest.raises(NotAllowed):
        services.declare_conflict(
            db, actor=pool.lead, expert=tied, org_name="示例县财政局", relation=""
        )
    with pytest.raises(NotAllowed):  # another expert cannot declare for them
        services.declare_conflict(
            db, actor=pool.clean_user, expert=tied, org_name="示例县财政局", relation=""
        )
    with pytest.raises(ValidationFailed, match="关联单位信息有误"):
        services.declare_conflict(db, actor=pool.tied_user, expert=tied, org_name=" ", relation="")
    with pytest.raises(NotFound):
        services.remove_conflict(db, actor=pool.admin, expert=pool.clean, conflict_id=conflict.id)
    # The expert only asks to withdraw; the tie holds until the agency admin removes it.
    assert not services.remove_conflict(
        db, actor=pool.tied_user, expert=tied, conflict_id=conflict.id
    )
    assert services.conflicts_of(db, tied) == [conflict] and conflict.withdrawal_pending
    assert services.remove_conflict(db, actor=pool.admin, expert=tied, conflict_id=conflict.id)
    assert services.conflicts_of(db, tied) == []
    assert _actions(db, "expert.conflict.remove")[-1].before["org_name"] == "示例市教育局"


# --- assignments ------------------------------------------------------------------------------


def test_assign_makes_an_expert_member(db, pool):
    e = pool.engagement
    a = services.assign(db, actor=pool.lead, engagement=e, expert_id=pool.clean.id, duty="方案评审")
    member = db.get(Member, a.member_id)
    assert (member.user_id, member.role, member.duty) == (pool.clean_user.id, "expert", "方案评审")
    assert a.active and a.override_reason == "" and a.conflicts == ""
    assert [x.action for x in _actions(db, "expert.assign")][-1] == "expert.assign"
    with pytest.raises(Conflict, match="已指派到本项目"):
        services.assign(db, actor=pool.lead, engagement=e, expert_id=pool.clean.id)


def test_conflict_refuses_assignment_unless_an_admin_overrides(db, pool):
    e = pool.engagement
    members, assignments = len(e.members), _count(db, ExpertAssignment)
    with pytest.raises(Conflict) as error:
        services.assign(db, actor=pool.lead, engagement=e, expert_id=pool.tied.id)
    assert error.value.details == [
        "孙专家 申报与“示例市教育局”存在关联（配偶任职），该单位是本项目的被评价单位"
    ]
    with pytest.raises(NotAllowed, match="只有机构管理员可以豁免"):
        services.assign(
            db, actor=pool.lead, engagement=e, expert_id=pool.tied.id, override_reason="唯一人选"
        )
    with pytest.raises(Conflict):  # an admin must give a reason too
        services.assign(db, actor=pool.admin, engagement=e, expert_id=pool.tied.id)
    db.refresh(e)
    assert (len(e.members), _count(db, ExpertAssignment)) == (members, assignments)
    a = services.assign(
        db,
        actor=pool.admin,
        engagement=e,
        expert_id=pool.tied.id,
        override_reason="该领域唯一专家，已回避被评价单位相关事项",
    )
    assert a.override_by_id == pool.admin.id and "配偶任职" in a.conflicts
    override = _actions(db, "expert.conflict_override")[-1]
    assert override.actor_id == pool.admin.id and override.engagement_id == e.id
    assert override.after["reason"] == "该领域唯一专家，已回避被评价单位相关事项"
    assert override.after["conflicts"] == error.value.details


def test_employer_conflict_and_other_refusals(db, demo, pool, make_user):
    e, admin = pool.engagement, pool.admin
    no_account = services.search(db, user=admin, q="郑高工")[0][0]
    with pytest.raises(ValidationFailed, match="尚未关联系统账号"):
        services.assign(db, actor=pool.lead, engagement=e, expert_id=no_account.id)
    outsider = make_user("expert", username="expert-free")  # the operator's, no agency's
    with pytest.raises(ValidationFailed, match="专家信息有误"):
        services.update_expert(
            db,
            actor=admin,
            expert=no_account,
            data=services.ExpertInput(name="郑高工", user_id=outsider.id),
            version=no_account.version,
        )
    user = make_user(
        "expert", username="expert-zheng", managed_by=db.get(Organisation, e.agency_id)
    )
    services.update_expert(
        db,
        actor=admin,
        expert=no_account,
        data=services.ExpertInput(
            name="郑高工", organisation="示例市教育局", field_tags="教育", user_id=user.id
        ),
        version=no_account.version,
    )
    with pytest.raises(Conflict) as error:
        services.assign(db, actor=pool.lead, engagement=e, expert_id=no_account.id)
    assert error.value.details == ["郑高工 的工作单位“示例市教育局”是本项目的被评价单位"]
    with pytest.raises(ValidationFailed, match="专家无效"):
        services.assign(db, actor=pool.lead, engagement=e, expert_id=0)
    with pytest.raises(NotAllowed):
        services.assign(
            db, actor=demo.users["demo-evaluator"], engagement=e, expert_id=pool.clean.id
        )
    staff = services.create_expert(
        db,
        actor=admin,
        data=services.ExpertInput(name="内部专家", user_id=demo.users["demo-evaluator"].id),
    )
    with pytest.raises(Conflict, match="已以“评价人员”身份参与本项目"):
        services.assign(db, actor=pool.lead, engagement=demo.engagement, expert_id=staff.id)


def test_end_assignment_keeps_history_and_fees(db, pool):
    e, lead = pool.engagement, pool.lead
    a = services.assign(db, actor=lead, engagement=e, expert_id=pool.clean.id)
    fee = services.add_fee(
        db,
        actor=lead,
        engagement=e,
        assignment_id=a.id,
        item="方案评审费",
        amount=D("1200.00"),
        fee_date=date(2026, 4, 1),
    )
    with pytest.raises(ValidationFailed, match="结束原因"):
        services.end_assignment(db, actor=lead, engagement=e, assignment_id=a.id, reason="")
    services.end_assignment(db, actor=lead, engagement=e, assignment_id=a.id, reason="评审结束")
    db.refresh(e)
    assert pool.clean_user.id not in {m.user_id for m in e.members}
    assert not a.active and a.end_reason == "评审结束"
    with pytest.raises(Conflict, match="已结束"):
        services.end_assignment(db, actor=lead, engagement=e, assignment_id=a.id, reason="x")
    rows = services.history(db, pool.clean)
    assert [(r.engagement.id, r.fee_total) for r in rows] == [(e.id, D("1200.00"))]
    assert rows[0].fees == [fee]
    # Re-assigning later starts a new assignment.
    again = services.assign(db, actor=lead, engagement=e, expert_id=pool.clean.id)
    assert again.id != a.id and len(services.for_engagement(db, e)) == 2


def test_fees_validate_and_sum(db, demo, pool):
    e, lead = pool.engagement, pool.lead
    a = services.assign(db, actor=lead, engagement=e, expert_id=pool.clean.id)

    def add(amount, item="评分劳务费", fee_date=date(2026, 5, 1)):
        return services.add_fee(
            db,
            actor=lead,
            engagement=e,
            assignment_id=a.id,
            item=item,
            amount=amount,
            fee_date=fee_date,
        )

    add(D("800.00"))
    add(D("0.10"))
    add(D("0.20"))
    for amount, item, fee_date, message in [
        (D("0"), "x", date(2026, 5, 1), "金额须大于 0"),
        (None, "x", date(2026, 5, 1), "金额须大于 0"),
        (D("1.005"), "x", date(2026, 5, 1), "金额最多保留两位小数，且须小于十亿元"),
        (D("1"), " ", date(2026, 5, 1), "请填写费用项目"),
        (D("1"), "x", None, "请填写日期"),
    ]:
        with pytest.raises(ValidationFailed) as error:
            add(amount, item, fee_date)
        assert message in [d["message"] for d in error.value.details]
    assert _count(db, ExpertFee, assignment_id=a.id) == 3
    row = services.for_engagement(db, e)[0]
    assert row.fee_total == D("800.30")  # exact Decimal sum, never 800.3000000001
    with pytest.raises(NotFound):
        services.add_fee(
            db,
            actor=lead,
            engagement=demo.engagement,
            assignment_id=a.id,
            item="x",
            amount=D(1),
            fee_date=date(2026, 5, 1),
        )
    services.delete_fee(db, actor=lead, engagement=e, fee_id=row.fees[0].id)
    assert services.for_engagement(db, e)[0].fee_total == D("0.30")
    assert _actions(db, "expert.fee.delete")[-1].before["amount"] == "800.00"
    with pytest.raises(NotFound):
        services.delete_fee(db, actor=lead, engagement=e, fee_id=row.fees[0].id)


def test_demo_expert_profile_assignment_and_fee(db, demo):
    expert = services.expert_for_user(db, demo.users["demo-expert"])
    assert expert is not None and expert.name == "陈专家" and "绩效评价" in expert.tags
    rows = services.for_engagement(db, demo.engagement)
    # Five score 绩效指标明确性: demo-expert and four with accounts; 郑高工 (the unit's) is not.
    assert [row.expert.name for row in rows] == ["陈专家", "吴研究员", "钱高会", "孙教授", "周主任"]
    assert rows[0].expert.id == expert.id
    member = db.get(Member, rows[0].assignment.member_id)
    assert (member.user_id, member.role) == (demo.users["demo-expert"].id, "expert")
    assert rows[0].fee_total == D("1500.00")
    assert [c.org_name for c in services.conflicts_of(db, expert)] == ["示例县教育局"]
