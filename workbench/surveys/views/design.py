"""The questionnaire designer: one form per question, add, move, delete."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.forms import attach_errors
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.surveys import loaders
from workbench.surveys.blueprint import bp
from workbench.surveys.design import questionnaire as service
from workbench.surveys.design.edit_rules import scores_text
from workbench.surveys.design.questionnaire import questions_of, response_count
from workbench.surveys.views.forms import QuestionForm, VersionForm


def _design_url(scope, anchor: str = "") -> str:
    url = url_for("surveys.design", engagement_id=scope.engagement.id, survey_id=scope.survey.id)
    return url + (f"#{anchor}" if anchor else "")


def prefix(key: str | None) -> str:
    """Each question's form on the page has its own field names (and element ids)."""
    return f"q_{key}" if key else "new"


def _filled(question) -> QuestionForm:
    form = QuestionForm(formdata=None, prefix=prefix(question.key))
    form.text.data = question.text
    form.type.data = question.type
    form.options.data = "\n".join(question.options)
    form.scores.data = scores_text(question.scores)
    form.rows.data = "\n".join(question.rows)
    form.required.data = question.required
    form.satisfaction_item.data = question.satisfaction_item
    form.weight.data = format(question.weight.normalize(), "f")
    form.group.data = question.group
    return form


def _fields(form: QuestionForm) -> dict:
    return {
        "text": form.text.data,
        "type": form.type.data,
        "options": form.options.data,
        "scores": form.scores.data,
        "rows": form.rows.data,
        "required": form.required.data,
        "satisfaction_item": form.satisfaction_item.data,
        "weight": form.weight.data,
        "group": form.group.data,
    }


def _page(scope, *, new_form=None, failed_key=None, failed_form=None, status=200):
    survey = scope.survey
    questions = questions_of(survey)
    forms = {q.key: _filled(q) for q in questions}
    if failed_key and failed_form is not None:
        forms[failed_key] = failed_form
    new_form = new_form or QuestionForm(formdata=None, prefix=prefix(None))
    for form in [*forms.values(), new_form]:
        form.version.data = survey.version
    return (
        render_template(
            "surveys/design.html",
            engagement=scope.engagement,
            survey=survey,
            questions=questions,
            forms=forms,
            new_form=new_form,
            version_form=VersionForm(formdata=None, version=survey.version),
            responses=response_count(db.session(), survey),
            can_write=allowed("surveys.write", scope),
            open_key=failed_key,
        ),
        status,
    )


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/design")
@requires("surveys.read", load=loaders.survey)
def design(engagement_id: int, survey_id: int):
    return _page(guarded_object())


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/questions", methods=["POST"])
@requires("surveys.write", load=loaders.survey)
def question_add(engagement_id: int, survey_id: int):
    scope = guarded_object()
    form = QuestionForm(prefix=prefix(None))
    if not form.validate_on_submit():
        return _page(scope, new_form=form, status=422)
    try:
        question = service.save_question(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            survey=scope.survey,
            version=form.version.data,
            key=None,
            fields=_fields(form),
        )
    except ValidationFailed as error:
        attach_errors(form, error)
        return _page(scope, new_form=form, status=422)
    flash(f"已新增题目“{question.text}”", "success")
    return redirect(_design_url(scope, f"q-{question.key}"))


@bp.route(
    "/engagements/<int:engagement_id>/surveys/<int:survey_id>/questions/<key>", methods=["POST"]
)
@requires("surveys.write", load=loaders.survey)
def question_save(engagement_id: int, survey_id: int, key: str):
    scope = guarded_object()
    form = QuestionForm(prefix=prefix(key))
    if not form.validate_on_submit():
        return _page(scope, failed_key=key, failed_form=form, status=422)
    try:
        service.save_question(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            survey=scope.survey,
            version=form.version.data,
            key=key,
            fields=_fields(form),
        )
    except ValidationFailed as error:
        attach_errors(form, error)
        return _page(scope, failed_key=key, failed_form=form, status=422)
    flash("题目已保存", "success")
    return redirect(_design_url(scope, f"q-{key}"))


@bp.route(
    "/engagements/<int:engagement_id>/surveys/<int:survey_id>/questions/<key>/delete",
    methods=["POST"],
)
@requires("surveys.write", load=loaders.survey)
def question_delete(engagement_id: int, survey_id: int, key: str):
    scope = guarded_object()
    form = VersionForm()
    if form.validate_on_submit():
        service.delete_question(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            survey=scope.survey,
            version=form.version.data,
            key=key,
        )
        flash("题目已删除", "success")
    return redirect(_design_url(scope))


@bp.route(
    "/engagements/<int:engagement_id>/surveys/<int:survey_id>/questions/<key>/move",
    methods=["POST"],
)
@requires("surveys.write", load=loaders.survey)
def question_move(engagement_id: int, survey_id: int, key: str):
    scope = guarded_object()
    form = VersionForm()
    if form.validate_on_submit():
        service.move_question(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            survey=scope.survey,
            version=form.version.data,
            key=key,
            offset=-1 if request.form.get("direction") == "up" else 1,
        )
    return redirect(_design_url(scope, f"q-{key}"))
