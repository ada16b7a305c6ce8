"""Pages of the generated files: generate (a queued job), download (.docx, .pdf), convert
to PDF (a queued job), compare versions."""

from __future__ import annotations

from flask import (
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
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.reports.blueprint import bp
from workbench.reports.loaders import back_to, int_param, load_engagement, load_version
from workbench.reports.services import generation, jobs

# --- generated files ------------------------------------------------------------------------------


PAGES = {"plan": "reports.plan", "opinion_table": "reports.consultation_page"}


@bp.route("/engagements/<int:engagement_id>/documents/<kind>", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def generate(engagement_id: int, kind: str):
    jobs.request_generation(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        kind=kind,
        label=request.form.get("label", ""),
    )
    flash("正在生成文件，完成后页面会自动刷新", "info")
    return back_to(PAGES.get(kind, "reports.report"), engagement_id, "#versions")


@bp.route("/engagements/<int:engagement_id>/jobs/<int:job_id>")
@requires("engagement.internal", load=load_engagement)
def job_status(engagement_id: int, job_id: int):
    engagement = guarded_object()
    job = jobs.get_job(db.session(), engagement, job_id)
    response = make_response(render_template("reports/_job.html", engagement=engagement, job=job))
    if job.status == "done":
        response.headers["HX-Refresh"] = "true"  # htmx reloads the page: the new version shows
    return response


@bp.route("/engagements/<int:engagement_id>/documents/<int:version_id>/download")
@requires("engagement.internal", load=load_version)
def download(engagement_id: int, version_id: int):
    version = generation.get_version(db.session(), load_engagement(engagement_id), version_id)
    return storage.send(version.sha256, name=version.filename, mime=version.mime)


@bp.route("/engagements/<int:engagement_id>/documents/<int:version_id>/pdf", methods=["POST"])
@requires("engagement.team", load=load_version)
def convert_pdf(engagement_id: int, version_id: int):
    session = db.session()
    engagement = load_engagement(engagement_id)
    version = generation.get_version(session, engagement, version_id)
    # LibreOffice takes seconds: the page polls pdf_status until the link appears.
    jobs.request_pdf(session, actor=current_user, engagement=engagement, version=version)
    flash("正在转换为 PDF（约需数秒），完成后版本列表中将出现 PDF 下载链接", "info")
    return redirect(request.referrer or url_for("reports.report", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/documents/<int:version_id>/pdf-status")
@requires("engagement.internal", load=load_version)
def pdf_status(engagement_id: int, version_id: int):
    engagement = load_engagement(engagement_id)
    version = generation.get_version(db.session(), engagement, version_id)
    return render_template(
        "reports/_pdf_cell.html",
        engagement=engagement,
        v=version,
        pdf_available=generation.pdf_available(),
        can_generate=allowed("engagement.team", engagement),
    )


@bp.route("/engagements/<int:engagement_id>/documents/<int:version_id>/pdf")
@requires("engagement.internal", load=load_version)
def download_pdf(engagement_id: int, version_id: int):
    version = generation.get_version(db.session(), load_engagement(engagement_id), version_id)
    if not version.pdf_sha256:
        raise NotFound("该版本尚未转换为 PDF")
    return storage.send(version.pdf_sha256, name=generation.pdf_name(version), mime=generation.PDF)


@bp.route("/engagements/<int:engagement_id>/documents/compare")
@requires("engagement.internal", load=load_engagement)
def compare(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    older = generation.get_version(session, engagement, int_param("a"))
    newer = generation.get_version(session, engagement, int_param("b"))
    return render_template(
        "reports/version_diff.html",
        engagement=engagement,
        older=older,
        newer=newer,
        sections=generation.compare(older, newer),
    )
