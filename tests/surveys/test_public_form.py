"""The public questionnaire: no login, no script needed, required answers, device guard, dates,
rate limit; answers are stored with their time and counted."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.surveys.helpers import make_survey
from workbench.core.audit import AuditEntry
from workbench.core.timeutil import utcnow
from workbench.extensions import limiter
from workbench.surveys.design import surveys as service
from workbench.surveys.models import SurveyResponse

ANSWERS = {
    "a.q1": "1",
    "a.q2": "0",
    "a.q3": ["0", "2"],
    "r.0.q4": "0",
    "r.1.q4": "1",
    "r.2.q4": "1",
    "r.3.q4": "2",
    "a.q5": "0",
    "a.q6": "希望<b>继续</b>办下去",
}


@pytest.fixture()
def survey(db, demo):
    created = make_survey(db, demo, title="家长问卷（在线）")
    service.open_survey(
        db, actor=demo.users["demo-evaluator"], engagement=demo.engagement, survey=created
    )
    db.flush()
    return created


@pytest.fixture(autouse=True)
def fresh_limits(app):
    with app.app_context():
        limiter.reset()
    yield


def stored(db, survey) -> list[SurveyResponse]:
    db.expire_all()
    return list(db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).all())


def test_form_needs_no_login_and_no_script(client, survey):
    r = client.get(f"/s/{survey.token}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "家长问卷（在线）" in html and 'name="viewport"' in html
    assert "<script" not in html and "bootstrap" not in html
    assert html.count('type="radio" name="a.q1"') == 4
    assert html.count('type="radio" name="r.0.q4"') == 5
    assert 'type="checkbox" name="a.q3"' in html and '<textarea name="a.q6"' in html
    assert 'name="started"' in html


def test_submit_stores_the_answer_and_thanks(client, db, demo, survey, login):
    page = client.get(f"/s/{survey.token}").get_data(as_text=True)
    started = page.split('name="started" value="')[1].split('"')[0]
    r = client.post(f"/s/{survey.token}", data={**ANSWERS, "started": started})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/s/{survey.token}/thanks")
    assert "wb_survey_" in r.headers.get("Set-Cookie", "")
    (response,) = stored(db, survey)
    assert response.channel == "online" and response.ip == "127.0.0.1"
    assert response.answers == {
        "q1": 1,
        "q2": 0,
        "q3": [0, 2],
        "q4": {
            "补助资金发放及时性": 0,
            "补助标准合理性": 1,
            "申请流程便捷性": 1,
            "政策宣传到位程度": 2,
        },
        "q5": 0,
        "q6": "希望<b>继续</b>办下去",
    }
    assert response.missing == {} and 0 <= response.duration_seconds <= 5
    assert "提交成功，感谢您的参与" in client.get(r.headers["Location"]).get_data(as_text=True)
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "survey.answer")).all()[-1]
    assert entry.actor_name == "匿名受访者（在线问卷）" and entry.actor_id is None
    # The evaluator sees it counted.
    show = login("demo-evaluator").get(f"/engagements/{demo.engagement.id}/surveys/{survey.id}")
    assert '<div class="fs-4" id="collected">1</div>' in show.get_data(as_text=True)


def test_text_answers_are_escaped_on_the_stats_page(client, db, demo, survey, login):
    client.post(f"/s/{survey.token}", data=ANSWERS)
    html = login("demo-lead").get(f"/engagements/{demo.engagement.id}/surveys/{survey.id}/stats")
    text = html.get_data(as_text=True)
    assert "希望&lt;b&gt;继续&lt;/b&gt;办下去" in text and "<b>继续</b>" not in text


def test_missing_required_answer_redisplays_the_form_with_choices_kept(client, db, survey):
    answers = {k: v for k, v in ANSWERS.items() if k != "a.q5"}
    r = client.post(f"/s/{survey.token}", data=answers)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "第5题“总体而言，您对本项目是否满意”为必答题，请作答" in html
    assert 'name="a.q1" value="1" checked' in html and 'name="a.q3" value="2" checked' in html
    assert stored(db, survey) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"a.q1": "9"}, "“9”不是有效选项"),
        ({"a.q1": ["0", "1"]}, "是单选题，只能选择一项"),
        ({"r.2.q4": "x"}, "“x”不是有效选项"),
        ({"a.q6": "长" * 2001}, "回答不能超过 2000 个字符"),
    ],
)
def test_tampered_or_oversized_answers_are_refused(client, db, survey, change, message):
    r = client.post(f"/s/{survey.token}", data={**ANSWERS, **change})
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    assert stored(db, survey) == []


def test_control_characters_in_answers_are_stripped_not_refused(client, db, survey):
    # A parent on a phone is never refused for characters a keyboard or a paste slipped in.
    answers = {**ANSWERS, "a.q6": "希望\x00继续\ufffe办\x1b下去\uffff\n谢谢"}
    r = client.post(f"/s/{survey.token}", data=answers)
    assert r.status_code == 302
    (response,) = stored(db, survey)
    assert response.answers["q6"] == "希望继续办下去\n谢谢"


def test_empty_submission_is_refused(client, db, survey):
    r = client.post(f"/s/{survey.token}", data={})
    assert r.status_code == 422
    assert "为必答题" in r.get_data(as_text=True)
    assert stored(db, survey) == []


def test_one_answer_per_device(client, db, survey):
    assert client.post(f"/s/{survey.token}", data=ANSWERS).status_code == 302
    again = client.get(f"/s/{survey.token}").get_data(as_text=True)
    assert "您已经填写过本问卷" in again
    assert client.post(f"/s/{survey.token}", data=ANSWERS).status_code == 200
    assert len(stored(db, survey)) == 1
    # A forged cookie does not count.
    client.set_cookie(f"wb_survey_{survey.id}", "forged", path=f"/s/{survey.token}")
    assert "survey-form" in client.get(f"/s/{survey.token}").get_data(as_text=True)


def test_device_guard_can_be_switched_off(client, db, survey):
    survey.one_per_device = False
    db.add(survey)
    db.flush()
    for _ in range(2):
        r = client.post(f"/s/{survey.token}", data=ANSWERS)
        assert r.status_code == 302 and "wb_survey_" not in r.headers.get("Set-Cookie", "")
    assert len(stored(db, survey)) == 2


def test_forged_start_stamp_gives_no_duration(client, db, survey):
    client.post(f"/s/{survey.token}", data={**ANSWERS, "started": "forged"})
    assert stored(db, survey)[0].duration_seconds is None


def test_closed_draft_and_out_of_window_forms(client, db, demo, survey):
    evaluator = demo.users["demo-evaluator"]
    survey.opens_at = utcnow() + timedelta(days=1)
    db.add(survey)
    db.flush()
    assert "尚未到开始填写的时间" in client.get(f"/s/{survey.token}").get_data(as_text=True)
    survey.opens_at, survey.closes_at = None, utcnow() - timedelta(minutes=1)
    db.add(survey)
    db.flush()
    assert "已过填写截止时间" in client.get(f"/s/{survey.token}").get_data(as_text=True)
    r = client.post(f"/s/{survey.token}", data=ANSWERS)
    assert r.status_code == 200 and "已过填写截止时间" in r.get_data(as_text=True)
    draft = make_survey(db, demo, title="草稿")
    assert "问卷尚未开始回收" in client.get(f"/s/{draft.token}").get_data(as_text=True)
    survey.closes_at = None
    db.add(survey)
    db.flush()
    client.post(f"/s/{survey.token}", data=ANSWERS)
    service.close_survey(db, actor=evaluator, engagement=demo.engagement, survey=survey)
    db.flush()
    assert "问卷已结束回收" in client.get(f"/s/{survey.token}").get_data(as_text=True)
    assert len(stored(db, survey)) == 1


def test_unknown_token_is_404(client):
    r = client.get("/s/not-a-real-token")
    assert r.status_code == 404 and "问卷链接无效" in r.get_data(as_text=True)
    assert client.post("/s/not-a-real-token", data=ANSWERS).status_code == 404


def test_tokens_are_long_and_random(db, demo):
    tokens = {make_survey(db, demo, title=f"问卷{i}").token for i in range(5)}
    assert len(tokens) == 5 and all(len(t) >= 22 for t in tokens)


def test_submissions_are_rate_limited(app, client, db, survey, monkeypatch):
    monkeypatch.setitem(app.config, "SURVEY_SUBMIT_LIMIT", "2 per minute")
    survey.one_per_device = False
    db.add(survey)
    db.flush()
    codes = [client.post(f"/s/{survey.token}", data=ANSWERS).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert len(stored(db, survey)) == 2
