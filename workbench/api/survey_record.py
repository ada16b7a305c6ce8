"""A survey's record through the API: its collection state, sample plan, waiver and the
satisfaction indicators that take their value from it (issue 21).

The same services as the survey page's buttons (`surveys.services`: open / close / reopen, the
sample plan, the lead's waiver, linking a satisfaction leaf) under the same predicates
(`surveys.read`, `surveys.write`, `surveys.manage`); the survey stage's gate reads what is
recorded here. A survey is named alone (/surveys/{survey_id}); its engagement decides who sees it.
"""

from __future__ import annotations

from flask_login import current_user

from workbench import db
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.survey_record_schemas import (
    SamplePlanIn,
    SampleWaiverIn,
    SurveyLinkIn,
    SurveyLinkOut,
    SurveyRecordOut,
    SurveyStateIn,
)
from workbench.api.versions import require_current, tagged
from workbench.core.permissions import guarded_object, requires
from workbench.fieldwork.services import papers
from workbench.surveys import services


def _record(scope: services.SurveyScope):
    """The survey's record with its version as the ETag."""
    session = db.session()
    survey = scope.survey
    session.refresh(survey)  # the version the service's flush wrote
    valid, collected = services.valid_count(session, survey)
    linked = services.linked_indicators(session, scope.engagement, survey)
    body = SurveyRecordOut(
        **survey.model_dump(
            include={
                "id", "engagement_id", "title", "status", "version", "closed_at",
                "sample_population", "sample_confidence", "sample_margin", "sample_planned_at",
            }
        ),
        status_name=survey.status_name,
        required_sample=services.required_sample(survey),
        valid=valid,
        collected=collected,
        waived=survey.waived,
        waived_reason=survey.sample_waived_reason,
        links=[
            SurveyLinkOut(
                indicator_id=i.id,
                indicator_path=list(i.path),
                metric=i.survey_link.get("metric") or "",
                item=i.survey_link.get("item"),
                group=i.survey_link.get("group"),
                description=services.describe_link(i.survey_link, {survey.id: survey}),
            )
            for i in linked
        ],
    )  # fmt: skip
    return tagged(respond(body), survey.version)


@operation(
    "/surveys/{survey_id}",
    "GET",
    summary=(
        "问卷的回收状态、抽样方案（应回收的有效问卷数）、有效/已回收份数、样本量豁免，"
        "以及取自本问卷结果的满意度指标；响应头 ETag 为修改抽样方案所需的版本"
    ),
    response=SurveyRecordOut,
    tag="surveys",
)
@requires("surveys.read", load=services.survey_by_id)
def get_survey_record(survey_id: int):
    return _record(guarded_object())


@operation(
    "/surveys/{survey_id}/state",
    "POST",
    summary=(
        "问卷回收状态 {action: open|close|reopen, reason}：开始回收、结束回收，或由项目负责人"
        "写明原因后重新开启；当前状态不允许时 409"
    ),
    body=SurveyStateIn,
    response=SurveyRecordOut,
    tag="surveys",
)
@requires("surveys.write", load=services.survey_by_id)
def set_survey_state(survey_id: int):
    scope = guarded_object()
    body = parse_body(SurveyStateIn)
    kwargs = dict(actor=current_user, engagement=scope.engagement, survey=scope.survey)
    if body.action == "open":
        services.open_survey(db.session(), **kwargs)
    elif body.action == "close":
        services.close_survey(db.session(), **kwargs)
    else:
        services.reopen_survey(db.session(), **kwargs, reason=body.reason)
    return _record(scope)


@operation(
    "/surveys/{survey_id}/sample-plan",
    "PUT",
    summary=(
        "抽样方案 {population（总体数量，未知时为空）, confidence（0.90/0.95/0.99）, "
        "margin（允许误差，小数）}：据此计算应回收的有效问卷数（required_sample）；须带 If-Match"
    ),
    body=SamplePlanIn,
    response=SurveyRecordOut,
    tag="surveys",
    versioned=True,
)
@requires("surveys.write", load=services.survey_by_id)
def put_sample_plan(survey_id: int):
    scope = guarded_object()
    body = parse_body(SamplePlanIn)
    version = require_current(scope.survey.version)
    services.set_sample_plan(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        survey=scope.survey,
        population=body.population,
        confidence=body.confidence,
        margin=body.margin,
        version=version,
    )
    return _record(scope)


@operation(
    "/surveys/{survey_id}/sample-waiver",
    "POST",
    summary="项目负责人豁免样本量要求 {reason}：有效问卷少于抽样方案要求仍予接受，理由记入审计日志",
    body=SampleWaiverIn,
    response=SurveyRecordOut,
    tag="surveys",
)
@requires("surveys.manage", load=services.survey_by_id)
def waive_survey_sample(survey_id: int):
    scope = guarded_object()
    body = parse_body(SampleWaiverIn)
    services.waive_sample(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        survey=scope.survey,
        reason=body.reason,
    )
    return _record(scope)


@operation(
    "/surveys/{survey_id}/links",
    "POST",
    summary=(
        "满意度指标取自本问卷结果 {indicator_path, metric, item, group}：指标的实际值改为问卷的"
        "满意率或满意度指数；改变已确认的指标或已签字的评分时须 confirm_clear_signoffs=true，否则 409"
    ),
    body=SurveyLinkIn,
    response=SurveyRecordOut,
    tag="surveys",
)
@requires("surveys.write", load=services.survey_by_id)
def link_survey_indicator(survey_id: int):
    scope = guarded_object()
    body = parse_body(SurveyLinkIn)
    session = db.session()
    [indicator_id] = papers.indicator_ids_for_paths(
        session, engagement=scope.engagement, paths=[body.indicator_path]
    )
    services.link_indicator(
        session,
        actor=current_user,
        engagement=scope.engagement,
        survey=scope.survey,
        indicator_id=indicator_id,
        metric=body.metric,
        item=body.item,
        group=body.group,
        confirm_clear=body.confirm_clear_signoffs,
    )
    return _record(scope)
