"""Survey endpoints: list/create an engagement's surveys, import a file, read the statistics."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from flask import request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from workbench import db
from workbench.api import cursor
from workbench.api.blueprint import operation, parse_body, respond
from workbench.core.errors import ValidationFailed
from workbench.core.permissions import guarded_object, requires
from workbench.core.problems import FieldError
from workbench.core.public_links import external_url
from workbench.engagements import services as engagements
from workbench.engagements.models import Engagement
from workbench.surveys import services
from workbench.surveys.models import Survey

QuestionType = Literal["single", "multiple", "likert", "matrix", "text", "number"]


def load(id: int, **_) -> Engagement:  # noqa: A002 - the path parameter is called id in DESIGN.md
    return engagements.get(db.session(), id)


class QuestionIn(BaseModel):
    """One question; `rows` for a matrix (each row becomes an item `<text>—<row>`)."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=30)
    text: str = Field(min_length=1, max_length=500)
    type: QuestionType
    options: list[str] = Field(default_factory=list, max_length=30)
    scores: list[Decimal] | None = Field(default=None, max_length=30)
    satisfaction_item: bool = False
    weight: Decimal = Field(default=Decimal(1), ge=0, le=1000, allow_inf_nan=False)
    rows: list[str] = Field(default_factory=list, max_length=60)
    group: bool = False
    required: bool = False


class SurveyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    questions: list[QuestionIn] = Field(default_factory=list, max_length=200)
    purpose: str = Field(default="", max_length=2000)
    respondents: str = Field(default="", max_length=60)


class SurveyOut(BaseModel):
    id: int
    engagement_id: int
    title: str
    status: str
    purpose: str
    respondents: str
    public_url: str
    collected: int
    required_sample: int | None
    questions: list[dict[str, Any]]


class SurveyList(BaseModel):
    items: list[SurveyOut]
    next_cursor: str | None = None


class SurveyImportOut(BaseModel):
    imported: int
    skipped_duplicates: int
    rows: int
    warnings: list[str]
    variant: str | None


class ItemOut(BaseModel):
    key: str
    question: str
    satisfaction_item: bool
    n: int
    rate: str | None
    score_index: str | None
    ci_low: str | None
    ci_high: str | None
    score_ci_low: str | None
    score_ci_high: str | None


class OverallOut(BaseModel):
    n: int
    answers: int
    rate: str | None
    score_index: str | None
    pooled_rate: str | None
    pooled_score_index: str | None


class StatsOut(BaseModel):
    survey_id: int
    title: str
    collected: int
    valid: int
    validity_rate: str | None
    top_k: int
    items: list[ItemOut]
    overall: OverallOut
    cronbach_alpha: str | None
    alpha_n: int


def _out(survey: Survey, collected: int) -> SurveyOut:
    return SurveyOut(
        id=survey.id,
        engagement_id=survey.engagement_id,
        title=survey.title,
        status=survey.status,
        purpose=survey.purpose,
        respondents=survey.respondents,
        public_url=external_url("surveys.public_form", token=survey.token),
        collected=collected,
        required_sample=services.required_sample(survey),
        questions=list(survey.questions or []),
    )


@operation(
    "/engagements/{id}/surveys",
    "GET",
    summary="项目的满意度调查问卷列表（新的在前；分页：limit, cursor）",
    response=SurveyList,
    tag="surveys",
)
@requires("surveys.read", load=load)
def list_surveys(id: int):  # noqa: A002
    session = db.session()
    rows, next_cursor = cursor.page_of(
        services.list_surveys(session, guarded_object()), lambda s: s.id
    )

    counts = services.response_counts(session, [s.id for s in rows])
    return respond(SurveyList(items=[_out(s, counts[s.id]) for s in rows], next_cursor=next_cursor))


@operation(
    "/engagements/{id}/surveys",
    "POST",
    summary="新建问卷 {title, questions: [{key, text, type, options, scores, satisfaction_item, weight, rows}]}",
    body=SurveyIn,
    response=SurveyOut,
    status=201,
    tag="surveys",
)
@requires("surveys.write", load=load)
def create_survey(id: int):  # noqa: A002
    body = parse_body(SurveyIn)
    questions = [services.Question.from_dict(q.model_dump()) for q in body.questions]
    survey = services.create_survey(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        title=body.title,
        questions=questions,
        purpose=body.purpose,
        respondents=body.respondents,
    )
    return respond(_out(survey, 0), 201)


@operation(
    "/surveys/{survey_id}/imports",
    "POST",
    summary=(
        "multipart 的 file=问卷星导出（xls/xlsx/csv）或以题目编号/题干为表头的 CSV，按自动列对应导入"
        " → {imported, skipped_duplicates}；有误或列对应不完整时 422 {errors: [{row, column, message}]}"
    ),
    response=SurveyImportOut,
    multipart="file",
    tag="surveys",
)
@requires("surveys.write", load=services.survey_by_id)
def import_survey(survey_id: int):
    scope = guarded_object()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        message = "请以 file 字段上传答卷文件（.xls、.xlsx 或 .csv）"
        raise ValidationFailed(message, details=[FieldError(message, row=None, column=None)])
    outcome = services.import_direct(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        survey=scope.survey,
        filename=upload.filename,
        data=upload.read(),
    )
    return respond(
        SurveyImportOut(
            imported=outcome.imported,
            skipped_duplicates=outcome.skipped_duplicates,
            rows=outcome.rows,
            warnings=outcome.warnings,
            variant=outcome.variant,
        )
    )


@operation(
    "/surveys/{survey_id}/stats",
    "GET",
    summary="问卷统计：{valid, collected, items: [{question, rate, score_index, ci_low, ci_high}], overall: {rate, score_index}, cronbach_alpha}",
    response=StatsOut,
    tag="surveys",
)
@requires("surveys.read", load=services.survey_by_id)
def survey_stats(survey_id: int):
    scope = guarded_object()
    result = services.compute(db.session(), scope.survey, crosstabs=False)
    return respond(StatsOut.model_validate(services.stats_body(result)))
