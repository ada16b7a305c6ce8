"""Loaders for guarded views: the survey (or import) from the URL inside its engagement."""

from __future__ import annotations

from workbench import db
from workbench.core.errors import NotFound
from workbench.engagements import services as engagements
from workbench.engagements.services import load_engagement as engagement  # noqa: F401
from workbench.surveys.models import Survey, SurveyImport
from workbench.surveys.permissions import SurveyScope


def get_survey(engagement_id: int, survey_id: int) -> Survey:
    """The survey, 404 unless it belongs to the engagement."""
    found = db.session().get(Survey, survey_id)
    if found is None or found.engagement_id != engagement_id:
        raise NotFound("问卷不存在")
    return found


def survey(engagement_id: int, survey_id: int, **_) -> SurveyScope:
    found = engagements.get(db.session(), engagement_id)
    return SurveyScope(found, survey=get_survey(engagement_id, survey_id))


def survey_by_id(survey_id: int, **_) -> SurveyScope:
    """API paths name a survey alone (/surveys/{survey_id}/…); its engagement decides who may see
    it. The placeholder is not `sid`, which the review API uses for submissions."""
    found = db.session().get(Survey, survey_id)
    if found is None:
        raise NotFound("问卷不存在")
    return SurveyScope(engagements.get(db.session(), found.engagement_id), survey=found)


def job(engagement_id: int, survey_id: int, import_id: int, **_) -> SurveyScope:
    scope = survey(engagement_id, survey_id)
    found = db.session().get(SurveyImport, import_id)
    if found is None or found.survey_id != scope.survey.id:
        raise NotFound("导入记录不存在")
    scope.job = found
    return scope
