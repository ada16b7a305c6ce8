"""The report's survey summary, and the demo survey."""

from decimal import Decimal

from sqlmodel import select

from tests.indicators.helpers import new_engagement
from tests.surveys.helpers import make_survey
from workbench.core.audit import AuditEntry
from workbench.surveys.models import Survey, SurveyResponse
from workbench.surveys.services import SummaryItem, report_summary


def test_report_summary_figures(db, demo):
    make_survey(db, demo, title="尚无答卷的问卷")
    data = report_summary(db, demo.engagement)
    first, empty = data.surveys
    assert (first.title, first.collected, first.valid) == ("学生家长满意度调查", 240, 229)
    assert (first.validity_rate, first.required_sample) == (Decimal("95.42"), 193)
    assert first.overall == SummaryItem("", 229, Decimal("80.44"), Decimal("82.48"))
    assert first.cronbach_alpha == Decimal("-0.1594") and str(first.cronbach_alpha) == "-0.1594"
    last = first.items[-1]
    assert (last.name, last.n, last.rate, last.score_index, last.ci_low, last.ci_high) == (
        "总体而言，您对本项目是否满意",
        229,
        Decimal("82.10"),
        Decimal("83.14"),
        Decimal("76.61"),
        Decimal("86.52"),
    )
    assert str(last.rate) == "82.10"  # 2 places, as the report prints it
    assert first.levels == ("非常满意", "满意", "一般", "不满意", "非常不满意")
    assert len(first.chart_items) == 5 and all(sum(row) == 229 for row in first.counts)
    assert (empty.collected, empty.overall.rate, empty.cronbach_alpha) == (0, None, None)
    # The primary survey: the one the report's survey section shows.
    assert data.primary is first
    assert first.items[0].distribution[0] == ("非常满意", 98)
    assert first.respondents == "受益学生家长" and first.method == "问卷调查（问卷星导入）"
    assert first.notes[0] == "有效问卷筛选规则：剔除答题用时少于 30 秒的答卷，共剔除 11 份"


def test_no_primary_survey_before_any_answer(db, demo):
    engagement = new_engagement(db, demo, title="尚无答卷的项目")
    elsewhere = type("Demo", (), {"users": demo.users, "engagement": engagement})
    make_survey(db, elsewhere, title="尚无答卷的问卷", actor="demo-lead")
    data = report_summary(db, engagement)
    assert [s.title for s in data.surveys] == ["尚无答卷的问卷"] and data.primary is None


def test_report_collect_reads_the_summary(db, demo):
    from workbench.reports.collect import survey

    summary = survey(db, demo.engagement)
    assert (summary.collected, summary.valid, str(summary.validity_rate)) == (240, 229, "95.42")
    assert (
        summary.rows[-1].name == "总体而言，您对本项目是否满意"
        and str(summary.rows[-1].rate) == "82.10"
    )
    assert summary.levels[0] == "非常满意" and len(summary.counts) == 5


def test_demo_survey(db, demo):
    survey = db.exec(select(Survey).where(Survey.engagement_id == demo.engagement.id)).one()
    assert (survey.title, survey.status, survey.respondents) == (
        "学生家长满意度调查",
        "closed",
        "受益学生家长",
    )
    assert [q["type"] for q in survey.questions] == [
        "single",
        "single",
        "multiple",
        "matrix",
        "likert",
        "text",
    ]
    assert survey.rules["min_duration_seconds"] == 30
    answers = db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).all()
    assert len(answers) == 240 and {a.channel for a in answers} == {"wjx"}
    actions = set(
        db.exec(
            select(AuditEntry.action).where(AuditEntry.engagement_id == demo.engagement.id)
        ).all()
    )
    assert {
        "survey.create",
        "survey.import",
        "survey.rules",
        "survey.sample_plan",
        "survey.close",
        "survey.link",
    } <= actions
