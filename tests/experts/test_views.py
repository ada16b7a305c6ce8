"""Expert pages over HTTP: pool, profile, conflict declarations, the engagement's 专家 tab."""

from datetime import date
from decimal import Decimal

from sqlmodel import select

from workbench.experts import services
from workbench.experts.models import Expert, ExpertAssignment

D = Decimal


def test_pool_lists_and_searches(login, demo, pool):
    c = login("demo-evaluator")
    html = c.get("/experts").get_data(as_text=True)
    assert "陈专家" in html and "钱专家" in html and "吴研究员" in html and "新增专家" not in html
    html = c.get("/experts?q=会计").get_data(as_text=True)
    assert "孙专家" in html and "钱专家" not in html
    html = c.get("/experts?tag=统计").get_data(as_text=True)
    assert "钱专家" in html and "陈专家" not in html
    assert "没有符合条件的专家" in c.get("/experts?q=不存在").get_data(as_text=True)
    assert "新增专家" in login("demo-admin").get("/experts").get_data(as_text=True)
    for username in ("demo-bureau", "demo-unit", "demo-expert"):
        assert login(username).get("/experts").status_code == 403


def test_pool_query_count_is_bounded(login, db, demo, count_queries):
    for i in range(25):
        services.create_expert(
            db,
            actor=demo.users["demo-admin"],
            data=services.ExpertInput(name=f"批量专家{i:02d}", field_tags=f"领域{i % 5}"),
        )
    db.flush()
    c = login("demo-lead")
    with count_queries() as counter:
        assert c.get("/experts").status_code == 200
    assert counter.count <= 8, counter.statements


def test_create_and_edit_through_forms(login, db, demo, make_user):
    c = login("demo-admin")
    html = c.post("/experts/new", data={"name": "", "user_id": 0}).get_data(as_text=True)
    assert "请填写专家姓名" in html
    account = make_user(
        "expert", username="expert-wei", managed_by=demo.orgs["示例绩效评价咨询有限公司"]
    )
    r = c.post(
        "/experts/new",
        data={
            "name": "卫教授",
            "title": "教授",
            "field_tags": "卫生、医疗保障",
            "organisation": "示例医科大学",
            "user_id": account.id,
            "active": "y",
        },
    )
    assert r.status_code == 302
    expert = db.exec(select(Expert).where(Expert.name == "卫教授")).one()
    assert expert.tags == ["卫生", "医疗保障"] and expert.user_id == account.id
    html = c.get(f"/experts/{expert.id}/edit").get_data(as_text=True)
    assert 'value="卫生、医疗保障"' in html
    r = c.post(
        f"/experts/{expert.id}/edit",
        data={"name": "卫教授", "title": "主任医师", "user_id": 0, "version": expert.version},
    )
    assert r.status_code == 302
    db.expire_all()
    expert = db.get(Expert, expert.id)
    assert (expert.title, expert.user_id, expert.active) == ("主任医师", None, False)
    assert login("demo-lead").get(f"/experts/{expert.id}/edit").status_code == 403


def test_profile_for_staff_and_the_expert_themself(login, db, demo, pool):
    expert = services.expert_for_user(db, demo.users["demo-expert"])
    admin_html = login("demo-admin").get(f"/experts/{expert.id}").get_data(as_text=True)
    assert demo.engagement.title in admin_html and "1,500.00" in admin_html
    assert "示例县教育局" in admin_html and 'id="conflict-form"' in admin_html
    lead_html = login("demo-lead").get(f"/experts/{expert.id}").get_data(as_text=True)
    assert demo.engagement.title in lead_html and "1,500.00" not in lead_html
    assert 'id="conflict-form"' not in lead_html
    self_html = login("demo-expert").get(f"/experts/{expert.id}").get_data(as_text=True)
    assert "1,500.00" in self_html and 'id="conflict-form"' in self_html
    assert login("demo-expert").get(f"/experts/{pool.clean.id}").status_code == 404
    assert login("demo-bureau").get(f"/experts/{expert.id}").status_code == 404


def test_my_profile_link_for_experts(login, db, demo, make_user):
    expert = services.expert_for_user(db, demo.users["demo-expert"])
    c = login("demo-expert")
    assert 'href="/experts/me"' in c.get("/").get_data(as_text=True)
    assert c.get("/experts/me").headers["Location"].endswith(f"/experts/{expert.id}")
    make_user("expert", username="expert-new")
    html = login("expert-new").get("/experts/me").get_data(as_text=True)
    assert "尚未建立专家档案" in html
    assert 'href="/experts/me"' not in login("demo-lead").get("/").get_data(as_text=True)
    assert login("demo-lead").get("/experts/me").status_code == 403


def test_expert_declares_a_tie_on_their_profile(login, db, demo):
    expert = services.expert_for_user(db, demo.users["demo-expert"])
    c = login("demo-expert")
    r = c.post(f"/experts/{expert.id}/conflicts", data={"org_name": "", "relation": ""})
    assert "请填写关联单位名称" in c.get(r.headers["Location"]).get_data(as_text=True)
    c.post(
        f"/experts/{expert.id}/conflicts", data={"org_name": "示例市财政局", "relation": "曾任职"}
    )
    db.expire_all()
    names = [x.org_name for x in services.conflicts_of(db, expert)]
    assert names == ["示例县教育局", "示例市财政局"]
    assert (
        login("demo-lead")
        .post(f"/experts/{expert.id}/conflicts", data={"org_name": "X"})
        .status_code
        == 403
    )


def test_engagement_tab_assign_refuse_override_fee_end(login, db, demo, pool):
    e = pool.engagement
    url = f"/engagements/{e.id}/experts"
    lead = login("demo-lead")
    html = lead.get(url).get_data(as_text=True)
    assert "孙专家" in html and "存在利益冲突" in html and 'id="assign-form"' in html
    assert 'name="override_reason"' not in html  # only admins see the override field
    r = lead.post(url, data={"expert_id": pool.tied.id, "duty": "评分"}, follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "该专家与本项目存在利益冲突，不能指派" in text and "配偶任职" in text
    assert (
        db.exec(select(ExpertAssignment).where(ExpertAssignment.engagement_id == e.id)).all() == []
    )
    admin = login("demo-admin")
    assert 'name="override_reason"' in admin.get(url).get_data(as_text=True)
    r = admin.post(
        url,
        data={"expert_id": pool.tied.id, "duty": "评分", "override_reason": "领域内唯一人选"},
        follow_redirects=True,
    )
    assert "利益冲突已由管理员豁免" in r.get_data(as_text=True)
    lead.post(url, data={"expert_id": pool.clean.id, "duty": "方案评审"})
    db.expire_all()
    rows = {r.expert.name: r for r in services.for_engagement(db, e)}
    assert set(rows) == {"孙专家", "钱专家"}
    a = rows["钱专家"].assignment
    r = lead.post(
        f"{url}/{a.id}/fees",
        data={"item": "方案评审费", "amount": "1,200.50", "fee_date": "2026-04-02"},
    )
    assert r.status_code == 302
    r = lead.post(
        f"{url}/{a.id}/fees",
        data={"item": "评分费", "amount": "-5", "fee_date": "2026-04-02"},
        follow_redirects=True,
    )
    assert "金额须大于 0" in r.get_data(as_text=True)
    html = lead.get(url).get_data(as_text=True)
    assert "1,200.50" in html and "领域内唯一人选" in html
    r = lead.post(f"{url}/{a.id}/end", data={"reason": ""}, follow_redirects=True)
    assert "请填写结束原因" in r.get_data(as_text=True)
    lead.post(f"{url}/{a.id}/end", data={"reason": "评审完成"})
    db.expire_all()
    ended = services.for_engagement(db, e)
    assert [r.assignment.active for r in ended if r.expert.name == "钱专家"] == [False]
    fee = next(r for r in ended if r.expert.name == "钱专家").fees[0]
    assert fee.amount == D("1200.50") and fee.fee_date == date(2026, 4, 2)
    lead.post(f"/engagements/{e.id}/expert-fees/{fee.id}/delete")
    db.expire_all()
    assert next(r for r in services.for_engagement(db, e) if r.expert.name == "钱专家").fees == []


def test_tab_visibility(login, demo):
    url = f"/engagements/{demo.engagement.id}/experts"
    html = login("demo-reviewer").get(url).get_data(as_text=True)
    assert "陈专家" in html and "1,500.00" in html and 'id="assign-form"' not in html
    assert login("demo-expert").get(url).status_code == 403
    assert login("demo-bureau").get(url).status_code == 403
    assert login("demo-bureau2").get(url).status_code == 404
    tabs = login("demo-lead").get(f"/engagements/{demo.engagement.id}").get_data(as_text=True)
    assert f'href="{url}"' in tabs
