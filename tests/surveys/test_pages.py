"""Survey list and survey page: templates, copy, settings, state, sample plan, links, QR, poster."""

from sqlmodel import select

from tests.surveys.helpers import make_survey
from workbench.core.audit import AuditEntry
from workbench.core.timeutil import utcnow
from workbench.engagements import services as engagements
from workbench.engagements.models import DeclarationKind
from workbench.indicators.models import Indicator
from workbench.surveys.design import surveys as service
from workbench.surveys.design.catalog import templates
from workbench.surveys.models import Survey


def index_url(demo) -> str:
    return f"/engagements/{demo.engagement.id}/surveys"


def the_demo_survey(db) -> Survey:
    return db.exec(select(Survey).where(Survey.title == "学生家长满意度调查")).one()


def test_tab_and_list_with_bounded_queries(login, db, demo, count_queries):
    c = login("demo-lead")
    flow = c.get(f"/engagements/{demo.engagement.id}").get_data(as_text=True)
    assert f'href="{index_url(demo)}">满意度调查</a>' in flow
    for i in range(5):
        make_survey(db, demo, title=f"问卷{i}")
    with count_queries() as counter:
        html = c.get(index_url(demo)).get_data(as_text=True)
    assert counter.count <= 20, counter.statements
    assert html.count("/surveys/") >= 6 and "data-survey-count" in html
    assert "家长满意度" in html and "问卷“学生家长满意度调查” · 满意率 · 总体" in html
    assert "受益群众满意度调查" in html and "实施单位工作人员满意度调查" in html


def test_create_from_each_template(login, db, demo):
    c = login("demo-evaluator")
    for template in templates():
        r = c.post(f"{index_url(demo)}/new", data={"template": template.key, "title": ""})
        assert r.status_code == 302 and r.headers["Location"].endswith("/design")
        survey = db.exec(select(Survey).where(Survey.template_key == template.key)).one()
        assert survey.title == template.name and survey.status == "draft"
        assert len(survey.questions) == len(template.questions)
        assert survey.respondents == template.respondents and survey.purpose


def test_create_blank_needs_a_title(login, db, demo):
    c = login("demo-evaluator")
    r = c.post(f"{index_url(demo)}/new", data={"template": "", "title": ""})
    assert r.status_code == 302
    assert "请填写问卷名称" in c.get(r.headers["Location"]).get_data(as_text=True)
    c.post(f"{index_url(demo)}/new", data={"template": "", "title": "空白问卷一"})
    assert db.exec(select(Survey).where(Survey.title == "空白问卷一")).one().questions == []


def test_copy_from_a_previous_engagement(login, db, demo):
    lead = demo.users["demo-lead"]
    other = engagements.create(
        db,
        actor=lead,
        data=engagements.EngagementInput(
            title="下一年度评价",
            type="project",
            bureau_id=demo.engagement.bureau_id,
            budget_year=2026,
        ),
    )
    for kind in DeclarationKind:
        engagements.sign_declaration(db, actor=lead, engagement=other, kind=kind)
    db.flush()
    source = the_demo_survey(db)
    c = login("demo-lead")
    page = c.get(f"/engagements/{other.id}/surveys").get_data(as_text=True)
    assert f'value="{source.id}"' in page and "学生家长满意度调查" in page
    r = c.post(f"/engagements/{other.id}/surveys/copy", data={"source_id": source.id, "title": ""})
    assert r.status_code == 302
    copy = db.exec(select(Survey).where(Survey.engagement_id == other.id)).one()
    assert copy.questions == source.questions and copy.rules == source.rules
    assert copy.token != source.token and copy.status == "draft"
    assert service.response_counts(db, [copy.id])[copy.id] == 0
    # A user who cannot see the source engagement cannot copy from it.
    outsider = engagements.create(
        db,
        actor=demo.users["demo-admin"],
        data=engagements.EngagementInput(
            title="他人项目", type="project", bureau_id=demo.engagement.bureau_id, budget_year=2026
        ),
    )
    db.flush()
    foreign = make_survey(db, demo, title="本项目问卷")
    foreign.engagement_id = outsider.id
    db.add(foreign)
    db.flush()
    r = login("demo-evaluator").post(
        f"{index_url(demo)}/copy",
        data={"source_id": foreign.id},
        headers={"Referer": index_url(demo)},
    )
    assert db.exec(select(Survey).where(Survey.title == "本项目问卷")).all() == [foreign]


def test_survey_page_shows_link_qr_plan_and_state(login, db, demo):
    survey = the_demo_survey(db)
    c = login("demo-lead")
    html = c.get(f"{index_url(demo)}/{survey.id}").get_data(as_text=True)
    assert f"http://localhost/s/{survey.token}" in html
    assert (
        '<div class="fs-4" id="collected">240</div>' in html
        and '<div class="fs-4" id="valid">229</div>' in html
    )
    assert '<div class="fs-4" id="required">193</div>' in html and "已达到" in html
    assert "已剔除 11 份" in html and 'id="reopen-form"' in html
    png = c.get(f"{index_url(demo)}/{survey.id}/qr.png")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    svg = c.get(f"{index_url(demo)}/{survey.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    poster = c.get(f"{index_url(demo)}/{survey.id}/poster").get_data(as_text=True)
    assert "@page { size: A4 portrait" in poster and "请用手机扫描二维码填写问卷" in poster
    assert survey.purpose in poster and f"/s/{survey.token}" in poster


def test_states_open_close_reopen(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    base = f"{index_url(demo)}/{survey.id}"
    c.post(f"{base}/state", data={"action": "open"})
    db.expire_all()
    assert db.get(Survey, survey.id).status == "open"
    r = c.post(f"{base}/state", data={"action": "close"}, headers={"Referer": base})
    assert "问卷还没有任何答卷，不能结束回收" in c.get(r.headers["Location"]).get_data(as_text=True)
    c.post(f"{base}/entry", data={"a.q5": "1"})
    c.post(f"{base}/state", data={"action": "close"})
    db.expire_all()
    assert db.get(Survey, survey.id).status == "closed"
    r = c.post(
        f"{base}/state", data={"action": "reopen", "reason": "补充"}, headers={"Referer": base}
    )
    assert "只有项目负责人可以重新开启" in c.get(r.headers["Location"]).get_data(as_text=True)
    lead = login("demo-lead")
    r = lead.post(
        f"{base}/state", data={"action": "reopen", "reason": ""}, headers={"Referer": base}
    )
    assert "请说明重新开启的原因" in lead.get(r.headers["Location"]).get_data(as_text=True)
    lead.post(f"{base}/state", data={"action": "reopen", "reason": "乡镇样本不足，补充回收"})
    db.expire_all()
    assert db.get(Survey, survey.id).status == "open"
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "survey.reopen")).one()
    assert entry.after["reason"] == "乡镇样本不足，补充回收"


def test_sample_plan_and_waiver(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    base = f"{index_url(demo)}/{survey.id}"
    for population, expected in [(None, 385), (10000, 370), (1000, 278)]:
        db.expire_all()
        data = {"confidence": "0.95", "margin": "5", "population": population or ""}
        r = c.post(f"{base}/plan", data={**data, "version": db.get(Survey, survey.id).version})
        assert f"应回收有效问卷 {expected} 份" in c.get(r.headers["Location"]).get_data(
            as_text=True
        )
    db.expire_all()
    data = {"confidence": "0.95", "margin": "50", "version": db.get(Survey, survey.id).version}
    r = c.post(f"{base}/plan", data=data)
    assert "允许误差应在 0.5%–20% 之间" in c.get(r.headers["Location"]).get_data(as_text=True)
    db.expire_all()
    assert service.required_sample(db.get(Survey, survey.id)) == 278
    assert c.post(f"{base}/waive", data={"reason": "x"}).status_code == 403
    lead = login("demo-lead")
    lead.post(f"{base}/waive", data={"reason": "农村地区样本难以覆盖，经委托方同意"})
    db.expire_all()
    waived = db.get(Survey, survey.id)
    assert waived.waived and waived.sample_waived_by_id == demo.users["demo-lead"].id
    assert "农村地区样本难以覆盖" in lead.get(base).get_data(as_text=True)


def test_settings_with_beijing_times(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    base = f"{index_url(demo)}/{survey.id}"
    data = {
        "title": "改名的问卷", "respondents": "家长", "purpose": "了解情况",
        "opens_at": "2026-03-01T08:00", "closes_at": "2026-03-31T18:00",
        "thank_you": "谢谢", "version": str(survey.version),
    }  # fmt: skip
    assert c.post(f"{base}/settings", data=data).status_code == 302
    db.expire_all()
    saved = db.get(Survey, survey.id)
    assert saved.title == "改名的问卷" and saved.one_per_device is False
    assert saved.opens_at.hour == 0 and saved.closes_at.hour == 10  # stored in UTC
    r = c.post(
        f"{base}/settings",
        data={**data, "closes_at": "2026-02-01T08:00", "version": str(saved.version)},
    )
    assert "结束时间须晚于开始时间" in c.get(r.headers["Location"]).get_data(as_text=True)


def test_link_and_unlink_a_satisfaction_leaf(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    leaf = db.exec(select(Indicator).where(Indicator.name == "学生满意度")).one()
    base = f"{index_url(demo)}/{survey.id}"
    page = c.get(base).get_data(as_text=True)
    assert 'id="link-form"' in page and "满意度指数（合并全部回答）" in page
    assert 'value="q1:0">您的身份：学生家长' in page
    data = {"indicator_id": leaf.id, "metric": "score_index", "item": "q5", "group": "q1:0"}
    assert c.post(f"{base}/link", data=data).status_code == 302
    db.expire_all()
    assert db.get(Indicator, leaf.id).survey_link == {
        "survey_id": survey.id,
        "metric": "score_index",
        "item": "q5",
        "group": "q1:0",
    }
    html = c.get(base).get_data(as_text=True)
    assert "问卷“测试问卷” · 满意度指数 · 总体而言，您对本项目是否满意 · 您的身份：学生家长" in html
    bad = {**data, "item": "q1"}
    r = c.post(f"{base}/link", data=bad, headers={"Referer": base})
    assert "所选题目不是本问卷的满意度题目" in c.get(r.headers["Location"]).get_data(as_text=True)
    other = db.exec(select(Indicator).where(Indicator.name == "资金到位率")).one()
    r = c.post(f"{base}/link", data={**data, "indicator_id": other.id}, headers={"Referer": base})
    assert "不是满意度指标" in c.get(r.headers["Location"]).get_data(as_text=True)
    c.post(f"{base}/unlink/{leaf.id}")
    db.expire_all()
    assert not db.get(Indicator, leaf.id).survey_link


def test_delete_only_without_answers(login, db, demo):
    c = login("demo-evaluator")
    empty = make_survey(db, demo, title="待删除")
    assert c.post(f"{index_url(demo)}/{empty.id}/delete").status_code == 302
    assert db.exec(select(Survey).where(Survey.title == "待删除")).all() == []
    survey = the_demo_survey(db)
    r = c.post(f"{index_url(demo)}/{survey.id}/delete", headers={"Referer": index_url(demo)})
    assert "问卷已有答卷，不能删除" in c.get(r.headers["Location"]).get_data(as_text=True)


def test_archived_engagement_is_read_only(login, db, demo):
    survey = make_survey(db, demo)
    demo.engagement.archived_at = utcnow()
    db.add(demo.engagement)
    db.flush()
    c = login("demo-evaluator")
    r = c.post(
        f"{index_url(demo)}/{survey.id}/state",
        data={"action": "open"},
        headers={"Referer": index_url(demo)},
    )
    assert "项目已归档，内容只读" in c.get(r.headers["Location"]).get_data(as_text=True)
