"""Pages of the generated files: generate (in the background), download (.docx, .pdf), convert
to PDF (in the background), compare versions."""

from __future__ import annotations

import threading

from flask import (
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
from workbench.core import storage
from workbench.core.errors import NotFound
from workbench.core.permissions import allowed, requires
from workbench.reports import services
from workbench.reports import services_jobs as jobs
from workbench.reports.views import _back, _int, bp, load_engagement, load_version

# --- generated files ------------------------------------------------------------------------------


PAGES = {"plan": "reports.plan", "opinion_table": "reports.consultation_page"}


def _inline() -> bool:
    """Tests (one connection, rolled back) and REPORTS_INLINE_JOBS run jobs in the request."""
    return current_app.testing or bool(current_app.config.get("REPORTS_INLINE_JOBS"))


def _in_background(work, *args, on_error=None) -> None:
    """Commit the request's work now, then run `work(session, *args)` in a background thread.

    The thread is started here rather than from the response's close hook: CI showed the hook not
    firing now and then under load, which left a job pending for ever. Committing first makes the
    job row visible to the thread's own connection. A failure is logged with its traceback and, with
    `on_error(session, *args)`, recorded where the polling page will show it.
    """
    app = current_app._get_current_object()
    db.session().commit()

    def run() -> None:
        try:
            with app.app_context(), db.session_scope() as session:
                work(session, *args)
        except Exception:  # a background thread has no caller to raise to
            app.logger.exception("background work failed %r", args)
            if on_error is not None:
                with app.app_context(), db.session_scope() as session:
                    on_error(session, *args)

    threading.Thread(target=run, daemon=True).start()


@bp.route("/engagements/<int:engagement_id>/documents/<kind>", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def generate(engagement_id: int, kind: str):
    session = db.session()
    job = jobs.request_generation(
        session,
        actor=current_user,
        engagement=load_engagement(engagement_id),
        kind=kind,
        label=request.form.get("label", ""),
    )
    target = _back(PAGES.get(kind, "reports.report"), engagement_id, "#versions")
    if not _inline():
        _in_background(
            lambda s, job_id: jobs.run_generation(s, job_id=job_id),
            job.id,
            on_error=lambda s, job_id: jobs.fail(s, job_id=job_id),
        )
        flash("正在生成文件，完成后页面会自动刷新", "info")
        return target
    jobs.run_generation(session, job_id=job.id)
    if job.status == "failed":
        flash(job.error, "danger")
    else:
        version = services.get_version(session, load_engagement(engagement_id), job.version_id)
        flash(f"已生成{version.kind_name}第{version.number}版{version.label}", "success")
    return target


@bp.route("/engagements/<int:engagement_id>/jobs/<int:job_id>")
@requires("engagement.internal", load=load_engagement)
def job_status(engagement_id: int, job_id: int):
    engagement = load_engagement(engagement_id)
    job = jobs.get_job(db.session(), engagement, job_id)
    response = make_response(render_template("reports/_job.html", engagement=engagement, job=job))
    if job.status == "done":
        response.headers["HX-Refresh"] = "true"  # htmx reloads the page: the new version shows
    return response


@bp.route("/engagements/<int:engagement_id>/documents/<int:version_id>/download")
@requires("engagement.internal", load=load_version)
def download(engagement_id: int, version_id: int):
    version = services.get_version(db.session(), load_engagement(engagement_id), version_id)
    return storage.send(version.sha256, name=version.filename, mime=version.mime)


@bp.route("/engagements/<int:engagement_id>/documents/<int:version_id>/pdf", methods=["POST"])
@requires("engagement.team", load=load_version)
def convert_pdf(engagement_id: int, version_id: int):
    session = db.session()
    engagement = load_engagement(engagement_id)
    version = services.get_version(session, engagement, version_id)
    services.request_pdf(session, actor=current_user, engagement=engagement, version=version)
    target = redirect(request.referrer or url_for("reports.report", engagement_id=engagement_id))
    if _inline():
        services.run_pdf(session, version_id=version.id, actor_id=current_user.id)
        flash(f"{version.kind_name}第{version.number}版已转换为 PDF", "success")
        return target
    # LibreOffice takes seconds: the page polls pdf_status until the link appears.
    _in_background(
        lambda s, version_id, actor_id: services.run_pdf(
            s, version_id=version_id, actor_id=actor_id
        ),
        version.id,
        current_user.id,
    )
    flash("正在转换为 PDF（约需数秒），完成后版本列表中将出现 PDF 下载链接", "info")
    return target


@bp.route("/engagements/<int:engagement_id>/documents/<int:version_id>/pdf-status")
@requires("engagement.internal", load=load_version)
def pdf_status(engagement_id: int, version_id: int):
    engagement = load_engagement(engagement_id)
    version = services.get_version(db.session(), engagement, version_id)
    return render_template(
        "reports/_pdf_cell.html",
        engagement=engagement,
        v=version,
        pdf_available=services.pdf_available(),
        can_generate=allowed("engagement.team", engagement),
    )


@bp.route("/engagements/<int:engagement_id>/documents/<int:version_id>/pdf")
@requires("engagement.internal", load=load_version)
def download_pdf(engagement_id: int, version_id: int):
    version = services.get_version(db.session(), load_engagement(engagement_id), version_id)
    if not version.pdf_sha256:
        raise NotFound("该版本尚未转换为 PDF")
    return storage.send(version.pdf_sha256, name=services.pdf_name(version), mime=services.PDF)


@bp.route("/engagements/<int:engagement_id>/documents/compare")
@requires("engagement.internal", load=load_engagement)
def compare(engagement_id: int):
    session = db.session()
    engagement = load_engagement(engagement_id)
    older = services.get_version(session, engagement, _int("a"))
    newer = services.get_version(session, engagement, _int("b"))
    return render_template(
        "reports/version_diff.html",
        engagement=engagement,
        older=older,
        newer=newer,
        sections=services.compare(older, newer),
    )
