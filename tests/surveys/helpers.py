"""Shared data for the survey service, HTTP and API tests."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import func, select

import workbench
from workbench.surveys.design import surveys as survey_service
from workbench.surveys.design.questions import LIKERT_LABELS, Question, questions_from_dicts
from workbench.surveys.models import Survey, SurveyImport, SurveyResponse

SAMPLES = Path(workbench.__file__).parent / "demo" / "samples"
FILES = [
    "wjx_satisfaction_text.xls",
    "wjx_satisfaction_code.xls",
    "wjx_satisfaction_text.xlsx",
    "wjx_satisfaction_text_gbk.csv",
]
MATRIX_ROWS = ["补助资金发放及时性", "补助标准合理性", "申请流程便捷性", "政策宣传到位程度"]
CHANNELS = ["学校通知", "微信公众号", "宣传海报", "亲友介绍", "其他"]
# samples/README.md: item → (n, rate %, score index) over all 240 answers.
EXPECTED = {
    "您对以下方面的满意程度—补助资金发放及时性": (240, "79.58", "81.21"),
    "您对以下方面的满意程度—补助标准合理性": (240, "78.33", "81.38"),
    "您对以下方面的满意程度—申请流程便捷性": (240, "79.58", "82.88"),
    "您对以下方面的满意程度—政策宣传到位程度": (240, "82.50", "83.75"),
    "总体而言，您对本项目是否满意": (240, "82.50", "83.08"),
}


def question_dicts() -> list[dict]:
    """The sample questionnaire in the API body shape (option order = 问卷星 option numbers)."""
    likert = list(LIKERT_LABELS)
    return [
        {"key": "q1", "text": "您的身份", "type": "single",
         "options": ["学生家长", "教师", "学校管理人员", "其他"], "group": True},
        {"key": "q2", "text": "您所在的区域", "type": "single", "options": ["城区", "乡镇", "农村"],
         "group": True},
        {"key": "q3", "text": "您是通过哪些渠道了解本项目的", "type": "multiple", "options": CHANNELS},
        {"key": "q4", "text": "您对以下方面的满意程度", "type": "matrix", "options": likert,
         "scores": [100, 80, 60, 30, 0], "rows": MATRIX_ROWS, "satisfaction_item": True,
         "weight": 1},
        {"key": "q5", "text": "总体而言，您对本项目是否满意", "type": "likert", "options": likert,
         "satisfaction_item": True, "required": True},
        {"key": "q6", "text": "您对本项目还有哪些意见和建议", "type": "text"},
    ]  # fmt: skip


def questionnaire() -> list[Question]:
    return questions_from_dicts(question_dicts())


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def make_survey(
    db, demo, *, title: str = "测试问卷", questions=None, actor: str = "demo-evaluator"
):
    """A draft survey with the sample questionnaire in the demo engagement."""
    survey = survey_service.create_survey(
        db,
        actor=demo.users[actor],
        engagement=demo.engagement,
        title=title,
        questions=questionnaire() if questions is None else questions,
    )
    db.flush()
    return survey


def count_responses(db, survey: Survey) -> int:
    return db.exec(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
    ).one()


def count_imports(db, survey: Survey) -> int:
    return db.exec(
        select(func.count()).select_from(SurveyImport).where(SurveyImport.survey_id == survey.id)
    ).one()


def item_figures(body_items) -> dict:
    """{question: (n, rate, score_index)} from API items."""
    return {i["question"]: (i["n"], i["rate"], i["score_index"]) for i in body_items}
