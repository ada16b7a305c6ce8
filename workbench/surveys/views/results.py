"""Answers with their validity verdicts, the filters, the statistics page and its exports."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.inputs import clear_confirmed, query_int
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.surveys import loaders
from workbench.surveys.blueprint import bp
from workbench.surveys.collection import answer_list, responses
from workbench.surveys.collection.sample_plan import required_sample
from workbench.surveys.linking import linked_indicators
from workbench.surveys.models import CHANNEL_NAMES, Channel
from workbench.surveys.statistics import export
from workbench.surveys.statistics.service import SUGGESTED, compute, rules_of
from workbench.surveys.statistics.summary import distribution
from workbench.surveys.views.forms import CsrfForm, OverrideForm, RulesForm

PER_PAGE = 50


def _rules_form(survey) -> RulesForm:
    form = RulesForm(formdata=None)
    rules = rules_of(survey)
    form.min_duration_seconds.data = rules.min_duration_seconds
    form.duplicate_ip_window_minutes.data = rules.duplicate_ip_window_minutes
    form.straightlining_min_rows.data = rules.straightlining_min_rows
    form.require_answers.data = rules.require_answers
    form.top_k.data = survey.top_k
    form.version.data = survey.version
    return form


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/responses")
@requires("surveys.read", load=loaders.survey)
def responses_list(engagement_id: int, survey_id: int):
    scope = guarded_object()
    session = db.session()
    show = request.args.get("show", "all")
    show = show if show in ("all", "excluded", "valid") else "all"
    page = query_int("page", 1)
    found = answer_list.listing(session, scope.survey, show=show, page=page, per_page=PER_PAGE)
    return render_template(
        "surveys/responses.html",
        engagement=scope.engagement,
        survey=scope.survey,
        listing=found,
        rows=found.rows,
        total=found.total,
        page=page,
        per_page=PER_PAGE,
        show=show,
        rules_form=_rules_form(scope.survey),
        override_form=OverrideForm(formdata=None),
        suggested=SUGGESTED,
        rules=responses.rules_summary(scope.survey),
        channel_names={c.value: CHANNEL_NAMES[c] for c in Channel},
        can_write=allowed("surveys.write", scope),
        clears=answer_list.results_change_clears(session, scope.engagement, scope.survey),
    )


def _responses_url(scope, **args) -> str:
    return url_for(
        "surveys.responses_list",
        engagement_id=scope.engagement.id,
        survey_id=scope.survey.id,
        **args,
    )


@bp.route(
    "/engagements/<int:engagement_id>/surveys/<int:survey_id>/responses/<int:response_id>/override",
    methods=["POST"],
)
@requires("surveys.write", load=loaders.survey)
def override(engagement_id: int, survey_id: int, response_id: int):
    scope = guarded_object()
    form = OverrideForm()
    if not form.validate_on_submit():
        flash("操作无效", "danger")
    else:
        responses.set_override(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            survey=scope.survey,
            response_id=response_id,
            decision=form.decision.data,
            reason=form.reason.data or "",
            confirm_clear=clear_confirmed(),
        )
        flash(f"答卷 #{response_id}：{responses.DECISION_NAMES[form.decision.data]}", "success")
    back = request.form.get("back") or ""
    return redirect(back if back.startswith("/engagements/") else _responses_url(scope))


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/rules", methods=["POST"])
@requires("surveys.write", load=loaders.survey)
def rules(engagement_id: int, survey_id: int):
    scope = guarded_object()
    form = RulesForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return redirect(_responses_url(scope) + "#rules")
    try:
        responses.set_rules(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            survey=scope.survey,
            data=responses.RulesInput(
                min_duration_seconds=form.min_duration_seconds.data,
                duplicate_ip_window_minutes=form.duplicate_ip_window_minutes.data,
                straightlining_min_rows=form.straightlining_min_rows.data,
                require_answers=form.require_answers.data,
                top_k=form.top_k.data,
            ),
            version=form.version.data,
            confirm_clear=clear_confirmed(),
        )
    except ValidationFailed as error:
        db.mark_rollback()
        for item in error.details:
            flash(item.message, "danger")
        return redirect(_responses_url(scope) + "#rules")
    flash("有效问卷筛选规则已保存，统计结果已按新规则重新计算", "success")
    return redirect(_responses_url(scope) + "#rules")


def axis_label(item) -> str:
    """A chart row's name: a matrix row by its own sub-question (the axis is too narrow for
    "您对以下方面的满意程度—…", which would make every row look the same); others by the question."""
    return item.row or item.question


def chart_data(result) -> dict:
    """What surveys.js draws: level shares per item, rates and score indexes.

    `items`/`labels` name the axis rows (short); `item_titles`/`label_titles` are the full names
    the tooltip shows.
    """
    items = result.stats.items
    shares = distribution(items)
    by_label = {i.question: i for i in items}
    return {
        "items": [axis_label(by_label[label]) for label in shares["items"]],
        "item_titles": shares["items"],
        "levels": shares["levels"],
        "percents": [
            [float(o.percent or 0) for o in by_label[label].distribution]
            for label in shares["items"]
        ],
        "rates": [float(i.rate) if i.rate is not None else None for i in items],
        "scores": [float(i.score_index) if i.score_index is not None else None for i in items],
        "labels": [axis_label(i) for i in items],
        "label_titles": [i.question for i in items],
    }


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/stats")
@requires("surveys.read", load=loaders.survey)
def stats(engagement_id: int, survey_id: int):
    scope = guarded_object()
    result = compute(db.session(), scope.survey)
    return render_template(
        "surveys/stats.html",
        engagement=scope.engagement,
        survey=scope.survey,
        result=result,
        stats=result.stats,
        required=required_sample(scope.survey),
        rules=responses.rules_summary(scope.survey),
        chart=chart_data(result),
        linked=linked_indicators(db.session(), scope.engagement, scope.survey),
        csrf_form=CsrfForm(),
        can_write=allowed("surveys.write", scope),
    )


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/export.xlsx")
@requires("surveys.read", load=loaders.survey)
def export_xlsx(engagement_id: int, survey_id: int):
    scope = guarded_object()
    result = compute(db.session(), scope.survey)
    name = export.export_name(result)
    return Response(
        export.workbook_bytes(result, scope.engagement),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="survey-{scope.survey.id}.xlsx"; '
            f"filename*=UTF-8''{quote(name)}"
        },
    )


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/paper", methods=["POST"])
@requires("surveys.write", load=loaders.survey)
def export_paper(engagement_id: int, survey_id: int):
    scope = guarded_object()
    if not CsrfForm().validate_on_submit():
        return redirect(url_for("surveys.stats", engagement_id=engagement_id, survey_id=survey_id))
    paper = export.create_paper(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        result=compute(db.session(), scope.survey),
    )
    flash(
        f"已生成工作底稿 {paper.index_no}《{paper.title}》，请在“工作底稿”中编制和复核", "success"
    )
    target = url_for("surveys.stats", engagement_id=engagement_id, survey_id=survey_id)
    if "fieldwork.paper_show" in current_app.view_functions and allowed(
        "fieldwork.read", scope.engagement
    ):
        target = url_for("fieldwork.paper_show", engagement_id=engagement_id, paper_id=paper.id)
    return redirect(target)
