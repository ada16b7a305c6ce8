"""Library pack pages: the list of packs, export as YAML or Excel, import of a pack file."""

from __future__ import annotations

from io import BytesIO

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlmodel import col, func, select

from workbench import db
from workbench.core.downloads import XLSX
from workbench.core.errors import ValidationFailed
from workbench.core.forms import refused
from workbench.core.permissions import requires
from workbench.library import packs, services
from workbench.library.blueprint import bp
from workbench.library.editing import CUSTOM_PREFIX
from workbench.library.forms import ImportForm
from workbench.library.loaders import TYPE_LABELS
from workbench.library.models import KIND_NAMES, LibraryIndicator, LibraryPack, Status
from workbench.library.pack_io import has_contributions


@bp.route("/library/packs")
@requires("library.read")
def pack_list():
    session = db.session()
    counts = dict(
        session.exec(
            select(LibraryIndicator.pack_key, func.count())
            .where(
                col(LibraryIndicator.pack_key).is_not(None),
                LibraryIndicator.status != Status.deprecated,
            )
            .group_by(LibraryIndicator.pack_key)
        ).all()
    )
    return render_template(
        "library/packs.html",
        packs=session.exec(select(LibraryPack).order_by(LibraryPack.kind, LibraryPack.key)).all(),
        counts=counts,
        contributed=CUSTOM_PREFIX if has_contributions(session) else None,
        kind_names=KIND_NAMES,
        type_labels=TYPE_LABELS,
        form=ImportForm(),
    )


@bp.route("/library/packs/<pack_key>/export")
@requires("library.read")
def export(pack_key: str):
    pack = services.export_pack(db.session(), pack_key=pack_key)
    if request.args.get("format") == "xlsx":
        data, name, mime = packs.export_excel(pack), f"{pack.key}.xlsx", XLSX
    else:
        data = packs.dump_yaml(pack).encode("utf-8")
        name, mime = f"{pack.key}.yaml", "application/x-yaml"
    return send_file(BytesIO(data), mimetype=mime, as_attachment=True, download_name=name)


@bp.route("/library/import", methods=["POST"])
@requires("admin")
def import_file():
    form = ImportForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash("请选择要导入的指标包文件（.yaml、.yml 或 .xlsx）", "danger")
        return redirect(url_for("library.pack_list"))
    session = db.session()
    try:
        pack = services.read_upload(
            upload.filename, upload.read(), max_mb=current_app.config["MAX_UPLOAD_MB"]
        )
        result = services.import_pack(session, actor=current_user, pack=pack)
    except ValidationFailed as error:
        refused(error)
        for item in error.details[:30]:
            flash(item.message, "warning")
        return redirect(url_for("library.pack_list"))
    flash(
        f"已导入{result.summary()}"
        if result.changed
        else f"指标包「{pack.name}」与库中内容一致，未作改动",
        "success",
    )
    return redirect(url_for("library.pack_list"))
