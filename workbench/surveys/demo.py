"""Demo: the parents' satisfaction survey, created from the sample 问卷星 export with its 240 answers.

The questionnaire is detected from wjx_satisfaction_text.xlsx, every answer imported, the 30-second
filter applied (11 answers excluded, 229 valid), the survey closed, and the 家长满意度 leaf of the
demo indicator tree (when the indicators demo imported it) linked to the overall satisfaction rate.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from flask import has_app_context
from sqlmodel import Session, select

import workbench
from workbench.core import audit
from workbench.engagements.models import Engagement
from workbench.indicators.models import Indicator
from workbench.surveys.collection.responses import RulesInput, set_rules
from workbench.surveys.collection.sample_plan import set_sample_plan
from workbench.surveys.collection.states import close_survey
from workbench.surveys.design.surveys import SettingsInput, create_survey, update_settings
from workbench.surveys.imports import parse_responses, propose_mapping, read_table
from workbench.surveys.imports.from_export import create_from_export, detected_questions
from workbench.surveys.imports.service import confirm_import
from workbench.surveys.imports.writer import write_responses
from workbench.surveys.linking import link_indicator
from workbench.surveys.models import Channel, Survey

SAMPLE = Path(workbench.__file__).parent / "demo" / "samples" / "wjx_satisfaction_text.xlsx"
TITLE = "学生家长满意度调查"
PURPOSE = (
    "了解受益学生家长及学校教职工对营养改善计划补助资金发放、补助标准、申请流程和政策宣传的评价，"
    "作为“家长满意度”指标的评分依据。本问卷匿名填写，仅用于统计分析。"
)


def fill(session: Session, engagement: Engagement, users: dict) -> None:
    """Create, import, filter, plan, close and link the demo survey as demo-evaluator/demo-lead."""
    evaluator = users["demo-evaluator"]
    survey = _create_and_import(session, engagement, evaluator)
    update_settings(
        session,
        actor=evaluator,
        engagement=engagement,
        survey=survey,
        data=SettingsInput(title=TITLE, purpose=PURPOSE, respondents="受益学生家长"),
        version=survey.version,
    )
    set_rules(
        session,
        actor=evaluator,
        engagement=engagement,
        survey=survey,
        data=RulesInput(min_duration_seconds=30, top_k=2),
        version=survey.version,
    )
    # About 12,000 pupils' families; ±7 % at 95 % confidence needs 193 valid answers.
    set_sample_plan(
        session,
        actor=evaluator,
        engagement=engagement,
        survey=survey,
        population=12000,
        confidence=Decimal("0.95"),
        margin=Decimal("0.07"),
        version=survey.version,
    )
    close_survey(session, actor=evaluator, engagement=engagement, survey=survey)
    leaf = session.exec(
        select(Indicator).where(
            Indicator.engagement_id == engagement.id,
            Indicator.name == "家长满意度",
            Indicator.rule == "satisfaction",
        )
    ).first()
    if leaf is not None:
        link_indicator(
            session,
            actor=users["demo-lead"],
            engagement=engagement,
            survey=survey,
            indicator_id=leaf.id,
            metric="rate",
        )


def _create_and_import(session: Session, engagement: Engagement, evaluator) -> Survey:
    """Through the upload and confirm steps; without an application (no storage folder, as in
    the test fixtures) the parsed rows are written directly, without keeping the file."""
    data = SAMPLE.read_bytes()
    if has_app_context():
        survey, job = create_from_export(
            session, actor=evaluator, engagement=engagement, title=TITLE,
            filename=SAMPLE.name, data=data,
        )  # fmt: skip
        confirm_import(session, actor=evaluator, engagement=engagement, survey=survey, job=job)
        return survey
    questions = detected_questions(SAMPLE.name, data)
    survey = create_survey(
        session, actor=evaluator, engagement=engagement, title=TITLE, questions=questions
    )
    table = read_table(data, filename=SAMPLE.name)
    parsed = parse_responses(table, questions, propose_mapping(table, questions))
    imported, _skipped = write_responses(
        session, survey=survey, responses=parsed.responses, channel=Channel.wjx, import_id=None
    )
    audit.record(
        session,
        actor=evaluator,
        action="survey.import",
        obj=survey,
        engagement_id=engagement.id,
        after={"filename": SAMPLE.name, "imported": imported},
        summary=f"{survey.title}：导入“{SAMPLE.name}”新增 {imported} 份答卷",
    )
    return survey
