"""The scoring page's kept table follows every change of what it shows (scoring/table.py).

Each test opens the page (which computes and keeps the table), changes one thing the table is
read from, straight in the database as another worker or an import would, and opens it again:
a key without that thing would serve the first table.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import select

from tests.indicators.helpers import by_name
from workbench.accounts.models import User
from workbench.indicators.system import ensure_system
from workbench.scoring.models import ExpertScore
from workbench.surveys.models import Survey, SurveyResponse


def _page(client, engagement) -> str:
    response = client.get(f"/engagements/{engagement.id}/scoring")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _cell(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', page)
    return match.group(1).strip() if match else ""


def test_a_leaf_edited_elsewhere_shows_at_once(login, db, demo):
    c = login("demo-lead")
    assert "目标值改于别处" not in _page(c, demo.engagement)
    leaf = by_name(db, demo.engagement)["预算执行率"]
    leaf.target = "目标值改于别处"
    db.add(leaf)
    db.flush()
    assert "目标值改于别处" in _page(c, demo.engagement)


def test_a_new_survey_answer_moves_the_satisfaction_leaf(login, db, demo):
    c = login("demo-lead")
    assert "有效样本 229 份" in _page(c, demo.engagement)
    survey = db.exec(select(Survey).where(Survey.engagement_id == demo.engagement.id)).one()
    answered = db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).first()
    db.add(SurveyResponse(survey_id=survey.id, source_key="table-test", channel="paper",
                          answers=dict(answered.answers), missing={}))  # fmt: skip
    db.flush()
    assert "有效样本 230 份" in _page(c, demo.engagement)


def test_an_expert_score_and_the_experts_name_show_at_once(login, db, demo):
    c = login("demo-lead")
    assert "专家：陈专家" not in _page(c, demo.engagement)
    leaf = by_name(db, demo.engagement)["绩效指标明确性"]
    expert = demo.users["demo-expert"]
    db.add(ExpertScore(engagement_id=demo.engagement.id, indicator_id=leaf.id,
                       expert_id=expert.id, score=Decimal("2.5")))  # fmt: skip
    db.flush()
    assert "专家：陈专家 2.50" in _page(c, demo.engagement)
    user = db.get(User, expert.id)
    user.display_name = "陈晓专家"
    db.add(user)
    db.flush()
    assert "专家：陈晓专家 2.50" in _page(c, demo.engagement)


def test_the_grade_table_and_the_confirmation_apply_at_once(login, db, demo):
    c = login("demo-lead")
    page = _page(c, demo.engagement)
    assert (_cell(page, "total"), _cell(page, "grade")) == ("85.47", "良")
    system = ensure_system(db, demo.engagement)
    confirmed = system.confirmed_at is not None
    system.grades = [["优", 85], ["良", 80], ["中", 60], ["差", 0]]
    db.add(system)
    db.flush()
    assert _cell(_page(c, demo.engagement), "grade") == "优"
    system.confirmed_at = None if confirmed else datetime.now(UTC)
    db.add(system)
    db.flush()
    unconfirmed = "指标体系尚未经项目负责人确认" in _page(c, demo.engagement)
    assert unconfirmed is confirmed


def test_an_archived_engagement_loses_the_scoring_buttons(login, db, demo):
    c = login("demo-lead")
    assert ">评分</a>" in _page(c, demo.engagement)
    demo.engagement.archived_at = datetime.now(UTC)
    db.add(demo.engagement)
    db.flush()
    assert ">评分</a>" not in _page(c, demo.engagement)
