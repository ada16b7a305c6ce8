"""The 问卷统计表 with hostile stored text: no formula, nothing that breaks the file, text kept."""

from __future__ import annotations

from sqlmodel import select

from tests.core.spreadsheet_files import FORMULA_TEXTS, assert_safe_export, illegal_texts
from workbench.core.timeutil import utcnow
from workbench.surveys.collection import responses
from workbench.surveys.design import surveys as survey_service
from workbench.surveys.design.questionnaire import questions_of
from workbench.surveys.design.questions import LIKERT_LABELS, questions_from_dicts
from workbench.surveys.models import SurveyResponse

F = FORMULA_TEXTS


def test_statistics_table_keeps_hostile_text_as_text(login, db, demo):
    evaluator = demo.users["demo-evaluator"]
    questions = questions_from_dicts(
        [
            {"key": "q1", "text": F[0], "type": "single", "options": [F[1], F[2], F[3], "其他"],
             "group": True},
            {"key": "q2", "text": "总体满意度", "type": "likert", "options": list(LIKERT_LABELS),
             "satisfaction_item": True},
            {"key": "q3", "text": f"{F[3]}您的意见", "type": "text"},
        ]
    )  # fmt: skip
    survey = survey_service.create_survey(
        db, actor=evaluator, engagement=demo.engagement, title=F[0], questions=questions,
        purpose=F[1], respondents=F[2],
    )  # fmt: skip
    for option, text in ((1, F[0]), (2, F[4]), (3, F[2]), (1, F[1])):
        responses.enter_paper(
            db, actor=evaluator, engagement=demo.engagement, survey=survey,
            form={"a.q1": [str(option)], "a.q2": ["1"], "a.q3": [text]},
        )  # fmt: skip
    for number, text in enumerate(illegal_texts(db)):  # stored before such text was refused
        db.add(
            SurveyResponse(
                survey_id=survey.id, source_key=f"legacy:{number}", channel="paper",
                submitted_at=utcnow(), answers={"q1": 0, "q2": 0, "q3": text}, missing={},
            )
        )  # fmt: skip
    db.flush()
    r = login("demo-evaluator").get(
        f"/engagements/{demo.engagement.id}/surveys/{survey.id}/export.xlsx"
    )
    assert r.status_code == 200
    answers = [
        row.answers["q3"]
        for row in db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id))
    ]
    stored = [q.text for q in questions_of(survey)] + questions_of(survey)[0].options
    assert {F[0], F[1], F[2], F[3]} <= {survey.title, survey.purpose, survey.respondents, *stored}
    assert {F[0], F[1], F[2]} <= set(answers)
    assert_safe_export(
        r.data, [survey.title, survey.purpose, survey.respondents, *stored, *answers]
    )
