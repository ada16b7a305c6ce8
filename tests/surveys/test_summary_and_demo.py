"""The report's survey summary, and the demo survey."""

from sqlmodel import select

from tests.surveys.helpers import make_survey
from workbench.core.audit import AuditEntry
from workbench.surveys.models import Survey, SurveyResponse
from workbench.surveys.services import report_summary


def test_report_summary_shape_and_figures(db, demo):
    make_survey(db, demo, title="尚无答卷的问卷")
    data = report_summary(db, demo.engagement)
    first, empty = data["surveys"]
    assert set(first) >= {
        "title", "purpose", "collected", "valid", "validity_rate", "required_sample", "items",
        "overall", "cronbach_alpha", "distribution",
    }  # fmt: skip
    assert (first["title"], first["collected"], first["valid"]) == ("学生家长满意度调查", 240, 229)
    assert (first["validity_rate"], first["required_sample"]) == ("95.42", 193)
    assert first["overall"] == {"n": 229, "rate": "80.44", "score_index": "82.48"}
    assert first["cronbach_alpha"] == "-0.1594"
    assert first["items"][-1] == {
        "question": "总体而言，您对本项目是否满意",
        "n": 229,
        "rate": "82.10",
        "score_index": "83.14",
        "ci_low": "76.61",
        "ci_high": "86.52",
    }
    dist = first["distribution"]
    assert dist["levels"] == ["非常满意", "满意", "一般", "不满意", "非常不满意"]
    assert len(dist["items"]) == 5 and all(sum(row) == 229 for row in dist["counts"])
    assert (empty["collected"], empty["overall"]["rate"], empty["cronbach_alpha"]) == (
        0,
        None,
        None,
    )
    # The primary survey's figures also sit at the top level (what reports.collect reads).
    assert (data["collected"], data["valid"], data["sample_target"]) == (240, 229, 193)
    assert data["items"][0]["distribution"][0] == {"option": "非常满意", "count": 98}
    assert data["population"] == "受益学生家长" and data["method"] == "问卷调查（问卷星导入）"
    assert data["notes"][0] == "有效问卷筛选规则：剔除答题用时少于 30 秒的答卷，共剔除 11 份"


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
