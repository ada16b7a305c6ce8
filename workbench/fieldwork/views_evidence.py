"""Evidence pages: upload several files to a paper or the engagement list, download, delete."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, func, select

from workbench import db
from workbench.core import storage, uploads
from workbench.core.inputs import query_int
from workbench.core.permissions import guarded_object, requires
from workbench.fieldwork import evidence, loaders
from workbench.fieldwork.blueprint import bp
from workbench.fieldwork.forms import ConfirmForm, EvidenceForm
from workbench.fieldwork.models import Evidence, WorkingPaper

PER_PAGE = 50


@bp.route("/engagements/<int:engagement_id>/papers/<int:paper_id>/evidence", methods=["POST"])
@requires("fieldwork.write", load=loaders.paper)
def evidence_upload(engagement_id: int, paper_id: int):
    scope = guarded_object()
    form = EvidenceForm()
    back = url_for("fieldwork.paper_show", engagement_id=engagement_id, paper_id=paper_id)
    if not form.validate_on_submit():
        flash("来源或备注过长", "danger")
        return redirect(back + "#evidence")
    created = evidence.upload(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        paper=scope.paper,
        files=uploads.received_files(),
        max_mb=uploads.max_upload_mb(),
        source=form.source.data or "",
        note=form.note.data or "",
        confirm_clear=bool(form.confirm_clear_signoffs.data),
    )
    flash(f"已上传 {len(created)} 个文件：{'、'.join(e.name for e in created)}", "success")
    return redirect(back + "#evidence")


@bp.route("/engagements/<int:engagement_id>/evidence")
@requires("fieldwork.read", load=loaders.engagement)
def evidence_list(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    page = query_int("page", 1)
    stmt = select(Evidence).where(Evidence.engagement_id == engagement.id)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(col(Evidence.paper_id).is_not(None), col(Evidence.paper_id), col(Evidence.id))
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    paper_ids = {r.paper_id for r in rows if r.paper_id}
    papers = {
        p.id: p
        for p in session.exec(
            select(WorkingPaper).where(col(WorkingPaper.id).in_(paper_ids or {0}))
        ).all()
    }
    return render_template(
        "fieldwork/evidence.html",
        engagement=engagement,
        rows=rows,
        papers=papers,
        total=total,
        page=page,
        per_page=PER_PAGE,
        form=EvidenceForm(),
        max_mb=uploads.max_upload_mb(),
    )


@bp.route("/engagements/<int:engagement_id>/evidence", methods=["POST"])
@requires("fieldwork.write", load=loaders.engagement)
def evidence_upload_loose(engagement_id: int):
    engagement = guarded_object()
    form = EvidenceForm()
    if form.validate_on_submit():
        created = evidence.upload(
            db.session(),
            actor=current_user,
            engagement=engagement,
            files=uploads.received_files(),
            max_mb=uploads.max_upload_mb(),
            source=form.source.data or "",
            note=form.note.data or "",
        )
        flash(f"已上传 {len(created)} 个文件到项目资料清单", "success")
    else:
        flash("来源或备注过长", "danger")
    return redirect(url_for("fieldwork.evidence_list", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/evidence/<int:evidence_id>/download")
@requires("fieldwork.read", load=loaders.engagement)
def evidence_download(engagement_id: int, evidence_id: int):
    item = evidence.get_evidence(db.session(), engagement=guarded_object(), evidence_id=evidence_id)
    return storage.send(item.sha256, name=item.name, mime=item.mime)


@bp.route("/engagements/<int:engagement_id>/evidence/<int:evidence_id>/delete", methods=["POST"])
@requires("fieldwork.write", load=loaders.engagement)
def evidence_delete(engagement_id: int, evidence_id: int):
    if not ConfirmForm().validate_on_submit():
        flash("请确认删除", "danger")
        return redirect(url_for("fieldwork.evidence_list", engagement_id=engagement_id))
    item = evidence.delete(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        evidence_id=evidence_id,
        confirm_clear=request.form.get("confirm_clear_signoffs") == "1",
    )
    flash(f"已删除“{item.name}”", "warning")
    if item.paper_id:
        return redirect(
            url_for("fieldwork.paper_show", engagement_id=engagement_id, paper_id=item.paper_id)
            + "#evidence"
        )
    return redirect(url_for("fieldwork.evidence_list", engagement_id=engagement_id))
