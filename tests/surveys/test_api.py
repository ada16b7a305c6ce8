"""The survey API: create/list, imports of the four sample exports, statistics, isolation."""

import io

import pytest
from sqlmodel import select

from tests.surveys.helpers import (
    EXPECTED,
    FILES,
    count_imports,
    count_responses,
    item_figures,
    question_dicts,
    sample,
)
from workbench.surveys.models import Survey


def create(client, demo, headers, questions=None, title="API问卷"):
    body = {"title": title, "questions": question_dicts() if questions is None else questions}
    return client.post(
        f"/api/v1/engagements/{demo.engagement.id}/surveys", json=body, headers=headers
    )


def upload(client, sid, headers, data: bytes, name: str):
    return client.post(
        f"/api/v1/surveys/{sid}/imports",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


@pytest.fixture()
def lead_headers(demo, token_for):
    return token_for(demo.users["demo-lead"])


def test_create_and_list(client, db, demo, lead_headers):
    r = create(client, demo, lead_headers)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["title"] == "API问卷" and body["status"] == "draft"
    assert body["collected"] == 0 and body["required_sample"] is None
    assert [q["key"] for q in body["questions"]] == ["q1", "q2", "q3", "q4", "q5", "q6"]
    assert body["questions"][3]["rows"][0] == "补助资金发放及时性"
    assert body["questions"][3]["scores"] == ["100", "80", "60", "30", "0"]
    assert body["public_url"].startswith("http://localhost/s/")
    listed = client.get(
        f"/api/v1/engagements/{demo.engagement.id}/surveys", headers=lead_headers
    ).get_json()
    titles = {s["title"]: s["collected"] for s in listed["items"]}
    assert titles == {"学生家长满意度调查": 240, "API问卷": 0}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "rating"}, "type"),
        ({"options": []}, "缺少选项"),
        ({"scores": [100, 80]}, "分值个数（2）与选项个数（5）不一致"),
        ({"rows": []}, "缺少行"),
        ({"key": "q1"}, "重复"),
        ({"key": "q 4"}, "只能由字母开头"),
    ],
)
def test_create_refuses_bad_questions(client, db, demo, lead_headers, change, message):
    questions = question_dicts()
    questions[3] = {**questions[3], **change}
    r = create(client, demo, lead_headers, questions)
    assert r.status_code == 422
    assert message in str(r.get_json()["errors"])
    assert db.exec(select(Survey).where(Survey.title == "API问卷")).all() == []


@pytest.mark.parametrize("name", FILES)
def test_each_sample_gives_the_readme_figures_and_reimport_adds_nothing(
    client, db, demo, lead_headers, name
):
    sid = create(client, demo, lead_headers).get_json()["id"]
    r = upload(client, sid, lead_headers, sample(name), name)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["imported"] == 240 and r.get_json()["skipped_duplicates"] == 0
    assert r.get_json()["variant"] == ("code" if "code" in name else "text")
    stats = client.get(f"/api/v1/surveys/{sid}/stats", headers=lead_headers).get_json()
    assert (stats["collected"], stats["valid"], stats["validity_rate"]) == (240, 240, "100.00")
    assert item_figures(stats["items"]) == EXPECTED
    assert stats["overall"]["pooled_score_index"] == "82.46"
    assert {i["question"]: i["ci_low"] is not None for i in stats["items"]} == {
        k: True for k in EXPECTED
    }
    again = upload(client, sid, lead_headers, sample(name), name)
    assert again.get_json()["imported"] == 0 and again.get_json()["skipped_duplicates"] == 240
    assert count_responses(db, db.get(Survey, sid)) == 240


def test_text_and_code_variants_give_identical_statistics(client, db, demo, lead_headers):
    bodies = []
    for name in ("wjx_satisfaction_text.xls", "wjx_satisfaction_code.xls"):
        sid = create(client, demo, lead_headers, title=name).get_json()["id"]
        assert upload(client, sid, lead_headers, sample(name), name).status_code == 200
        body = client.get(f"/api/v1/surveys/{sid}/stats", headers=lead_headers).get_json()
        bodies.append({k: v for k, v in body.items() if k not in ("survey_id", "title")})
    assert bodies[0] == bodies[1]
    assert bodies[0]["cronbach_alpha"] is not None


def test_incomplete_mapping_is_refused_with_the_unmatched_column(client, db, demo, lead_headers):
    sid = create(client, demo, lead_headers).get_json()["id"]
    text = sample("wjx_satisfaction_text_gbk.csv").decode("gbk").splitlines()
    text = [line + (",7、您的年龄" if i == 0 else ",30") for i, line in enumerate(text)]
    r = upload(client, sid, lead_headers, "\n".join(text).encode("utf-8"), "extra.csv")
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert errors[0]["column"] == "P列（7、您的年龄）" and errors[0]["row"] == 1
    assert "找不到题号和题干都对应的题目" in errors[0]["message"]
    survey = db.get(Survey, sid)
    assert count_responses(db, survey) == 0 and count_imports(db, survey) == 0


def test_generic_csv_with_question_keys_as_headers(client, db, demo, lead_headers):
    sid = create(client, demo, lead_headers).get_json()["id"]
    header = ["q1", "q2", "q3", *[f"q4—{row}" for row in EXPECTED_ROWS], "q5", "q6"]
    rows = [
        ["教师", "城区", "学校通知┋其他", "满意", "满意", "一般", "非常满意", "满意", "很好"],
        ["学生家长", "农村", "微信公众号", "非常满意", "满意", "满意", "满意", "非常满意", ""],
        ["教师", "城区", "学校通知┋其他", "满意", "满意", "一般", "非常满意", "满意", "很好"],
    ]
    data = "\n".join(",".join(r) for r in [header, *rows]).encode("utf-8")
    r = upload(client, sid, lead_headers, data, "generic.csv")
    assert r.status_code == 200, r.get_json()
    # Rows 2 and 4 are identical yet two respondents: both kept; re-import adds nothing.
    assert (r.get_json()["imported"], r.get_json()["skipped_duplicates"]) == (3, 0)
    assert upload(client, sid, lead_headers, data, "generic.csv").get_json() == {
        "imported": 0,
        "skipped_duplicates": 3,
        "rows": 3,
        "warnings": [],
        "variant": "text",
    }
    stats = client.get(f"/api/v1/surveys/{sid}/stats", headers=lead_headers).get_json()
    figures = item_figures(stats["items"])
    assert figures["总体而言，您对本项目是否满意"] == (3, "100.00", "86.67")


EXPECTED_ROWS = ["补助资金发放及时性", "补助标准合理性", "申请流程便捷性", "政策宣传到位程度"]


def test_missing_file_field(client, db, demo, lead_headers):
    sid = create(client, demo, lead_headers).get_json()["id"]
    r = client.post(
        f"/api/v1/surveys/{sid}/imports",
        data={},
        headers=lead_headers,
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert "file" in r.get_json()["errors"][0]["message"]


def test_other_bureau_gets_404_and_others_are_refused(client, db, demo, lead_headers, token_for):
    sid = create(client, demo, lead_headers).get_json()["id"]
    for username, code in [("demo-bureau2", 404), ("demo-bureau", 403), ("demo-unit", 403)]:
        headers = token_for(demo.users[username])
        assert client.get(f"/api/v1/surveys/{sid}/stats", headers=headers).status_code == code
        r = upload(client, sid, headers, sample(FILES[2]), FILES[2])
        assert r.status_code == code
        r = client.get(f"/api/v1/engagements/{demo.engagement.id}/surveys", headers=headers)
        assert r.status_code == code
    expert = token_for(demo.users["demo-expert"])
    assert client.get(f"/api/v1/surveys/{sid}/stats", headers=expert).status_code == 200
    assert upload(client, sid, expert, sample(FILES[2]), FILES[2]).status_code == 403
    assert client.get("/api/v1/surveys/999999/stats", headers=lead_headers).status_code == 404
    assert client.get(f"/api/v1/surveys/{sid}/stats").status_code == 401
    assert count_responses(db, db.get(Survey, sid)) == 0


def test_closed_survey_refuses_imports(client, db, demo, lead_headers):
    survey = db.exec(select(Survey).where(Survey.title == "学生家长满意度调查")).one()
    r = upload(client, survey.id, lead_headers, sample(FILES[2]), FILES[2])
    assert r.status_code == 409
    assert "问卷已结束回收" in r.get_json()["error"]
