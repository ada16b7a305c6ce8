"""Paper entry by option numbers, and the questionnaire designer (add, edit, move, delete; no edit
that would change what stored answers mean)."""

import pytest
from sqlmodel import select

from tests.surveys.helpers import count_responses, make_survey
from workbench.surveys.design.questionnaire import questions_of
from workbench.surveys.models import Survey, SurveyResponse

PAPER = {
    "paper_no": "P-001",
    "a.q1": "2",
    "a.q2": "3",
    "a.q3": "135",
    "r.0.q4": "1",
    "r.1.q4": "2",
    "r.2.q4": "",
    "r.3.q4": "5",
    "a.q5": "1",
    "a.q6": "食堂要改进",
}


def url(demo, survey, tail: str = "") -> str:
    return f"/engagements/{demo.engagement.id}/surveys/{survey.id}{tail}"


def test_entry_screen_is_keyboard_ready(login, db, demo):
    survey = make_survey(db, demo)
    html = login("demo-evaluator").get(url(demo, survey, "/entry")).get_data(as_text=True)
    assert 'id="paper_no"' in html and "autofocus" in html
    assert html.count("data-entry-input") == 1 + 3 + 4 + 2
    assert 'data-entry-kind="single"' in html and 'data-entry-kind="multiple"' in html
    assert "1 非常满意 · 2 满意 · 3 一般 · 4 不满意 · 5 非常不满意" in html
    assert "js/surveys.js" in html


def test_paper_entry_saves_and_opens_the_next_blank_form(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    r = c.post(url(demo, survey, "/entry"), data=PAPER)
    assert r.status_code == 302 and r.headers["Location"].endswith("/entry")
    follow = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "已保存纸质问卷" in follow and "（编号 P-001）" in follow
    assert 'name="a.q1" value=""' in follow
    db.expire_all()
    response = db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).one()
    assert response.channel == "paper" and response.source_key == "paper:P-001"
    assert response.answers == {
        "q1": 1,
        "q2": 2,
        "q3": [0, 2, 4],
        "q4": {
            "补助资金发放及时性": 0,
            "补助标准合理性": 1,
            "申请流程便捷性": None,
            "政策宣传到位程度": 4,
        },
        "q5": 0,
        "q6": "食堂要改进",
    }
    assert response.entered_by_id == demo.users["demo-evaluator"].id
    # The same paper number again is refused, nothing added.
    r = c.post(url(demo, survey, "/entry"), data=PAPER)
    assert r.status_code == 422 and "编号为“P-001”的纸质问卷已经录入过" in r.get_data(as_text=True)
    assert count_responses(db, survey) == 1


def test_blank_answers_on_paper_are_kept_as_unanswered(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    r = c.post(url(demo, survey, "/entry"), data={"a.q1": "1", "a.q5": "", "a.q3": "2 4"})
    assert r.status_code == 302
    response = db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).one()
    assert response.answers["q3"] == [1, 3] and response.answers["q5"] is None
    assert response.missing == {"q2": "blank", "q4": "blank", "q5": "blank", "q6": "blank"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"a.q5": "6"}, "“6”不是有效选项（应为 1–5）"),
        ({"a.q3": "19"}, "“9”不是有效选项（应为 1–5）"),
        ({"r.1.q4": "0"}, "“补助标准合理性”：“0”不是有效选项"),
        ({"paper_no": "X" * 41}, "纸质问卷编号不能超过 40 个字符"),
    ],
)
def test_entry_errors_name_the_question_and_store_nothing(login, db, demo, change, message):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    r = c.post(url(demo, survey, "/entry"), data={**PAPER, **change})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert message in html and 'value="食堂要改进"' in html  # what was typed stays
    assert count_responses(db, survey) == 0


@pytest.mark.parametrize("field", ["a.q6", "paper_no"])
def test_control_characters_typed_on_paper_entry_are_a_field_error(login, db, demo, field):
    survey = make_survey(db, demo)
    data = {**PAPER, field: PAPER[field] + "\x00\ufffe"}
    r = login("demo-evaluator").post(url(demo, survey, "/entry"), data=data)
    assert r.status_code == 422 and "含有不允许的控制字符" in r.get_data(as_text=True)
    assert count_responses(db, survey) == 0


def test_nothing_typed_is_refused(login, db, demo):
    survey = make_survey(db, demo)
    r = login("demo-evaluator").post(url(demo, survey, "/entry"), data={"paper_no": ""})
    assert r.status_code == 422 and "请至少回答一道题" in r.get_data(as_text=True)


def _question(prefix: str, **fields) -> dict:
    base = {"text": "", "type": "single", "options": "", "scores": "", "rows": "", "weight": "1"}
    data = {**base, **fields}
    return {f"{prefix}-{k}": v for k, v in data.items() if v is not False}


def test_designer_adds_likert_with_default_scale_and_custom_scores(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo, questions=[])
    r = c.post(
        url(demo, survey, "/questions"),
        data=_question(
            "new", text="您对食堂是否满意", type="likert", required="y", satisfaction_item="y",
            version=survey.version,
        ),
    )  # fmt: skip
    assert r.status_code == 302
    db.expire_all()
    r = c.post(
        url(demo, survey, "/questions"),
        data=_question(
            "new", text="您对以下方面的满意程度", type="matrix", rows="饭菜质量\n就餐环境",
            scores="100/75/50/25/0", satisfaction_item="y", weight="2",
            version=db.get(Survey, survey.id).version,
        ),
    )  # fmt: skip
    assert r.status_code == 302
    db.expire_all()
    q1, q2 = questions_of(db.get(Survey, survey.id))
    assert q1.options == ["非常满意", "满意", "一般", "不满意", "非常不满意"]
    assert [str(s) for s in q1.effective_scores()] == ["100", "80", "60", "30", "0"]
    assert q1.required and q1.satisfaction_item
    assert q2.rows == ["饭菜质量", "就餐环境"] and [str(s) for s in q2.scores] == [
        "100",
        "75",
        "50",
        "25",
        "0",
    ]
    assert str(q2.weight) == "2"
    page = c.get(url(demo, survey, "/design")).get_data(as_text=True)
    assert '1. 非常满意 <span class="text-muted">(100.00)</span>' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "题", "type": "single", "options": ""}, "缺少选项"),
        ({"text": "题", "type": "single", "options": "甲\n乙", "scores": "1/x"}, "不是数字"),
        (
            {"text": "题", "type": "single", "options": "甲\n乙", "scores": "1/2/3"},
            "分值个数（3）与选项个数（2）不一致",
        ),
        ({"text": "题", "type": "text", "group": "y"}, "只有单选题可以作为分组题"),
        ({"text": "题", "type": "multiple", "options": "甲\n甲"}, "选项有重复"),
        ({"text": "", "type": "text"}, "请填写题干"),
    ],
)
def test_designer_refuses_bad_questions(login, db, demo, fields, message):
    c = login("demo-evaluator")
    survey = make_survey(db, demo, questions=[])
    data = _question("new", version=survey.version, **fields)
    r = c.post(url(demo, survey, "/questions"), data=data)
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    db.expire_all()
    assert db.get(Survey, survey.id).questions == []


def test_edits_after_answers_exist_keep_stored_answers_intact(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    c.post(url(demo, survey, "/entry"), data=PAPER)
    before = db.exec(
        select(SurveyResponse.answers).where(SurveyResponse.survey_id == survey.id)
    ).one()
    version = db.get(Survey, survey.id).version
    renamed = _question(
        "q_q5", text="总体满意程度", type="likert", options="非常满意\n满意\n一般\n不满意\n非常不满意",
        scores="5/4/3/2/1", satisfaction_item="y", version=str(version),
    )  # fmt: skip
    assert c.post(url(demo, survey, "/questions/q5"), data=renamed).status_code == 302
    db.expire_all()
    survey = db.get(Survey, survey.id)
    q5 = questions_of(survey)[4]
    assert q5.text == "总体满意程度" and [str(s) for s in q5.scores] == ["5", "4", "3", "2", "1"]
    reordered = {
        **renamed,
        "q_q5-options": "满意\n非常满意\n一般\n不满意\n非常不满意",
        "q_q5-version": str(survey.version),
    }
    r = c.post(url(demo, survey, "/questions/q5"), data=reordered)
    assert r.status_code == 422
    assert (
        "不能修改题目“总体满意程度”的选项（增删、改名或调整顺序都会使已存答卷错位）"
        in r.get_data(as_text=True)
    )
    r = c.post(url(demo, survey, "/questions/q1/delete"), data={"version": str(survey.version)})
    assert r.status_code == 302
    db.expire_all()
    assert [q.key for q in questions_of(db.get(Survey, survey.id))] == [
        "q1",
        "q2",
        "q3",
        "q4",
        "q5",
        "q6",
    ]
    after = db.exec(
        select(SurveyResponse.answers).where(SurveyResponse.survey_id == survey.id)
    ).one()
    assert after == before
    page = c.get(url(demo, survey, "/design")).get_data(as_text=True)
    assert 'id="structure-lock"' in page and "已有 1 份答卷" in page


def test_stale_version_is_a_conflict(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    stale = str(survey.version)
    data = _question("q_q6", text="意见", type="text", version=stale)
    assert c.post(url(demo, survey, "/questions/q6"), data=data).status_code == 302
    r = c.post(url(demo, survey, "/questions/q6"), data={**data, "q_q6-text": "建议"})
    assert r.status_code == 302
    assert "已被他人修改" in c.get(r.headers["Location"]).get_data(as_text=True)
    db.expire_all()
    assert questions_of(db.get(Survey, survey.id))[5].text == "意见"


def test_move_question(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    c.post(
        url(demo, survey, "/questions/q6/move"),
        data={"direction": "up", "version": str(survey.version)},
    )
    db.expire_all()
    assert [q.key for q in questions_of(db.get(Survey, survey.id))][-2:] == ["q6", "q5"]


def test_closed_survey_cannot_be_edited_or_entered(login, db, demo):
    c = login("demo-evaluator")
    closed = db.exec(select(Survey).where(Survey.title == "学生家长满意度调查")).one()
    r = c.post(
        url(demo, closed, "/questions"),
        data=_question("new", text="新题", type="text", version=closed.version),
        headers={"Referer": url(demo, closed, "/design")},
    )
    assert r.status_code == 302
    assert "问卷已结束回收，题目不能再修改" in c.get(r.headers["Location"]).get_data(as_text=True)
    r = c.post(url(demo, closed, "/entry"), data=PAPER, headers={"Referer": url(demo, closed)})
    assert r.status_code == 302
    assert "不能再录入" in c.get(r.headers["Location"]).get_data(as_text=True)
    assert count_responses(db, closed) == 240 and len(questions_of(closed)) == 6
