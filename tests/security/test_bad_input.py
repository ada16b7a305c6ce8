"""Each bad input once answered 500; now each gets a clear refusal in Chinese and nothing is written."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from tests.fieldwork.permissions import params as fieldwork_params
from workbench.engagements.models import Engagement

HUGE = "99999999999999999999"  # beyond any integer column


def test_huge_engagement_id_in_the_path_is_not_found(login, demo):
    response = login("demo-lead").get(f"/engagements/{HUGE}")
    assert response.status_code == 404


def test_huge_library_id_in_the_path_is_not_found(login, demo):
    response = login("demo-lead").get(f"/library/{HUGE}")
    assert response.status_code == 404


def test_huge_library_id_in_the_api_path_is_a_json_404(client, demo, token_for):
    response = client.get(f"/api/v1/library/{HUGE}", headers=token_for(demo.users["demo-lead"]))
    assert response.status_code == 404
    assert response.json["error"]


def test_huge_item_id_on_the_anonymous_upload_link_is_not_found(app, client, db, demo):
    with app.app_context():  # the fixture stores a real evidence file
        token = fieldwork_params(db, demo)["request_token"]
    response = client.post(f"/r/{token}/items/{HUGE}/upload", data={})
    assert response.status_code == 404


def test_huge_page_number_on_a_page_is_a_clear_400(login, demo):
    response = login("demo-lead").get(f"/?page={HUGE}")
    assert response.status_code == 400
    assert "page" in response.get_data(as_text=True)


def test_huge_page_number_in_the_api_is_a_json_400(client, demo, token_for):
    headers = token_for(demo.users["demo-lead"])
    response = client.get(f"/api/v1/engagements?page={HUGE}", headers=headers)
    assert response.status_code == 400
    assert "page" in response.json["error"]


def test_per_page_beyond_the_cap_is_clamped_in_the_api(client, demo, token_for):
    headers = token_for(demo.users["demo-lead"])
    response = client.get("/api/v1/engagements?per_page=100000", headers=headers)
    assert response.status_code == 200 and response.json["per_page"] == 200


def test_json_body_nested_5000_deep_is_a_json_400(client, demo, token_for):
    body = "[" * 5000 + "]" * 5000
    response = client.post(
        "/api/v1/engagements",
        data=body,
        content_type="application/json",
        headers=token_for(demo.users["demo-lead"]),
    )
    assert response.status_code == 400
    assert "嵌套" in response.json["error"]


def test_json_body_beyond_the_cap_is_a_json_413(client, demo, token_for, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_JSON_KB", 1)
    body = json.dumps({"title": "x" * 2000, "budget_year": 2025, "bureau_name": "局"})
    response = client.post(
        "/api/v1/engagements",
        data=body,
        content_type="application/json",
        headers=token_for(demo.users["demo-lead"]),
    )
    assert response.status_code == 413
    assert "过大" in response.json["error"]


def _edit_form(engagement, **changes) -> dict:
    return {
        "title": "新名称",
        "type": "project",
        "bureau_id": engagement.bureau_id,
        "unit_id": engagement.unit_id,
        "budget_year": 2025,
        "version": engagement.version,
        **changes,
    }


def _title(db, engagement_id: int) -> str:
    db.expire_all()
    return db.exec(select(Engagement.title).where(Engagement.id == engagement_id)).one()


def test_engagement_edit_with_a_non_integer_version_is_refused_clearly(login, demo, db):
    e = demo.engagement
    before = e.title
    response = login("demo-lead").post(
        f"/engagements/{e.id}/edit", data=_edit_form(e, version="abc")
    )
    assert response.status_code == 200
    assert "页面数据已失效，请刷新页面后重试" in response.get_data(as_text=True)
    assert _title(db, e.id) == before


def test_engagement_edit_with_snan_budget_is_a_field_error(login, demo, db):
    e = demo.engagement
    before = e.title
    response = login("demo-lead").post(
        f"/engagements/{e.id}/edit", data=_edit_form(e, budget_amount="sNaN")
    )
    assert response.status_code == 200
    assert "请输入有效的数字" in response.get_data(as_text=True)
    assert _title(db, e.id) == before


def test_engagement_edit_with_an_amount_beyond_the_column_is_a_field_error(login, demo, db):
    e = demo.engagement
    response = login("demo-lead").post(
        f"/engagements/{e.id}/edit", data=_edit_form(e, budget_amount="1e30")
    )
    assert response.status_code == 200
    assert "数值超出允许范围" in response.get_data(as_text=True)
    assert _title(db, e.id) == e.title


# --- found by the fuzz tests (tests/security/test_fuzz_*.py) ------------------------------------


def test_an_expert_email_is_checked_by_the_email_validator_package(login, demo):
    c = login("demo-admin")
    response = c.post("/experts/new", data={"name": "专家甲", "email": "不是邮箱"})
    assert response.status_code == 200
    assert "邮箱格式不正确" in response.get_data(as_text=True)
    saved = c.post("/experts/new", data={"name": "专家乙", "email": "zhuanjia@example.cn"})
    assert saved.status_code == 302


def test_an_amount_with_a_huge_exponent_is_a_field_error(login, demo):
    response = login("demo-lead").post(
        f"/engagements/{demo.engagement.id}/edit",
        data=_edit_form(demo.engagement, budget_amount="1e999999999"),
    )
    assert response.status_code == 200
    assert "数值超出允许范围" in response.get_data(as_text=True)


@pytest.mark.parametrize("definition", ["9" * 5000, "[" * 5000 + "]" * 5000])
def test_a_template_definition_python_cannot_read_is_a_yaml_error(login, demo, definition):
    response = login("demo-admin").post("/fieldwork/templates/new", data={"definition": definition})
    assert response.status_code == 200
    assert "YAML" in response.get_data(as_text=True)


def test_a_reply_to_a_review_note_with_a_huge_parent_id_is_refused(app, login, demo, db):
    with app.app_context():  # the fixture stores a real evidence file
        paper_id = fieldwork_params(db, demo)["paper_id"]
    response = login("demo-lead").post(
        f"/engagements/{demo.engagement.id}/papers/{paper_id}/notes",
        data={"text": "回复", "parent_id": HUGE},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "页面数据已失效，请刷新页面后重试" in response.get_data(as_text=True)


def test_survey_scores_with_a_huge_exponent_are_a_422_not_a_billion_digit_string(
    client, demo, token_for
):
    question = {"key": "q1", "text": "满意吗", "type": "single", "options": ["是", "否"]}
    body = {"title": "问卷", "questions": [{**question, "scores": ["1e999999999", "0"]}]}
    response = client.post(
        f"/api/v1/engagements/{demo.engagement.id}/surveys",
        json=body,
        headers=token_for(demo.users["demo-lead"]),
    )
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"field": "questions.0.scores.0", "message": "数值超出允许范围"}
    ]


def test_a_search_for_a_nul_finds_nothing_instead_of_failing_on_postgresql(login, demo):
    response = login("demo-admin").get("/admin/users", query_string={"q": "demo\x00"})
    assert response.status_code == 200
    assert "demo-lead" in response.get_data(as_text=True)  # the NUL is dropped from the search


def test_an_id_just_beyond_postgresql_integer_is_not_found(login, demo, client, token_for):
    first_too_big = 2**31  # SQLite's INTEGER holds it, PostgreSQL's does not (a 500 there)
    assert login("demo-lead").get(f"/engagements/{first_too_big}").status_code == 404
    headers = token_for(demo.users["demo-lead"])
    assert client.get(f"/api/v1/engagements/{first_too_big}", headers=headers).status_code == 404


def test_an_integer_field_beyond_postgresql_integer_is_a_field_error(login, demo, db):
    from tests.surveys.helpers import make_survey

    survey = make_survey(db, demo)
    response = login("demo-lead").post(
        f"/engagements/{demo.engagement.id}/surveys/{survey.id}/plan",
        data={"population": str(2**31), "confidence": "0.95", "margin": "5"},
        follow_redirects=True,
    )
    assert "数值超出允许范围" in response.get_data(as_text=True)
