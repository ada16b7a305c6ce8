"""The indicator system pages over HTTP: tree, forms, locking, reordering, confirmation, tabs."""

from tests.indicators.helpers import (
    audits,
    by_name,
    indicators_of,
    new_engagement,
    small_tree,
    xlsx,
)
from workbench.indicators import services, transfer
from workbench.indicators.system import get_system

FORM = {
    "level1": "产出",
    "level2": "产出数量",
    "name": "覆盖学校数",
    "weight": "5",
    "rule": "ratio",
    "params": "",
    "target": "≥126所",
    "definition": "实际覆盖学校数",
    "points": "",
    "standard": "",
    "standard_type": "计划标准",
    "evidence_sources": "学校名单",
    "note": "",
    "na_reason": "",
}


def test_demo_tree_page_shows_the_confirmed_sample(login, demo):
    page = login("demo-lead").get(f"/engagements/{demo.engagement.id}/indicators")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "已由项目负责人确认" in text and "李项目" in text
    assert text.count('class="leaf') == 24
    assert "带动本地农产品采购" in text and "本项目采购由省级统一配送，不适用" in text
    assert "分值合计 <strong>100.00</strong>" in text
    assert 'id="indicator-valid"' in text
    assert "撤销确认" in text  # the lead may withdraw


def test_tabs_show_the_pages_to_the_roles_that_use_them(login, demo):
    e = demo.engagement
    lead = login("demo-lead").get(f"/engagements/{e.id}").get_data(as_text=True)
    assert "指标体系" in lead and "综合评分" in lead and "专家评分" not in lead
    expert = login("demo-expert").get(f"/engagements/{e.id}").get_data(as_text=True)
    assert "专家评分" in expert and f'/engagements/{e.id}/scoring"' not in expert
    bureau = login("demo-bureau").get(f"/engagements/{e.id}").get_data(as_text=True)
    assert f"/engagements/{e.id}/indicators" not in bureau


def test_create_through_the_form_with_field_errors_first(login, db, demo, tree_engagement):
    c = login("demo-evaluator")
    url = f"/engagements/{tree_engagement.id}/indicators/new"
    assert "在此组新增" not in c.get(url).get_data(as_text=True)
    r = c.post(url, data={**FORM, "weight": "五分"})
    assert "“五分”不是有效的数字" in r.get_data(as_text=True)
    r = c.post(url, data={**FORM, "rule": "linear", "params": "per=1%"})
    assert "线性扣减须填写参数 deduct" in r.get_data(as_text=True)
    r = c.post(url, data={**FORM, "not_applicable": "y"})
    assert "标为不适用时须写明理由" in r.get_data(as_text=True)
    assert len(indicators_of(db, tree_engagement)) == 3
    r = c.post(url, data=FORM)
    assert r.status_code == 302
    created = by_name(db, tree_engagement)["覆盖学校数"]
    assert r.headers["Location"].endswith(f"#indicator-{created.id}")
    assert created.target == "≥126所" and created.evidence_sources == "学校名单"


def test_edit_with_a_stale_version_shows_the_conflict(login, db, demo, tree_engagement):
    c = login("demo-lead")
    leaf = indicators_of(db, tree_engagement)[0]
    url = f"/engagements/{tree_engagement.id}/indicators/{leaf.id}/edit"
    page = c.get(url).get_data(as_text=True)
    assert f'name="version" type="hidden" value="{leaf.version}"' in page
    form = {**FORM, "level1": leaf.level1, "level2": leaf.level2, "name": leaf.name, "weight": "40"}
    assert c.post(url, data={**form, "note": "第一次", "version": leaf.version}).status_code == 302
    r = c.post(url, data={**form, "note": "第二次", "version": leaf.version}, follow_redirects=True)
    assert "已被他人修改，请刷新后重试" in r.get_data(as_text=True)
    assert indicators_of(db, tree_engagement)[0].note == "第一次"


def test_mark_not_applicable_with_a_reason(login, db, demo, tree_engagement):
    c = login("demo-lead")
    leaf = indicators_of(db, tree_engagement)[1]
    form = {
        **FORM,
        "level1": leaf.level1,
        "level2": leaf.level2,
        "name": leaf.name,
        "weight": "30",
        "target": "100%",
        "not_applicable": "y",
        "na_reason": "本年度未开展抽检",
        "version": leaf.version,
    }
    r = c.post(f"/engagements/{tree_engagement.id}/indicators/{leaf.id}/edit", data=form)
    assert r.status_code == 302
    leaf = by_name(db, tree_engagement)[leaf.name]
    assert leaf.not_applicable and leaf.na_reason == "本年度未开展抽检"
    entry = audits(db, "indicators.update", tree_engagement)[-1]
    assert entry.before["not_applicable"] is False and entry.after["not_applicable"] is True


def test_delete_and_move_through_the_page(login, db, demo, tree_engagement):
    c = login("demo-lead")
    first, second, _third = indicators_of(db, tree_engagement)
    r = c.post(f"/engagements/{tree_engagement.id}/indicators/{first.id}/delete", data={})
    assert (
        r.status_code == 302 and len(indicators_of(db, tree_engagement)) == 3
    )  # no version: refused
    r = c.post(
        f"/engagements/{tree_engagement.id}/indicators/{first.id}/delete",
        data={"version": first.version},
    )
    assert r.status_code == 302
    assert [i.name for i in indicators_of(db, tree_engagement)] == ["合格率", "满意度"]
    page = c.get(f"/engagements/{tree_engagement.id}/indicators").get_data(as_text=True)
    assert "三级指标分值合计为60，应为100" in page
    assert 'id="confirm-system" disabled' in page
    r = c.post(
        f"/engagements/{tree_engagement.id}/indicators/{second.id}/move",
        data={"direction": "up"},
        follow_redirects=True,
    )
    assert "已在本组的最前或最后" in r.get_data(as_text=True)


def test_confirm_then_evaluator_is_refused_and_lead_edit_clears(login, db, demo, tree_engagement):
    lead, evaluator = login("demo-lead"), login("demo-evaluator")
    r = lead.post(f"/engagements/{tree_engagement.id}/indicators/confirm", follow_redirects=True)
    assert "指标体系已确认" in r.get_data(as_text=True)
    page = evaluator.get(f"/engagements/{tree_engagement.id}/indicators").get_data(as_text=True)
    assert "指标体系已确认，只有项目负责人可以导入" in page and 'id="add-indicator"' not in page
    r = evaluator.post(
        f"/engagements/{tree_engagement.id}/indicators/new", data=FORM, follow_redirects=True
    )
    assert "确认后只有项目负责人可以修改" in r.get_data(as_text=True)
    assert (
        evaluator.post(f"/engagements/{tree_engagement.id}/indicators/confirm").status_code == 403
    )  # the lead's action
    # The lead's edit says it clears the confirmation and asks first (issue 15).
    form_page = lead.get(f"/engagements/{tree_engagement.id}/indicators/new").get_data(as_text=True)
    assert "新增指标将清除李项目（项目负责人）对指标体系的确认" in form_page
    count = len(services.list_indicators(db, tree_engagement))
    refused = lead.post(f"/engagements/{tree_engagement.id}/indicators/new", data=FORM)
    assert refused.status_code == 409
    assert "将清除李项目（项目负责人）对指标体系的确认" in refused.get_data(as_text=True)
    assert len(services.list_indicators(db, tree_engagement)) == count
    assert get_system(db, tree_engagement).confirmed_at is not None
    done = lead.post(
        f"/engagements/{tree_engagement.id}/indicators/new",
        data={**FORM, "confirm_clear_signoffs": "y"},
    )
    assert done.status_code == 302
    assert get_system(db, tree_engagement).confirmed_at is None
    assert audits(db, "indicators.confirmation_cleared", tree_engagement)[-1].actor_name == "李项目"


def test_grades_form(login, db, demo, tree_engagement):
    c = login("demo-lead")
    r = c.post(
        f"/engagements/{tree_engagement.id}/indicators/grades",
        data={"grades": "优秀 90\n良好 80\n中等 70\n合格 60\n差 0"},
        follow_redirects=True,
    )
    assert "等级表已保存" in r.get_data(as_text=True)
    assert get_system(db, tree_engagement).grades[2] == ["中等", "70"]
    r = c.post(
        f"/engagements/{tree_engagement.id}/indicators/grades",
        data={"grades": "优 90"},
        follow_redirects=True,
    )
    assert "下限为0" in r.get_data(as_text=True)
    assert get_system(db, tree_engagement).grades[2] == ["中等", "70"]


def test_tree_page_query_count_is_bounded(login, db, demo, count_queries):
    lead = demo.users["demo-lead"]
    small = new_engagement(db, demo, title="小项目")
    big = new_engagement(db, demo, title="大项目")
    transfer.import_sheet(
        db, actor=lead, engagement=small, filename="s.xlsx", data=xlsx(small_tree())
    )
    rows = [
        [f"一级{n % 4}", f"二级{n % 12}", f"指标{n}", 1, "ratio", "", "100%", "95%", None]
        for n in range(100)
    ]
    transfer.import_sheet(db, actor=lead, engagement=big, filename="b.xlsx", data=xlsx(rows))
    services.confirm(db, actor=lead, engagement=big)  # naming the confirmer costs no query
    db.flush()
    c = login("demo-lead")
    counts = []
    for engagement in (small, big):
        with count_queries() as counter:
            page = c.get(f"/engagements/{engagement.id}/indicators")
        assert page.status_code == 200
        assert ("已由项目负责人确认：李项目" in page.get_data(as_text=True)) == (engagement is big)
        counts.append(counter.count)
    assert counts[1] == counts[0], counts
    # The user, the engagement, the system with whoever confirmed it, the leaves.
    assert counts[1] <= 4, counts
    assert len(services.list_indicators(db, big)) == 100
