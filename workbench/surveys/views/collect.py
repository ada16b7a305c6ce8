"""Collecting answers: the public form (no login), QR codes, the A4 poster, paper entry."""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from workbench import db
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.permissions import guarded_object, public, requires
from workbench.core.public_links import external_url
from workbench.engagements import services as engagements
from workbench.extensions import limiter
from workbench.surveys import loaders
from workbench.surveys.blueprint import bp
from workbench.surveys.collection import device, qr
from workbench.surveys.collection.entry import field_name, row_field_name
from workbench.surveys.collection.responses import enter_paper, submit_online
from workbench.surveys.design import surveys as service
from workbench.surveys.design.questionnaire import questions_of, response_count
from workbench.surveys.models import Channel
from workbench.surveys.views.forms import CsrfForm


def _submit_limit() -> str:
    # Per IP: a parents' meeting on one school Wi-Fi must not be throttled.
    return current_app.config.get("SURVEY_SUBMIT_LIMIT", "60 per minute;1000 per hour")


def _public_channel() -> Channel:
    """Offline answers are told apart: a laptop in the field collects them on its hotspot."""
    return Channel.offline if current_app.config.get("OFFLINE") else Channel.online


def _closed(message: str, status: int = 200):
    return render_template("surveys/public_closed.html", message=message), status


def _public_survey(token: str):
    """(survey, engagement, problem): the survey of a link and why it cannot be answered now."""
    session = db.session()
    survey = service.by_token(session, token)
    if survey is None:
        return None, None, "问卷链接无效，请核对链接或重新扫描二维码"
    engagement = engagements.get(session, survey.engagement_id)
    problem = service.accepting_problem(survey)
    if problem is None and engagement.is_archived:
        problem = "问卷已结束回收，感谢您的关注"
    if problem is None and survey.one_per_device and device.answered_here(survey, request):
        problem = "您已经填写过本问卷，感谢您的参与！"
    return survey, engagement, problem


def _form_page(survey, *, values=None, errors=None, status=200):
    errors = errors or []
    return (
        render_template(
            "surveys/public_form.html",
            survey=survey,
            questions=questions_of(survey),
            started=device.started_token(survey),
            values=values or {},
            errors={e.field: e.message for e in errors},
            error_list=[e.message for e in errors],
            field_name=field_name,
            row_field_name=row_field_name,
        ),
        status,
    )


@bp.route("/s/<token>")
@public
def public_form(token: str):
    survey, _engagement, problem = _public_survey(token)
    if survey is None:
        return _closed(problem, 404)
    if problem:
        return _closed(problem)
    return _form_page(survey)


@bp.route("/s/<token>", methods=["POST"])
@limiter.limit(_submit_limit, error_message="提交过于频繁，请稍后再试")
@public
def public_submit(token: str):
    survey, engagement, problem = _public_survey(token)
    if survey is None:
        return _closed(problem, 404)
    if problem:
        return _closed(problem)
    values = request.form.to_dict(flat=False)
    try:
        submit_online(
            db.session(),
            survey=survey,
            engagement=engagement,
            form=values,
            ip=request.remote_addr,
            started_at=device.started_at(survey, request.form.get("started")),
            channel=_public_channel(),
        )
    except ValidationFailed as error:
        db.mark_rollback()
        return _form_page(survey, values=values, errors=error.details, status=422)
    except Conflict as error:
        db.mark_rollback()
        return _closed(error.message)
    response = make_response(redirect(url_for("surveys.public_thanks", token=token)))
    if survey.one_per_device:
        device.mark_answered(survey, response)
    return response


@bp.route("/s/<token>/thanks")
@public
def public_thanks(token: str):
    survey = service.by_token(db.session(), token)
    if survey is None:
        return _closed("问卷链接无效，请核对链接或重新扫描二维码", 404)
    return render_template("surveys/public_thanks.html", survey=survey)


def _public_url(survey) -> str:
    return external_url("surveys.public_form", token=survey.token)


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/qr.png")
@requires("surveys.read", load=loaders.survey)
def qr_png(engagement_id: int, survey_id: int):
    survey = guarded_object().survey
    return Response(
        qr.png(_public_url(survey)),
        mimetype="image/png",
        headers={"Content-Disposition": f'inline; filename="survey-{survey.id}-qr.png"'},
    )


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/qr.svg")
@requires("surveys.read", load=loaders.survey)
def qr_svg(engagement_id: int, survey_id: int):
    survey = guarded_object().survey
    return Response(
        qr.svg(_public_url(survey)),
        mimetype="image/svg+xml",
        headers={"Content-Disposition": f'inline; filename="survey-{survey.id}-qr.svg"'},
    )


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/poster")
@requires("surveys.read", load=loaders.survey)
def poster(engagement_id: int, survey_id: int):
    scope = guarded_object()
    return render_template(
        "surveys/poster.html",
        engagement=scope.engagement,
        survey=scope.survey,
        public_url=_public_url(scope.survey),
    )


def _entry_page(scope, *, values=None, errors=None, status=200):
    survey = scope.survey
    errors = errors or []
    return (
        render_template(
            "surveys/entry.html",
            engagement=scope.engagement,
            survey=survey,
            questions=questions_of(survey),
            values=values or {},
            errors={e.field or None: e.message for e in errors},
            error_list=[e.message for e in errors],
            field_name=field_name,
            row_field_name=row_field_name,
            entered=response_count(db.session(), survey),
            csrf_form=CsrfForm(),
        ),
        status,
    )


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/entry", methods=["GET", "POST"])
@requires("surveys.write", load=loaders.survey)
def entry(engagement_id: int, survey_id: int):
    scope = guarded_object()
    if request.method == "GET":
        return _entry_page(scope)
    values = request.form.to_dict(flat=False)
    try:
        response = enter_paper(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            survey=scope.survey,
            form=values,
            paper_no=request.form.get("paper_no", ""),
        )
    except ValidationFailed as error:
        db.mark_rollback()
        return _entry_page(scope, values=values, errors=error.details, status=422)
    number = f"（编号 {request.form.get('paper_no')}）" if request.form.get("paper_no") else ""
    flash(f"已保存纸质问卷 #{response.id}{number}，请录入下一份", "success")
    return redirect(url_for("surveys.entry", engagement_id=engagement_id, survey_id=survey_id))
