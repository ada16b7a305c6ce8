"""Paper pages: list with filters and its Excel index, create, show, edit, delete, .docx export,
the binder zip."""

from __future__ import annotations

import re
import tempfile
from io import BytesIO

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from workbench import db
from workbench.core.downloads import send_xlsx
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.forms import attach_errors, choices
from workbench.core.inputs import clear_confirmed, query_id, query_int
from workbench.core.permissions import guarded_object, requires
from workbench.core.problems import FieldError
from workbench.engagements.stages import STAGE_NAMES, Stage
from workbench.fieldwork import binder, catalog, export, index_export, loaders, papers, review
from workbench.fieldwork.blueprint import bp
from workbench.fieldwork.forms import ConfirmForm, PaperForm
from workbench.fieldwork.numbering import scheme_rows
from workbench.fieldwork.pages import paper_page
from workbench.fieldwork.queries import PaperFilters, list_papers
from workbench.fieldwork.review_rules import STATUS_NAMES
from workbench.fieldwork.values import form_to_raw
from workbench.reports.render import ReportRenderError
from workbench.scoring.param_types import RULES

PER_PAGE = 20


def _filters() -> PaperFilters:
    args = request.args
    stage = args.get("stage", "")
    status = args.get("status", "")
    return PaperFilters(
        stage=stage if stage in Stage.__members__ else "",
        indicator_id=query_id("indicator_id"),
        status=status if status in STATUS_NAMES else "",
        preparer_id=query_id("preparer_id"),
        mine=args.get("mine") == "1",
        ready=args.get("ready") == "1",
        q=args.get("q", "")[:100],
    )


@bp.route("/engagements/<int:engagement_id>/papers")
@requires("fieldwork.read", load=loaders.engagement)
def papers_list(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    filters = _filters()
    page = query_int("page", 1)
    rows, total = list_papers(
        session,
        engagement=engagement,
        user=current_user,
        filters=filters,
        page=page,
        per_page=PER_PAGE,
    )
    return render_template(
        "fieldwork/papers.html",
        engagement=engagement,
        rows=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        filters=filters,
        indicators=papers.indicators(session, engagement),
        writers=papers.writers(session, engagement),
        stage_names=STAGE_NAMES,
        status_names=STATUS_NAMES,
        scheme=scheme_rows(),
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.route("/engagements/<int:engagement_id>/papers.xlsx")
@requires("fieldwork.read", load=loaders.engagement)
def papers_index_export(engagement_id: int):
    """The index as Excel: every paper the list shows with the same filters, not one page."""
    session = db.session()
    engagement = guarded_object()
    rows, _total = list_papers(
        session, engagement=engagement, user=current_user, filters=_filters(), per_page=None
    )
    return send_xlsx(index_export.workbook(rows), f"{engagement.code} 工作底稿索引.xlsx")


def _paper_form(engagement, form: PaperForm) -> None:
    session = db.session()
    templates = catalog.available(session, agency_id=engagement.agency_id)
    form.template.choices = choices(
        (t.key, f"{t.letter}-{t.area} {t.name}（{t.stage_name}）") for t in templates
    )
    form.indicator_ids.choices = choices(
        (i.id, f"{i.level1}/{i.level2}/{i.name}") for i in papers.indicators(session, engagement)
    )
    form.assignee_id.choices = choices(
        [(0, "（未指定）")] + [(u.id, u.display_name) for u in papers.writers(session, engagement)]
    )


@bp.route("/engagements/<int:engagement_id>/papers/new", methods=["GET", "POST"])
@requires("fieldwork.write", load=loaders.engagement)
def paper_new(engagement_id: int):
    engagement = guarded_object()
    form = PaperForm()
    _paper_form(engagement, form)
    if request.method == "GET":
        form.template.data = request.args.get("template", "")
        wanted = query_id("indicator_id")
        form.indicator_ids.data = [wanted] if wanted else []
        form.assignee_id.data = current_user.id
    if form.validate_on_submit():
        try:
            paper = papers.create_paper(
                db.session(),
                actor=current_user,
                engagement=engagement,
                template_key=form.template.data or "",
                title=form.title.data or "",
                indicator_ids=form.indicator_ids.data or [],
                assignee_id=form.assignee_id.data or None,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(f"底稿 {paper.index_no} 已创建，请填写内容", "success")
            return redirect(
                url_for("fieldwork.paper_edit", engagement_id=engagement.id, paper_id=paper.id)
            )
    return render_template("fieldwork/paper_new.html", engagement=engagement, form=form)


@bp.route("/engagements/<int:engagement_id>/papers/<int:paper_id>")
@requires("fieldwork.read", load=loaders.paper)
def paper_show(engagement_id: int, paper_id: int):
    scope = guarded_object()
    view = paper_page(
        db.session(), engagement=scope.engagement, paper=scope.paper, user=current_user
    )
    return render_template(
        "fieldwork/paper.html", engagement=scope.engagement, page=view, rule_names=RULES
    )


def _render_edit(scope, form: PaperForm, values: dict, errors: list[FieldError]):
    by_field: dict[str, list[str]] = {}
    for item in errors:
        by_field.setdefault(item.field or "", []).append(item.message)
    return render_template(
        "fieldwork/paper_edit.html",
        engagement=scope.engagement,
        paper=scope.paper,
        form=form,
        fields=papers.paper_fields(scope.paper),
        values=values,
        errors=by_field,
        clears=review.signatures_an_edit_clears(db.session(), scope.paper),
    )


@bp.route("/engagements/<int:engagement_id>/papers/<int:paper_id>/edit", methods=["GET", "POST"])
@requires("fieldwork.write", load=loaders.paper)
def paper_edit(engagement_id: int, paper_id: int):
    scope = guarded_object()
    paper = scope.paper
    form = PaperForm()
    _paper_form(scope.engagement, form)
    if request.method == "GET":
        form.title.data = paper.title
        form.version.data = paper.version
        form.assignee_id.data = paper.assignee_id or 0
        links = papers.indicators_by_paper(db.session(), [paper.id])[paper.id]
        form.indicator_ids.data = [i.id for i in links]
        return _render_edit(scope, form, paper.values, [])
    raw = form_to_raw(papers.paper_fields(paper), request.form)
    if not form.validate_on_submit():
        return _render_edit(scope, form, raw, [])
    try:
        papers.update_paper(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            paper=paper,
            version=form.version.data,
            title=form.title.data or "",
            values=raw,
            indicator_ids=form.indicator_ids.data or [],
            assignee_id=form.assignee_id.data or None,
            confirm_clear=clear_confirmed(),
        )
    except ValidationFailed as error:
        attach_errors(form, error)
        return _render_edit(scope, form, raw, error.details)
    except Conflict as error:
        db.mark_rollback()
        flash(error.message, "danger")
        return _render_edit(scope, form, raw, []), 409
    flash(f"底稿 {paper.index_no} 已保存", "success")
    return redirect(url_for("fieldwork.paper_show", engagement_id=engagement_id, paper_id=paper_id))


@bp.route("/engagements/<int:engagement_id>/papers/<int:paper_id>/delete", methods=["POST"])
@requires("fieldwork.write", load=loaders.paper)
def paper_delete(engagement_id: int, paper_id: int):
    scope = guarded_object()
    if not ConfirmForm().validate_on_submit():
        flash("请确认删除", "danger")
        return redirect(
            url_for("fieldwork.paper_show", engagement_id=engagement_id, paper_id=paper_id)
        )
    index_no = scope.paper.index_no
    papers.delete_paper(
        db.session(), actor=current_user, engagement=scope.engagement, paper=scope.paper
    )
    flash(f"草稿底稿 {index_no} 已删除", "warning")
    return redirect(url_for("fieldwork.papers_list", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/papers/<int:paper_id>/export.docx")
@requires("fieldwork.read", load=loaders.paper)
def paper_export(engagement_id: int, paper_id: int):

    scope = guarded_object()
    try:
        data = export.paper_docx(db.session(), engagement=scope.engagement, paper=scope.paper)
    except ReportRenderError as error:
        raise Conflict(f"底稿导出失败：{error}") from None
    return send_file(
        BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        as_attachment=True,
        download_name=export.file_name(scope.paper),
        max_age=0,
    )


@bp.route("/engagements/<int:engagement_id>/binder")
@requires("fieldwork.read", load=loaders.engagement)
def binder_page(engagement_id: int):
    engagement = guarded_object()
    counts = binder.summary(db.session(), engagement=engagement)
    return render_template("fieldwork/binder.html", engagement=engagement, counts=counts)


_TOKEN = re.compile(r"^[A-Za-z0-9]{1,32}$")


@bp.route("/engagements/<int:engagement_id>/binder.zip")
@requires("fieldwork.read", load=loaders.engagement)
def binder_zip(engagement_id: int):
    engagement = guarded_object()
    # Built in a temporary file (deleted when closed) so a large binder never sits in memory.
    handle = tempfile.TemporaryFile(prefix="binder-", suffix=".zip")  # noqa: SIM115 - send_file closes it
    try:
        binder.write_binder(db.session(), engagement=engagement, out=handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = send_file(
        handle,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{engagement.code} 工作底稿卷宗.zip",
        max_age=0,
    )
    token = request.args.get("token", "")
    if _TOKEN.match(token):  # lets the page's script end its waiting message
        response.set_cookie("fieldwork_download", token, max_age=120, samesite="Lax")
    return response
