"""Personal data the surveys hold: what a respondent wrote into a 姓名/联系方式 question.

Used by the report's public version (公开版) to remove those values wherever the report text
repeats them; the patterns (reports/redaction.py) catch phone and ID numbers anyway.
"""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from workbench.surveys.design.questionnaire import questions_of
from workbench.surveys.models import Survey, SurveyResponse

# A text question asking for a name or a contact detail (姓名, 联系人, 联系电话, 手机, 身份证…).
PERSONAL_QUESTION = re.compile(
    r"姓名|名字|称呼|联系人|联系电话|联系方式|电话|手机|身份证|邮箱|住址"
)


def respondent_values(db: Session, engagement_id: int) -> list[str]:
    """Every non-empty answer to a personal text question in the engagement's surveys."""
    surveys = db.exec(select(Survey).where(Survey.engagement_id == engagement_id)).all()
    keys = {
        survey.id: [
            q.key
            for q in questions_of(survey)
            if q.type == "text" and PERSONAL_QUESTION.search(q.text)
        ]
        for survey in surveys
    }
    wanted = {sid: k for sid, k in keys.items() if k}
    if not wanted:
        return []
    values: set[str] = set()
    responses = db.exec(
        select(SurveyResponse.survey_id, SurveyResponse.answers).where(
            col(SurveyResponse.survey_id).in_(list(wanted))
        )
    ).all()
    for survey_id, answers in responses:
        for key in wanted[survey_id]:
            value = (answers or {}).get(key)
            if isinstance(value, str) and value.strip():
                values.add(value.strip())
    return sorted(values)
