"""Benchmark series pages: the imports (versions) and the layout, upload → preview → confirm."""

from __future__ import annotations

import hashlib

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from workbench import db
from workbench.core.downloads import send_xlsx
from workbench.core.errors import ValidationFailed
from workbench.core.permissions import requires
from workbench.core.spreadsheet import TableRead, read_table, template_workbook
from workbench.core.spreadsheet.table_read import TABLE_LIMITS
from workbench.core.staging import (
    EXPIRED,
    MAX_AGE_SECONDS,
    RowsRefused,
    rehearse,
    stage,
    unstage,
)
from workbench.core.table_import import NO_FILE, summary
from workbench.core.timeutil import today_local
from workbench.engagements.services import users_by_id
from workbench.library import benchmark_rules as rules
from workbench.library import benchmarks
from workbench.library import permissions as _permissions  # noqa: F401 - registers predicates
from workbench.library.blueprint import bp

SCOPE = 0  # the library is the instance's: one scope for every import
INTRO = (
    "按模板每行填写一个基准值：指标代码、地区、年份、数值、单位、来源文件及其发布日期。上传后先预览"
    "每一行将如何导入；同一指标、地区和年份已有数值时，新文件中不同的数值作为修订值导入，"
    "原数值保留并标注“已有更新”。"
)


def _stale_years() -> int:
    return int(current_app.config.get("BENCHMARK_STALE_YEARS", 3))


def _file_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="library-benchmarks-file")


def _write(read: TableRead, *, filename: str, sha256: str) -> benchmarks.ImportDone:
    return benchmarks.import_series(
        db.session(),
        actor=current_user,
        read=read,
        filename=filename,
        sha256=sha256,
        today=today_local(),
        stale_years=_stale_years(),
    )


def _page(**more) -> tuple[str, int]:
    problems = more.get("problems") or ()
    html = render_template(
        "library/benchmark_import.html",
        intro=INTRO,
        fields=rules.FIELDS,
        stale_years=_stale_years(),
        **more,
    )
    return html, 422 if problems else 200


@bp.route("/library/benchmarks")
@requires("library.read")
def benchmark_list():
    session = db.session()
    rows = benchmarks.imports(session)
    return render_template(
        "library/benchmarks.html",
        imports=rows,
        people=users_by_id(session, {row.created_by_id for row in rows} - {None}),
        fields=rules.FIELDS,
        stale_years=_stale_years(),
    )


@bp.route("/library/benchmarks/import", methods=["GET", "POST"])
@requires("library.contribute")
def benchmark_import():
    if request.method == "GET":
        return _page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed.of_field("file", NO_FILE)
    # One byte past the cap is enough for the reader to refuse the file as too large.
    data = upload.stream.read(TABLE_LIMITS.max_file_bytes + 1)
    read = read_table(data, filename=upload.filename, fields=rules.FIELDS, sheet=rules.SHEET)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        done = rehearse(db.session(), lambda: _write(read, filename=upload.filename, sha256=sha256))
    except RowsRefused as refused:
        db.mark_rollback()
        return _page(problems=refused.problems, ignored=read.ignored, filename=upload.filename)
    token = stage(
        benchmarks.KIND, scope=SCOPE, user_id=current_user.id, rows=read.rows, fields=rules.FIELDS
    )
    return _page(
        done=done,
        summary=summary(done.actions, benchmarks.ACTIONS),
        writes=any(action not in benchmarks.QUIET for action in done.actions),
        token=token,
        file_token=_file_signer().dumps({"name": upload.filename, "sha256": sha256}),
        ignored=read.ignored,
        filename=upload.filename,
        actions=benchmarks.ACTIONS,
    )


@bp.route("/library/benchmarks/import/confirm", methods=["POST"])
@requires("library.contribute")
def benchmark_import_confirm():
    try:
        file = _file_signer().loads(request.form.get("file_token", ""), max_age=MAX_AGE_SECONDS)
    except BadSignature:
        raise ValidationFailed(EXPIRED) from None
    read = unstage(
        request.form.get("token", ""),
        kind=benchmarks.KIND,
        scope=SCOPE,
        user_id=current_user.id,
        fields=rules.FIELDS,
    )
    done = _write(read, filename=str(file["name"]), sha256=str(file["sha256"]))
    if done.record is None:
        flash("文件中的数值与指标库中已有的相同，没有导入新内容", "info")
    else:
        record = done.record
        flash(
            f"已导入基准值第{record.number}版：新增{record.added}条，修订{record.revised}条",
            "success",
        )
    return redirect(url_for("library.benchmark_list"))


@bp.route("/library/benchmarks/template.xlsx")
@requires("library.read")
def benchmark_template():
    return send_xlsx(template_workbook(rules.SHEET, rules.FIELDS), "基准值导入模板.xlsx")
