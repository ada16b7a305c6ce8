"""Control characters are refused at every door before anything is stored (SQLite and PostgreSQL):
a field error on forms, a field-level 422 from the API, and the last check before the database
for views that read the form themselves. (The public survey strips them: tests/surveys.)"""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from workbench.core.errors import ValidationFailed
from workbench.core.hygiene import ILLEGAL_MESSAGE
from workbench.engagements.models import Engagement
from workbench.reports.models import ReportSection, SectionComment

# NUL, another C0 control, the two non-characters (a lone surrogate cannot travel in a form).
CHARACTERS = ["\x00", "\x1b", "\ufffe", "\uffff"]


def _title(db, engagement_id: int) -> str:
    db.expire_all()
    return db.exec(select(Engagement.title).where(Engagement.id == engagement_id)).one()


@pytest.mark.parametrize("char", CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_a_form_field_with_a_control_character_is_a_field_error(login, demo, db, char):
    e = demo.engagement
    form = {
        "title": f"新{char}名称",
        "type": "project",
        "bureau_id": e.bureau_id,
        "unit_id": e.unit_id,
        "budget_year": 2025,
        "version": e.version,
    }
    response = login("demo-lead").post(f"/engagements/{e.id}/edit", data=form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<div class="invalid-feedback">{ILLEGAL_MESSAGE}</div>' in html
    assert _title(db, e.id) == e.title


def _engagement_body(**changes) -> dict:
    return {"title": "接口项目", "bureau_name": "示例市财政局", "budget_year": 2025, **changes}


@pytest.mark.parametrize("char", CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_an_api_value_with_a_control_character_is_a_field_level_422(client, demo, token_for, char):
    headers = token_for(demo.users["demo-lead"])
    body = _engagement_body(title=f"接口{char}项目")
    response = client.post("/api/v1/engagements", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json["errors"] == [{"field": "title", "message": ILLEGAL_MESSAGE}]


def test_a_lone_surrogate_in_the_api_is_refused_with_its_path(client, demo, token_for, db):
    survey = {
        "title": "问卷",
        "questions": [{"key": "q1", "text": "满意吗\\ud800", "type": "text"}],
    }
    response = client.post(
        f"/api/v1/engagements/{demo.engagement.id}/surveys",
        data=json.dumps(survey).replace("\\\\ud800", "\\ud800"),  # the escape, not its text
        content_type="application/json",
        headers=token_for(demo.users["demo-lead"]),
    )
    assert response.status_code == 422
    assert response.json["errors"] == [{"field": "questions.0.text", "message": ILLEGAL_MESSAGE}]


def test_an_api_key_with_a_control_character_is_refused(client, demo, token_for):
    body = {**_engagement_body(), "ti\x00tle": "x"}
    response = client.post(
        "/api/v1/engagements", json=body, headers=token_for(demo.users["demo-lead"])
    )
    assert response.status_code == 422
    assert {"field": "title", "message": ILLEGAL_MESSAGE} in response.json["errors"]


def _report_section(db, demo) -> ReportSection:
    return db.exec(
        select(ReportSection).where(
            ReportSection.engagement_id == demo.engagement.id, ReportSection.deliverable == "report"
        )
    ).first()


def test_a_view_reading_the_form_itself_is_stopped_before_the_database(login, demo, db):
    from workbench.reports.services import drafting

    drafting.ensure_sections(db, demo.engagement, "report")
    section = _report_section(db, demo)
    url = f"/engagements/{demo.engagement.id}/sections/{section.id}/comments"
    response = login("demo-lead").post(url, data={"body": "批注\x00内容"}, follow_redirects=True)
    assert "提交的内容含有不允许的控制字符，未保存" in response.get_data(as_text=True)
    db.expire_all()
    assert (
        db.exec(select(SectionComment).where(SectionComment.section_id == section.id)).all() == []
    )


def test_no_flush_stores_a_control_character(db, demo):
    engagement = demo.engagement
    with pytest.raises(ValidationFailed) as refused, db.begin_nested():
        engagement.title = "标题\ufffe"
        db.flush()
    assert refused.value.details == [{"field": "title", "message": ILLEGAL_MESSAGE}]
