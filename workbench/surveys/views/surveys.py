"""Survey list, creation (template, copy, 问卷星 file), the survey page, state, plan and links."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.forms import attach_errors, choices
from workbench.core.inputs import clear_confirmed
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.core.public_links import external_url
from workbench.core.timeutil import CST, local_naive
from workbench.indicators.services import signatures_a_change_clears
from workbench.surveys import linking, loaders
from workbench.surveys.blueprint import bp
from workbench.surveys.design import catalog
from workbench.surveys.design import surveys as service
from workbench.surveys.design.questionnaire import questions_of
from workbench.surveys.imports.from_export import create_from_export
from workbench.surveys.models import SurveyImport
from workbench.surveys.statistics.service import METRICS, group_choices, item_choices, valid_count
from workbench.surveys.views.forms import (
    CopyForm,
    CreateForm,
    CsrfForm,
    DetectForm,
    LinkForm,
    PlanForm,
    ReasonForm,
    SettingsForm,
    StateForm,
)


def _index_url(engagement_id: int) -> str:
    return url_for("surveys.index", engagement_id=engagement_id)


def _show_url(scope) -> str:
    return url_for("surveys.show", engagement_id=scope.engagement.id, survey_id=scope.survey.id)


@bp.route("/engagements/<int:engagement_id>/surveys")
@requires("surveys.read", load=loaders.engagement)
def index(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    rows = service.list_surveys(session, engagement)
    counts = service.response_counts(session, [s.id for s in rows])
    create_form = CreateForm()
    create_form.template.choices = choices(
        [("", "空白问卷")] + [(t.key, t.name) for t in catalog.templates()]
    )
    copy_form = CopyForm()
    candidates = service.copy_candidates(session, user=current_user, engagement=engagement)
    copy_form.source_id.choices = choices([(s.id, f"{e.title} · {s.title}") for s, e in candidates])
    leaves = linking.satisfaction_leaves(session, engagement)
    return render_template(
        "surveys/index.html",
        engagement=engagement,
        rows=rows,
        counts=counts,
        required={s.id: service.required_sample(s) for s in rows},
        create_form=create_form,
        copy_form=copy_form,
        has_candidates=bool(candidates),
        detect_form=DetectForm(),
        leaves=leaves,
        surveys_by_id={s.id: s for s in rows},
        describe=linking.describe,
        templates=catalog.templates(),
    )


@bp.route("/engagements/<int:engagement_id>/surveys/new", methods=["POST"])
@requires("surveys.write", load=loaders.engagement)
def create(engagement_id: int):
    engagement = guarded_object()
    form = CreateForm()
    form.template.choices = choices([("", "")] + [(t.key, t.name) for t in catalog.templates()])
    if not form.validate_on_submit():
        flash("请填写问卷名称或选择模板", "danger")
        return redirect(_index_url(engagement_id))
    key, title = form.template.data or "", (form.title.data or "").strip()
    if key:
        survey = service.create_from_template(
            db.session(), actor=current_user, engagement=engagement, template_key=key, title=title
        )
    else:
        survey = service.create_survey(
            db.session(), actor=current_user, engagement=engagement, title=title
        )
    flash(f"问卷“{survey.title}”已创建，请检查题目后开始回收", "success")
    return redirect(url_for("surveys.design", engagement_id=engagement_id, survey_id=survey.id))


@bp.route("/engagements/<int:engagement_id>/surveys/copy", methods=["POST"])
@requires("surveys.write", load=loaders.engagement)
def copy(engagement_id: int):
    form = CopyForm()
    if not form.validate_on_submit() or not form.source_id.data:
        flash("请选择要复制的问卷", "danger")
        return redirect(_index_url(engagement_id))
    survey = service.copy_survey(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        source_id=form.source_id.data,
        title=form.title.data or "",
    )
    flash(f"已复制问卷“{survey.title}”（题目、筛选规则和设置，不含答卷）", "success")
    return redirect(url_for("surveys.design", engagement_id=engagement_id, survey_id=survey.id))


@bp.route("/engagements/<int:engagement_id>/surveys/detect", methods=["POST"])
@requires("surveys.write", load=loaders.engagement)
def detect(engagement_id: int):
    form = DetectForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash("请填写问卷名称并选择问卷星导出的文件", "danger")
        return redirect(_index_url(engagement_id))
    survey, job = create_from_export(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        title=form.title.data,
        filename=upload.filename,
        data=upload.read(),
    )
    flash(
        f"已按文件识别出 {len(survey.questions)} 道题并创建问卷；请核对列对应后确认导入答卷",
        "success",
    )
    return redirect(
        url_for(
            "surveys.import_show",
            engagement_id=engagement_id,
            survey_id=survey.id,
            import_id=job.id,
        )
    )


def _settings_form(survey) -> SettingsForm:
    form = SettingsForm(obj=survey)
    if request.method == "GET":
        form.version.data = survey.version
        form.opens_at.data = local_naive(survey.opens_at)
        form.closes_at.data = local_naive(survey.closes_at)
    return form


def _plan_form(survey) -> PlanForm:
    form = PlanForm()
    if request.method == "GET":
        form.population.data = survey.sample_population
        form.confidence.data = f"{survey.sample_confidence:.2f}"
        form.margin.data = survey.sample_margin * 100
        form.version.data = survey.version
    return form


def _link_form(scope) -> LinkForm:
    form = LinkForm()
    leaves = linking.satisfaction_leaves(db.session(), scope.engagement)
    questions = questions_of(scope.survey)
    form.indicator_id.choices = choices(
        [(i.id, f"{i.level1} / {i.level2} / {i.name}") for i in leaves]
    )
    form.metric.choices = choices(list(METRICS.items()))
    form.item.choices = choices([("", "全部满意度题目（按权重）")] + item_choices(questions))
    form.group.choices = choices([("", "全部有效答卷")] + group_choices(questions))
    return form


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>")
@requires("surveys.read", load=loaders.survey)
def show(engagement_id: int, survey_id: int):
    session = db.session()
    scope = guarded_object()
    survey = scope.survey
    valid, collected = valid_count(session, survey)
    jobs = session.exec(
        select(SurveyImport)
        .where(SurveyImport.survey_id == survey.id)
        .order_by(col(SurveyImport.id).desc())
        .limit(10)
    ).all()
    return render_template(
        "surveys/show.html",
        engagement=scope.engagement,
        survey=survey,
        questions=questions_of(survey),
        valid=valid,
        collected=collected,
        required=service.required_sample(survey),
        accepting=service.accepting_problem(survey),
        public_url=external_url("surveys.public_form", token=survey.token),
        settings_form=_settings_form(survey),
        plan_form=_plan_form(survey),
        state_form=StateForm(),
        reason_form=ReasonForm(),
        link_form=_link_form(scope),
        csrf_form=CsrfForm(),
        linked=linking.linked_indicators(session, scope.engagement, survey),
        describe=linking.describe,
        clears=signatures_a_change_clears(session, scope.engagement),
        jobs=jobs,
        can_write=allowed("surveys.write", scope),
        can_manage=allowed("surveys.manage", scope),
    )


def _aware(value):
    return value.replace(tzinfo=CST) if value is not None and value.tzinfo is None else value


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/settings", methods=["POST"])
@requires("surveys.write", load=loaders.survey)
def settings(engagement_id: int, survey_id: int):
    scope = guarded_object()
    form = SettingsForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return redirect(_show_url(scope) + "#settings")
    service.update_settings(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        survey=scope.survey,
        data=service.SettingsInput(
            title=form.title.data,
            purpose=form.purpose.data or "",
            respondents=form.respondents.data or "",
            opens_at=_aware(form.opens_at.data),
            closes_at=_aware(form.closes_at.data),
            one_per_device=form.one_per_device.data,
            thank_you=form.thank_you.data or "",
        ),
        version=form.version.data,
    )
    flash("问卷设置已保存", "success")
    return redirect(_show_url(scope) + "#settings")


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/state", methods=["POST"])
@requires("surveys.write", load=loaders.survey)
def state(engagement_id: int, survey_id: int):
    scope = guarded_object()
    form = StateForm()
    action = form.action.data if form.validate_on_submit() else ""
    kwargs = dict(actor=current_user, engagement=scope.engagement, survey=scope.survey)
    if action == "open":
        service.open_survey(db.session(), **kwargs)
        flash("问卷已开始回收，公开链接和二维码可以发放了", "success")
    elif action == "close":
        service.close_survey(db.session(), **kwargs)
        flash("问卷已结束回收", "success")
    elif action == "reopen":
        service.reopen_survey(db.session(), **kwargs, reason=form.reason.data or "")
        flash("问卷已重新开启，原因已记入审计日志", "warning")
    else:
        flash("操作无效", "danger")
    return redirect(_show_url(scope))


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/plan", methods=["POST"])
@requires("surveys.write", load=loaders.survey)
def plan(engagement_id: int, survey_id: int):
    scope = guarded_object()
    form = PlanForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return redirect(_show_url(scope) + "#plan")
    try:
        required = service.set_sample_plan(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            survey=scope.survey,
            population=form.population.data,
            confidence=Decimal(form.confidence.data),
            margin=(Decimal(form.margin.data) / 100).quantize(Decimal("0.0001")),
            version=form.version.data,
        )
    except ValidationFailed as error:
        attach_errors(form, error)
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return redirect(_show_url(scope) + "#plan")
    flash(f"抽样方案已保存：应回收有效问卷 {required} 份", "success")
    return redirect(_show_url(scope) + "#plan")


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/waive", methods=["POST"])
@requires("surveys.manage", load=loaders.survey)
def waive(engagement_id: int, survey_id: int):
    scope = guarded_object()
    form = ReasonForm()
    if not form.validate_on_submit():
        flash("请填写豁免理由", "danger")
    else:
        service.waive_sample(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            survey=scope.survey,
            reason=form.reason.data,
        )
        flash("已豁免样本量要求，理由已记入审计日志", "warning")
    return redirect(_show_url(scope) + "#plan")


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/delete", methods=["POST"])
@requires("surveys.write", load=loaders.survey)
def delete(engagement_id: int, survey_id: int):
    scope = guarded_object()
    if not CsrfForm().validate_on_submit():
        return redirect(_show_url(scope))
    title = scope.survey.title
    service.delete_survey(
        db.session(), actor=current_user, engagement=scope.engagement, survey=scope.survey
    )
    flash(f"问卷“{title}”已删除", "success")
    return redirect(_index_url(engagement_id))


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/link", methods=["POST"])
@requires("surveys.write", load=loaders.survey)
def link(engagement_id: int, survey_id: int):
    scope = guarded_object()
    form = LinkForm()
    if not form.validate_on_submit() or not form.indicator_id.data:
        flash("请选择要关联的满意度指标", "danger")
        return redirect(_show_url(scope) + "#links")
    indicator = linking.link_indicator(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        survey=scope.survey,
        indicator_id=form.indicator_id.data,
        metric=form.metric.data or "",
        item=form.item.data or None,
        group=form.group.data or None,
        confirm_clear=clear_confirmed(),
    )
    flash(f"指标“{indicator.name}”的实际值已改为取自本问卷", "success")
    return redirect(_show_url(scope) + "#links")


@bp.route(
    "/engagements/<int:engagement_id>/surveys/<int:survey_id>/unlink/<int:indicator_id>",
    methods=["POST"],
)
@requires("surveys.write", load=loaders.survey)
def unlink(engagement_id: int, survey_id: int, indicator_id: int):
    scope = guarded_object()
    if CsrfForm().validate_on_submit():
        indicator = linking.unlink_indicator(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            survey=scope.survey,
            indicator_id=indicator_id,
            confirm_clear=clear_confirmed(),
        )
        flash(f"指标“{indicator.name}”已取消关联问卷", "warning")
    return redirect(_show_url(scope) + "#links")
