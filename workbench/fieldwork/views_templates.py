"""Admin pages for working-paper templates: list, create or upload YAML, edit, retire; download YAML."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.forms import attach_errors
from workbench.core.permissions import requires
from workbench.fieldwork import catalog
from workbench.fieldwork.blueprint import bp
from workbench.fieldwork.forms import CsrfForm, TemplateForm, TemplateUploadForm
from workbench.fieldwork.spec import (
    COLUMN_TYPES,
    FIELD_TYPES,
    dump_yaml,
    field_templates_example,
    shipped_templates,
)


@bp.route("/fieldwork/templates")
@requires("admin")
def templates():
    rows = catalog.available(db.session(), agency_id=current_user.org_id, include_inactive=True)
    return render_template(
        "fieldwork/templates.html",
        rows=rows,
        upload_form=TemplateUploadForm(),
        toggle_form=CsrfForm(),
        field_types=FIELD_TYPES,
        column_types=COLUMN_TYPES,
    )


@bp.route("/fieldwork/templates/new", methods=["GET", "POST"])
@requires("admin")
def template_new():
    form = TemplateForm()
    if request.method == "GET":
        base = shipped_templates().get(request.args.get("from", ""))
        form.definition.data = dump_yaml(base) if base else field_templates_example()
        if base:
            form.definition.data = form.definition.data.replace(
                f"key: {base.key}", f"key: {base.key}_custom", 1
            )
    if form.validate_on_submit():
        try:
            spec = catalog.parse_text(form.definition.data)
            row = catalog.create_template(db.session(), actor=current_user, spec=spec)
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(f"模板“{row.name}”已保存", "success")
            return redirect(url_for("fieldwork.templates"))
    return render_template("fieldwork/template_form.html", form=form, row=None)


@bp.route("/fieldwork/templates/upload", methods=["POST"])
@requires("admin")
def template_upload():
    form = TemplateUploadForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash("请选择模板文件（.yaml）", "danger")
        return redirect(url_for("fieldwork.templates"))
    spec = catalog.parse_upload(upload.filename, upload.read())
    row = catalog.create_template(db.session(), actor=current_user, spec=spec)
    flash(f"模板“{row.name}”已导入", "success")
    return redirect(url_for("fieldwork.templates"))


def load_template(paper_template_id: int, **_):
    """The template for the permission layer: another agency's answers 404 like a missing one."""
    return catalog.template_row_any(db.session(), template_id=paper_template_id)


@bp.route("/fieldwork/templates/<int:paper_template_id>/edit", methods=["GET", "POST"])
@requires("fieldwork.template", load=load_template)
def template_edit(paper_template_id: int):
    row = catalog.template_row(db.session(), actor=current_user, template_id=paper_template_id)
    form = TemplateForm()
    if request.method == "GET":
        form.definition.data = dump_yaml(catalog.spec_of(row))
        form.version.data = row.version
    if form.validate_on_submit():
        try:
            spec = catalog.parse_text(form.definition.data)
            catalog.update_template(
                db.session(),
                actor=current_user,
                row=row,
                spec=spec,
                version=form.version.data,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(f"模板“{row.name}”已保存（已有底稿不受影响）", "success")
            return redirect(url_for("fieldwork.templates"))
    return render_template("fieldwork/template_form.html", form=form, row=row)


@bp.route("/fieldwork/templates/<int:paper_template_id>/active", methods=["POST"])
@requires("fieldwork.template", load=load_template)
def template_active(paper_template_id: int):
    row = catalog.template_row(db.session(), actor=current_user, template_id=paper_template_id)
    if CsrfForm().validate_on_submit():
        active = request.form.get("active") == "1"
        catalog.set_active(db.session(), actor=current_user, row=row, active=active)
        flash(f"模板“{row.name}”已{'启用' if active else '停用'}", "success")
    return redirect(url_for("fieldwork.templates"))


@bp.route("/fieldwork/templates/<template_key>.yaml")
@requires("agency")
def template_yaml(template_key: str):
    found = {t.key: t for t in catalog.available(db.session(), agency_id=current_user.org_id)}
    spec = found.get(template_key)
    if spec is None:
        abort(404)
    return Response(
        dump_yaml(spec),
        mimetype="application/x-yaml",
        headers={"Content-Disposition": f'attachment; filename="{spec.key}.yaml"'},
    )
