"""Engagement pages over HTTP: dashboard, create, edit, flowchart, team, declarations, audit."""

import re
from decimal import Decimal

from sqlmodel import select

from workbench.engagements.models import Engagement


def test_dashboard_lists_only_visible_engagements(login, demo):
    text = login("demo-lead").get("/").get_data(as_text=True)
    assert demo.engagement.title in text and "李项目" in text and "示例市财政局" in text
    assert demo.engagement.title in login("demo-bureau").get("/").get_data(as_text=True)
    assert demo.engagement.title not in login("demo-bureau2").get("/").get_data(as_text=True)


def test_dashboard_search_and_stage_filter(login, demo):
    c = login("demo-lead")
    assert demo.engagement.title in c.get("/?q=营养").get_data(as_text=True)
    assert "暂无项目" in c.get("/?q=不存在的项目").get_data(as_text=True)
    assert "暂无项目" in c.get("/?stage=archive").get_data(as_text=True)


def _add_engagements(db, demo, titles: list[str]) -> None:
    """Engagements led by demo-lead for the demo's bureau, one per title."""
    from workbench.engagements import services

    for title in titles:
        services.create(
            db,
            actor=demo.users["demo-lead"],
            data=services.EngagementInput(
                title=title, type="project", bureau_id=demo.engagement.bureau_id, budget_year=2025
            ),
        )
    db.flush()


def test_dashboard_query_count_is_bounded(login, demo, db, make_user, count_queries):
    """The same number of queries for 1 or 16 engagements on the page (no N+1), and few of them."""
    c = login("demo-lead")
    with count_queries() as few:
        assert c.get("/").status_code == 200
    _add_engagements(db, demo, [f"批量项目{i}" for i in range(15)])
    with count_queries() as many:
        assert c.get("/").status_code == 200
    assert many.count == few.count, many.statements
    assert many.count <= 9, many.statements


def test_dashboard_total_on_every_page(login, demo, db):
    """The pager's total is the same on the first page, a later one and one past the end."""
    from workbench.engagements import services

    lead = demo.users["demo-lead"]
    _add_engagements(db, demo, [f"分页项目{i:02d}" for i in range(21)])
    total = len(db.exec(services.visible_query(lead)).all())
    assert total > 20
    c = login("demo-lead")
    first, second = c.get("/").get_data(as_text=True), c.get("/?page=2").get_data(as_text=True)
    past = c.get("/?page=99").get_data(as_text=True)
    for text in (first, second, past):
        assert f"共 {total} 条" in text
    assert "暂无项目" in past and "暂无项目" not in second
    assert first.count("分页项目") + second.count("分页项目") == 21
    searched = c.get("/?q=分页项目2&page=1").get_data(as_text=True)
    assert "共 1 条" in searched and "分页项目20" in searched
    assert "共 0 条" in c.get("/?q=不存在的项目").get_data(as_text=True)


def test_create_engagement_through_the_form(login, demo, db):
    c = login("demo-lead")
    bureau = demo.orgs["示例市财政局"]
    r = c.post(
        "/engagements/new",
        data={"title": "", "type": "project", "bureau_id": 0, "unit_id": 0, "budget_year": 2025},
    )
    assert "请输入项目名称" in r.get_data(as_text=True)
    r = c.post(
        "/engagements/new",
        data={
            "title": "2025年度农田水利项目绩效评价",
            "type": "project",
            "bureau_id": bureau.id,
            "unit_id": 0,
            "budget_year": 2025,
            "budget_amount": "3百万",
        },
    )
    errors = re.findall(r"invalid-feedback[^>]*>([^<]*)<", r.get_data(as_text=True))
    assert r.status_code == 200 and errors == ["“3百万”不是有效的数字"]  # not also "金额不能为负"
    r = c.post(
        "/engagements/new",
        data={
            "title": "2025年度农田水利项目绩效评价",
            "type": "project",
            "bureau_id": bureau.id,
            "unit_id": 0,
            "budget_year": 2025,
            "budget_amount": "3,000,000",  # as people write amounts
        },
    )
    assert r.status_code == 302
    created = db.exec(
        select(Engagement).where(Engagement.title == "2025年度农田水利项目绩效评价")
    ).one()
    assert created.budget_amount == Decimal("3000000.00")
    assert r.headers["Location"].endswith(f"/engagements/{created.id}")


def test_create_requires_a_bureau(login, demo, db):
    r = login("demo-lead").post(
        "/engagements/new",
        data={
            "title": "无委托方",
            "type": "project",
            "bureau_id": 0,
            "unit_id": 0,
            "budget_year": 2025,
        },
    )
    assert "请选择委托方" in r.get_data(as_text=True)
    assert db.exec(select(Engagement).where(Engagement.title == "无委托方")).first() is None


def test_edit_with_stale_version_is_a_conflict(login, demo, db):
    c = login("demo-lead")
    e = demo.engagement
    form = {
        "title": "新名称",
        "type": "project",
        "bureau_id": e.bureau_id,
        "unit_id": e.unit_id,
        "budget_year": 2025,
        "version": e.version,
    }
    assert c.post(f"/engagements/{e.id}/edit", data=form).status_code == 302
    r = c.post(
        f"/engagements/{e.id}/edit", data={**form, "title": "另一个名称"}, follow_redirects=True
    )
    assert "已被他人修改" in r.get_data(as_text=True)
    db.expire_all()
    assert db.get(Engagement, e.id).title == "新名称"


def test_flowchart_shows_stages_current_and_blockers(login, demo):
    text = login("demo-lead").get(f"/engagements/{demo.engagement.id}").get_data(as_text=True)
    assert text.count('class="flow-step') == 10
    assert 'data-stage="fieldwork" data-status="current"' in text
    assert 'data-stage="survey" data-status="todo" data-blockers="0"' in text  # neutral
    assert 'data-stage="fieldwork" data-status="current" data-blockers="0"' not in text
    assert "项待完成" in text and "受阻" not in text
    assert "进入下一阶段前还需完成" in text


def test_bureau_sees_progress_but_not_internal_blockers(login, demo):
    text = login("demo-bureau").get(f"/engagements/{demo.engagement.id}").get_data(as_text=True)
    assert 'data-stage="fieldwork" data-status="current"' in text
    assert "进入下一阶段前还需完成" not in text and "工作组与声明" not in text


def test_advance_refused_shows_blockers_then_confirm_and_advance(login, demo, db):
    c = login("demo-lead")
    e = demo.engagement
    r = c.post(f"/engagements/{e.id}/advance", follow_redirects=True)
    assert "尚未完成，不能进入下一阶段" in r.get_data(as_text=True)
    from tests.fieldwork.helpers import complete_fieldwork

    complete_fieldwork(db, e, demo.users)
    db.flush()
    r = c.post(f"/engagements/{e.id}/advance", follow_redirects=True)
    assert "已进入" in r.get_data(as_text=True)
    db.expire_all()
    assert db.get(Engagement, e.id).stage == "survey"


def test_move_back_needs_a_reason(login, demo, db):
    c = login("demo-lead")
    e = demo.engagement
    r = c.post(
        f"/engagements/{e.id}/back", data={"target": "plan", "reason": ""}, follow_redirects=True
    )
    assert "退回须选择阶段并说明原因" in r.get_data(as_text=True)
    c.post(f"/engagements/{e.id}/back", data={"target": "plan", "reason": "方案需补充抽样设计"})
    db.expire_all()
    assert db.get(Engagement, e.id).stage == "plan"
    assert "方案需补充抽样设计" in c.get(f"/engagements/{e.id}/audit").get_data(as_text=True)


def test_team_page_add_member_and_sign(login, demo, make_user, db):
    c = login("demo-lead")
    e = demo.engagement
    agency = demo.orgs["示例绩效评价咨询有限公司"]
    newcomer = make_user("agency", org=agency, username="newcomer")
    db.flush()
    assert "newcomer" in c.get(f"/engagements/{e.id}/team").get_data(as_text=True)
    c.post(
        f"/engagements/{e.id}/team/add",
        data={"user_id": newcomer.id, "role": "evaluator", "duty": "问卷"},
    )
    n = login("newcomer")
    text = n.get(f"/engagements/{e.id}").get_data(as_text=True)
    assert "您需要先签署声明" in text
    r = n.post(
        f"/engagements/{e.id}/declarations", data={"kind": "independence"}, follow_redirects=True
    )
    assert "请勾选承诺" in r.get_data(as_text=True)
    for kind in ("independence", "confidentiality"):
        n.post(f"/engagements/{e.id}/declarations", data={"kind": kind, "agree": "y"})
    assert "您需要先签署声明" not in n.get(f"/engagements/{e.id}").get_data(as_text=True)


def test_declaration_with_conflict_and_admin_override(login, demo, make_user, db):
    e = demo.engagement
    agency = demo.orgs["示例绩效评价咨询有限公司"]
    member = make_user("agency", org=agency, username="conflicted")
    db.flush()
    login("demo-lead").post(
        f"/engagements/{e.id}/team/add", data={"user_id": member.id, "role": "reviewer"}
    )
    c = login("conflicted")
    c.post(
        f"/engagements/{e.id}/declarations",
        data={
            "kind": "independence",
            "agree": "y",
            "has_conflict": "y",
            "conflict_detail": "曾在被评价单位任职",
        },
    )
    team = login("demo-admin").get(f"/engagements/{e.id}/team").get_data(as_text=True)
    assert "申报冲突" in team and "曾在被评价单位任职" in team
    declaration_id = re.search(r"/declarations/(\d+)/override", team).group(1)
    admin = login("demo-admin")
    r = admin.post(
        f"/engagements/{e.id}/declarations/{declaration_id}/override",
        data={"reason": "已离职五年"},
        follow_redirects=True,
    )
    assert "已豁免" in r.get_data(as_text=True)


def test_audit_page_filters(login, demo):
    c = login("demo-lead")
    text = c.get(f"/engagements/{demo.engagement.id}/audit?action=stage").get_data(as_text=True)
    assert 'data-action="stage.advance"' in text and 'data-action="member.add"' not in text
    assert "推进阶段" in text  # the action in Chinese, not its code
    page = login("demo-admin").get("/admin/audit?action=user.create").get_data(as_text=True)
    assert 'data-action="user.create"' in page and "新建用户" in page


def test_archived_engagement_is_read_only_in_pages(login, demo, db, app):
    from workbench.engagements.archive_hooks import archive

    with app.app_context():
        archive(db, actor=demo.users["demo-lead"], engagement=demo.engagement)
    db.flush()
    c = login("demo-lead")
    text = c.get(f"/engagements/{demo.engagement.id}").get_data(as_text=True)
    assert "已归档" in text and 'id="advance"' not in text
    r = c.post(
        f"/engagements/{demo.engagement.id}/back",
        data={"target": "plan", "reason": "x"},
        follow_redirects=True,
    )
    assert "项目已归档，内容只读" in r.get_data(as_text=True)


def test_flowchart_query_count_is_bounded(login, demo, count_queries):
    """The flowchart reads each kind of thing once: a handful of queries whatever the stage."""
    c = login("demo-lead")
    with count_queries() as counter:
        page = c.get(f"/engagements/{demo.engagement.id}")
    assert page.status_code == 200 and 'id="flow"' in page.get_data(as_text=True)
    # 10, and one for the notices of other domains (the offline check-outs out on laptops).
    assert counter.count <= 11, counter.statements
    # Names are read for the bureau and the unit the page shows, not for the whole team.
    assert sum('FROM "user"' in s for s in counter.statements) <= 2, counter.statements


def test_team_page_says_where_an_expert_counts(login, demo):
    page = login("demo-lead").get(f"/engagements/{demo.engagement.id}/team").get_data(as_text=True)
    note = page.split('id="expert-role-note"')[1].split("</p>")[0]
    assert "同一条记录" in note and "计入专家名单" in note
    assert f'href="/engagements/{demo.engagement.id}/experts"' in note
