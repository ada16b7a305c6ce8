"""File imports: upload, the column mapping shown for confirmation, progress of large files."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.surveys import loaders
from workbench.surveys.blueprint import bp
from workbench.surveys.design.questionnaire import questions_of
from workbench.surveys.imports import ImportIssue, ImportMapping, automap, service
from workbench.surveys.imports import jobs as import_jobs
from workbench.surveys.imports.progress import progress_of
from workbench.surveys.models import SurveyImport
from workbench.surveys.views.forms import CsrfForm, UploadForm


def _job_url(scope, job_id: int) -> str:
    return url_for(
        "surveys.import_show",
        engagement_id=scope.engagement.id,
        survey_id=scope.survey.id,
        import_id=job_id,
    )


def _imports_page(scope, *, errors=None, status=200):
    jobs = (
        db.session()
        .exec(
            select(SurveyImport)
            .where(SurveyImport.survey_id == scope.survey.id)
            .order_by(col(SurveyImport.id).desc())
        )
        .all()
    )
    return (
        render_template(
            "surveys/imports.html",
            engagement=scope.engagement,
            survey=scope.survey,
            jobs=jobs,
            form=UploadForm(),
            errors=errors or [],
            can_write=allowed("surveys.write", scope),
        ),
        status,
    )


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/imports")
@requires("surveys.read", load=loaders.survey)
def imports(engagement_id: int, survey_id: int):
    return _imports_page(guarded_object())


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/imports", methods=["POST"])
@requires("surveys.write", load=loaders.survey)
def import_upload(engagement_id: int, survey_id: int):
    scope = guarded_object()
    form = UploadForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        message = "请选择要导入的文件（.xls、.xlsx 或 .csv）"
        return _imports_page(
            scope, errors=[ImportIssue(message, row=None, column=None)], status=422
        )
    try:
        job = service.upload_import(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            survey=scope.survey,
            filename=upload.filename,
            data=upload.read(),
            kind=form.kind.data or "auto",
        )
    except ValidationFailed as error:
        db.mark_rollback()
        return _imports_page(scope, errors=error.details, status=422)
    flash(f"已读取“{job.filename}”（{job.row_count} 行），请核对每一列对应的题目后确认导入", "info")
    return redirect(_job_url(scope, job.id))


def _mapping_rows(scope, job, mapping: ImportMapping):
    questions = questions_of(scope.survey)
    return [(c, automap.value_of(c, questions)) for c in mapping.columns], automap.choices(
        questions
    )


def _show(scope, *, mapping: ImportMapping | None = None, errors=None, status=200):
    job = scope.job
    mapping = mapping or ImportMapping.from_dict(job.mapping or {})
    rows, targets = _mapping_rows(scope, job, mapping)
    running = progress_of(job.id)
    return (
        render_template(
            "surveys/import.html",
            engagement=scope.engagement,
            survey=scope.survey,
            job=job,
            mapping=mapping,
            rows=rows,
            targets=targets,
            errors=errors if errors is not None else (job.errors or mapping.errors),
            running=running,
            stale=service.stale(job),
            csrf_form=CsrfForm(),
            can_write=allowed("surveys.write", scope),
        ),
        status,
    )


@bp.route("/engagements/<int:engagement_id>/surveys/<int:survey_id>/imports/<int:import_id>")
@requires("surveys.read", load=loaders.job)
def import_show(engagement_id: int, survey_id: int, import_id: int):
    return _show(guarded_object())


def _posted_values(job: SurveyImport) -> dict[int, str] | None:
    """The user's choice per column (`col-<n>` fields), when the mapping form was sent."""
    if "mapping" not in request.form:
        return None
    columns = [c.get("column") for c in (job.mapping or {}).get("columns", [])]
    return {int(n): request.form.get(f"col-{n}", "") for n in columns if n is not None}


@bp.route(
    "/engagements/<int:engagement_id>/surveys/<int:survey_id>/imports/<int:import_id>/confirm",
    methods=["POST"],
)
@requires("surveys.write", load=loaders.job)
def import_confirm(engagement_id: int, survey_id: int, import_id: int):
    scope = guarded_object()
    job = scope.job
    if not CsrfForm().validate_on_submit():
        return redirect(_job_url(scope, job.id))
    values = _posted_values(job)
    session = db.session()
    service.claim(
        session, actor=current_user, engagement=scope.engagement, survey=scope.survey, job=job
    )
    if job.row_count >= import_jobs.background_threshold(current_app):
        import_jobs.start(session, job=job, values=values, actor=current_user)
        flash(f"正在后台导入 {job.row_count} 行答卷，本页会显示进度", "info")
        return redirect(_job_url(scope, job.id))
    try:
        outcome = service.confirm_import(
            session,
            actor=current_user,
            engagement=scope.engagement,
            survey=scope.survey,
            job=job,
            values=values,
        )
    except ValidationFailed as error:
        db.mark_rollback()
        session.refresh(job)
        mapping = None
        if values is not None:
            table = service.job_table(job)
            mapping = service.edited_mapping(job, questions_of(scope.survey), table, values)
        return _show(scope, mapping=mapping, errors=error.details, status=422)
    flash(
        f"导入完成：新增 {outcome.imported} 份答卷，跳过已导入的 {outcome.skipped_duplicates} 份",
        "success",
    )
    return redirect(_job_url(scope, job.id))


@bp.route(
    "/engagements/<int:engagement_id>/surveys/<int:survey_id>/imports/<int:import_id>/progress"
)
@requires("surveys.read", load=loaders.job)
def import_progress(engagement_id: int, survey_id: int, import_id: int):
    scope = guarded_object()
    return render_template(
        "surveys/_import_progress.html",
        engagement=scope.engagement,
        survey=scope.survey,
        job=scope.job,
        running=progress_of(scope.job.id),
        stale=service.stale(scope.job),
    )


@bp.route(
    "/engagements/<int:engagement_id>/surveys/<int:survey_id>/imports/<int:import_id>/cancel",
    methods=["POST"],
)
@requires("surveys.write", load=loaders.job)
def import_cancel(engagement_id: int, survey_id: int, import_id: int):
    scope = guarded_object()
    if CsrfForm().validate_on_submit():
        service.cancel_import(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            survey=scope.survey,
            job=scope.job,
        )
        flash("已取消导入，未写入任何答卷", "warning")
    return redirect(
        url_for("surveys.imports", engagement_id=scope.engagement.id, survey_id=scope.survey.id)
    )
