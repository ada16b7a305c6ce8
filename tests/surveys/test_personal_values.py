"""Answers to 姓名/联系方式 questions, for the report's public version (issue 13 item 10)."""

from __future__ import annotations

import secrets

from workbench.surveys import services as surveys
from workbench.surveys.models import Survey, SurveyResponse


def test_answers_to_personal_text_questions_are_listed(db, demo):
    survey = Survey(
        engagement_id=demo.engagement.id,
        title="家长满意度调查（含回访信息）",
        token=secrets.token_urlsafe(16),
        questions=[
            {"key": "q1", "text": "您的姓名（选填）", "type": "text"},
            {"key": "q2", "text": "联系电话", "type": "text"},
            {"key": "q3", "text": "您对供餐质量的意见", "type": "text"},
            {"key": "q4", "text": "姓名", "type": "single", "options": ["是", "否"]},
        ],
    )
    db.add(survey)
    db.flush()
    for number, answers in enumerate(
        [
            {"q1": "王小明", "q2": "13912345678", "q3": "饭菜偏咸", "q4": "是"},
            {"q1": " ", "q2": "", "q3": "无"},
            {"q1": "王小明", "q3": "希望增加水果"},
        ]
    ):
        db.add(
            SurveyResponse(
                survey_id=survey.id, source_key=f"t{number}", channel="paper", answers=answers
            )
        )
    db.flush()
    assert surveys.respondent_values(db, demo.engagement.id) == ["13912345678", "王小明"]
