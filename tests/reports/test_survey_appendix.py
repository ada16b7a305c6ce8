"""Issue 13 item 5: 附件2 covers every survey linked to an indicator, α with its meaning."""

from __future__ import annotations

from decimal import Decimal as D

from sqlmodel import select

from tests.reports.report_helpers import open_version
from workbench.indicators.models import Indicator
from workbench.reports import services
from workbench.reports.survey_appendix import (
    AppendixSurvey,
    PlannedSample,
    alpha_text,
    appendix_context,
)
from workbench.surveys.collection import responses
from workbench.surveys.design import surveys as survey_service
from workbench.surveys.design.questions import LIKERT_LABELS, questions_from_dicts


def test_alpha_meaning_warning_and_small_samples():
    assert alpha_text(D("0.87"), 229) == (
        "满意度量表的信度系数（Cronbach's α）为0.87，信度良好，问卷结果的内部一致性可以接受。",
        "",
    )
    small, warning = alpha_text(D("0.97"), 4)
    assert "信度良好" not in small and "仅4份" in small and not warning
    low, warning = alpha_text(D("0.52"), 229)
    assert low.endswith("为0.52。") and warning.startswith(
        "信度系数低于0.6，该问卷结果的内部一致性不足"
    )
    negative, warning = alpha_text(D("-0.1594"), 229)
    assert negative.endswith("为-0.16。") and warning.startswith("信度系数为负值")
    assert "未能计算信度系数" in alpha_text(None, 229)[0]


def test_every_linked_survey_with_its_sample_against_the_plan():
    main = AppendixSurvey(
        "家长问卷",
        240,
        229,
        population="受益学生家长",
        validity_rate=D("95.42"),
        required=193,
        alpha=D("0.81"),
        alpha_n=229,
        indicators=["家长满意度"],
    )
    small = AppendixSurvey(
        "学生问卷", 4, 4, method="问卷调查（纸质录入）", indicators=["学生满意度"]
    )
    idle = AppendixSurvey("未用问卷", 0, 0)
    found = appendix_context([idle, small, main], PlannedSample(required=373, issued=400))
    titles = [s["title"] for s in found["surveys"]]
    assert titles == ["学生问卷", "家长问卷"]  # linked ones; the unanswered, unlinked one left out
    student, parent = found["surveys"]
    assert student["intro"] == (
        "调查方式为问卷调查（纸质录入），用于“学生满意度”指标的评分。评价方案确定的计划有效样本量为"
        "373份，实际有效问卷4份，为计划的1.07%，未达到计划样本量，计划发放问卷400份，回收4份，"
        "回收率1.00%。"
    )
    assert (
        "该问卷抽样方案确定的计划有效样本量为193份（评价方案为373份），实际有效问卷229份"
        in (parent["intro"])
    )
    assert "回收率60.00%，有效率95.42%。" in parent["intro"]
    assert appendix_context([], None) == {"surveys": []}


def _small_linked_survey(db, demo) -> None:
    """A 4-answer paper survey linked to 学生满意度 beside the demo's 问卷星 survey."""
    evaluator = demo.users["demo-evaluator"]
    likert = list(LIKERT_LABELS)
    questions = questions_from_dicts(
        [
            {"key": "q1", "text": "饭菜口味", "type": "likert", "options": likert,
             "satisfaction_item": True},
            {"key": "q2", "text": "饭菜分量", "type": "likert", "options": likert,
             "satisfaction_item": True},
        ]
    )  # fmt: skip
    survey = survey_service.create_survey(
        db, actor=evaluator, engagement=demo.engagement, title="学生满意度网络调查",
        questions=questions, respondents="受益学生",
    )  # fmt: skip
    for a, b in (("1", "1"), ("2", "2"), ("1", "2"), ("3", "3")):
        responses.enter_paper(
            db, actor=evaluator, engagement=demo.engagement, survey=survey,
            form={"a.q1": [a], "a.q2": [b]},
        )  # fmt: skip
    leaf = db.exec(
        select(Indicator).where(
            Indicator.engagement_id == demo.engagement.id, Indicator.name == "学生满意度"
        )
    ).one()
    leaf.survey_link = {"survey_id": survey.id, "metric": "rate"}
    db.add(leaf)
    db.flush()


def test_report_appendix_lists_both_linked_surveys(ctx, db, demo):
    _small_linked_survey(db, demo)
    version = services.generate(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, kind="report"
    )
    texts = [p.text for p in open_version(version).paragraphs]
    appendix = texts[texts.index("附件2　满意度调查统计") :]
    assert "1. 学生家长满意度调查" in appendix and "2. 学生满意度网络调查" in appendix
    body = "\n".join(appendix)
    assert "用于“家长满意度”指标的评分" in body and "用于“学生满意度”指标的评分" in body
    assert "实际有效问卷229份" in body and "实际有效问卷4份" in body
    assert "信度良好" not in body  # α on 4 answers is not judged, the demo's α is negative
    assert "完整答卷仅4份（少于30份），样本过小，该系数不足以判断信度" in body
    assert "信度系数为负值" in body
    assert "表2-1　学生家长满意度调查" in body and "表2-2　学生满意度网络调查" in body
