"""Route × role expectations of the survey pages and API (tests/test_permission_matrix)."""

from sqlmodel import select

from tests.permissions_roles import INTERNAL, MANAGE, PUBLIC, TEAM, each_role
from workbench.core import storage
from workbench.core.storage import Blob
from workbench.indicators.models import Indicator
from workbench.surveys.design import surveys as survey_service
from workbench.surveys.models import ImportStatus, Survey, SurveyImport, SurveyResponse

EXPECTED = {
    "surveys.index": INTERNAL,
    "surveys.create": TEAM,
    "surveys.copy": TEAM,
    "surveys.detect": TEAM,
    "surveys.show": INTERNAL,
    "surveys.settings": TEAM,
    "surveys.state": TEAM,
    "surveys.plan": TEAM,
    "surveys.waive": MANAGE,
    "surveys.delete": TEAM,
    "surveys.link": TEAM,
    "surveys.unlink": TEAM,
    "surveys.design": INTERNAL,
    "surveys.question_add": TEAM,
    "surveys.question_save": TEAM,
    "surveys.question_delete": TEAM,
    "surveys.question_move": TEAM,
    "surveys.public_form": PUBLIC,
    "surveys.public_submit": PUBLIC,
    "surveys.public_thanks": PUBLIC,
    "surveys.qr_png": INTERNAL,
    "surveys.qr_svg": INTERNAL,
    "surveys.poster": INTERNAL,
    "surveys.entry": TEAM,
    "surveys.imports": INTERNAL,
    "surveys.import_upload": TEAM,
    "surveys.import_show": INTERNAL,
    "surveys.import_confirm": TEAM,
    "surveys.import_progress": INTERNAL,
    "surveys.import_cancel": TEAM,
    "surveys.responses_list": INTERNAL,
    "surveys.override": TEAM,
    "surveys.rules": TEAM,
    "surveys.stats": INTERNAL,
    "surveys.export_xlsx": INTERNAL,
    "surveys.export_paper": TEAM,
    "api.list_surveys_get": INTERNAL,
    "api.create_survey_post": TEAM,
    "api.import_survey_post": TEAM,
    "api.survey_stats_get": INTERNAL,
    # A survey's record through the API: the page's predicates (read, write; the waiver the lead's).
    "api.get_survey_record_get": INTERNAL,
    "api.set_survey_state_post": TEAM,
    "api.put_sample_plan_put": TEAM,
    "api.waive_survey_sample_post": MANAGE,
    "api.link_survey_indicator_post": TEAM,
}


def params(db, demo) -> dict:
    """The demo survey (closed, 240 answers, linked to 家长满意度) and a cancelled import of it."""
    survey = db.exec(
        select(Survey).where(
            Survey.engagement_id == demo.engagement.id, Survey.title == "学生家长满意度调查"
        )
    ).one()
    response = db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).first()
    sha = "ef" * 32  # a blob row without a stored file: nothing reads it for a cancelled import
    if db.get(Blob, sha) is None:
        db.add(Blob(sha256=sha, size=4, mime="text/csv"))
    job = SurveyImport(
        survey_id=survey.id,
        sha256=sha,
        filename="matrix.csv",
        status=ImportStatus.cancelled.value,
        created_by_id=demo.users["demo-evaluator"].id,
    )
    db.add(job)
    db.flush()
    leaf = db.exec(
        select(Indicator).where(
            Indicator.engagement_id == demo.engagement.id, Indicator.name == "家长满意度"
        )
    ).one()
    assert survey_service.response_counts(db, [survey.id])[survey.id] == 240
    return {
        "survey_id": survey.id,
        "import_id": job.id,
        "response_id": response.id,
        "indicator_id": leaf.id,
        "key": "q1",
        "token": survey.token,
    }


def endpoint_params(db, demo) -> dict:
    """Fresh objects for the calls that use theirs up: an empty survey, a pending import, a link."""
    from workbench.surveys import linking
    from workbench.surveys.collection import states

    engagement, evaluator = demo.engagement, demo.users["demo-evaluator"]
    demo_survey = db.exec(
        select(Survey).where(
            Survey.engagement_id == engagement.id, Survey.title == "学生家长满意度调查"
        )
    ).one()
    leaf = db.exec(
        select(Indicator).where(
            Indicator.engagement_id == engagement.id, Indicator.name == "家长满意度"
        )
    ).one()

    collecting = survey_service.create_from_template(
        db, actor=evaluator, engagement=engagement, template_key="parents", title="矩阵回收中问卷"
    )
    states.open_survey(db, actor=demo.users["demo-lead"], engagement=engagement, survey=collecting)

    def empty_survey(role: str) -> int:
        survey = survey_service.create_survey(
            db, actor=evaluator, engagement=engagement, title=f"矩阵{role}问卷"
        )
        db.flush()
        return survey.id

    def pending_import(role: str, survey: Survey = demo_survey) -> int:
        job = SurveyImport(
            survey_id=survey.id, sha256=storage.store(db, b"q1\n1\n").sha256,
            filename=f"{role}.csv", status=ImportStatus.pending.value,
            created_by_id=evaluator.id,
        )  # fmt: skip
        db.add(job)
        db.flush()
        return job.id

    def linked(role: str) -> int:
        """Link the leaf again before each call (the previous allowed call unlinked it)."""
        db.refresh(leaf)
        if leaf.survey_link is None:
            linking.link_indicator(
                db, actor=evaluator, engagement=engagement, survey=demo_survey,
                indicator_id=leaf.id, metric="rate", item="q5",
            )  # fmt: skip
            db.flush()
        return leaf.id

    return {
        "surveys.delete": {"survey_id": each_role(empty_survey)},
        "surveys.import_cancel": {"import_id": each_role(pending_import)},
        "surveys.unlink": {"indicator_id": linked},
        # The demo survey is closed: data entry and imports go to one still collecting.
        "surveys.entry": {"survey_id": collecting.id},
        "surveys.import_confirm": {
            "survey_id": collecting.id,
            "import_id": each_role(lambda role: pending_import(role, collecting)),
        },
    }
