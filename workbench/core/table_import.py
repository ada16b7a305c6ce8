"""The pages' side of an Excel import (templates/table_import.html): upload → preview → confirm.

Every import page works the same way, so the flow lives here once (`upload`, `confirm`); a
domain's view supplies the kind of import (`TableImport`: fields, sheet, the words for what a row
does), the scope a preview is good for (an engagement, a request, an agency), its page's words and
links, the function that writes the rows (the domain's service, run for real on confirmation and
undone after the preview) and, where the plain table of values does not say enough, how to show
what it did. See experts/views_team_import.py for the shortest one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import render_template, request
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.spreadsheet import Field, TableProblem, TableRead, read_table
from workbench.core.spreadsheet.table_read import TABLE_LIMITS
from workbench.core.staging import RowsRefused, rehearse, stage, unstage

NO_FILE = "请选择要导入的文件（.xlsx、.xls 或 .csv）"
T = TypeVar("T")


@dataclass(frozen=True)
class TableImport:
    """One kind of import: what it reads and the words for what each row does."""

    kind: str  # names the signed rows (a token of one kind is refused by another)
    sheet: str  # the sheet read when the file has one of this name (else the first)
    fields: Sequence[Field]
    actions: dict[str, tuple[str, str]]  # what a row does → (its words, its badge tone)
    quiet: frozenset[str] = field(default_factory=frozenset)  # actions that write nothing


@dataclass(frozen=True)
class Shown:
    """The preview's table and what confirming would do, as a view describes its rows."""

    headers: list[str]
    rows: list[tuple[int, list, str, str]]  # (sheet row, cells, what happens, badge tone)
    actions: list[str]  # every row's action, for the summary
    clears: tuple[str, ...] = ()  # sign-offs confirming would clear (a box to tick first)
    note: str = ""  # said after the summary, e.g. the indicators a fact change updates


@dataclass(frozen=True)
class Preview:
    """What the confirmation will write, row by row, and the token that carries the rows."""

    headers: list[str]
    rows: list[tuple[int, list, str, str]]
    summary: str
    token: str
    confirm_url: str
    writes: bool  # whether confirming changes anything at all
    clears: tuple[str, ...] = ()


def read_upload(*, fields: Sequence[Field], sheet: str) -> TableRead:
    """The request's file read through the guarded reader against `fields`."""
    upload: FileStorage | None = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed.of_field("file", NO_FILE)
    # One byte past the cap is enough for the reader to refuse the file as too large.
    data = upload.stream.read(TABLE_LIMITS.max_file_bytes + 1)
    return read_table(data, filename=upload.filename, fields=fields, sheet=sheet)


def cells(values: dict[str, Any], fields: Sequence[Field]) -> list:
    """A row's values as the preview shows them: a choice by its label."""
    shown = []
    for spec in fields:
        value = values.get(spec.key)
        if spec.choices and value is not None:
            value = next((label for label, v in spec.choices.items() if v == value), value)
        elif spec.kind == "bool":
            value = "是" if value else "否"
        shown.append(value)
    return shown


def summary(actions: list[str], words: dict[str, tuple[str, str]]) -> str:
    """导入后：新增成员 3 行，更新分工 1 行 — in the order the words are listed."""
    parts = [f"{words[k][0]} {actions.count(k)} 行" for k in words if actions.count(k)]
    return "，".join(parts) or "没有要导入的行"


def values_shown(spec: TableImport, done: Sequence[Any]) -> Shown:
    """The plain preview: each row's values in the template's columns and what it does (rows
    with `.row`, `.values` and `.action`)."""
    return Shown(
        headers=[f.header for f in spec.fields],
        rows=[(r.row, cells(r.values, spec.fields), *spec.actions[r.action]) for r in done],
        actions=[r.action for r in done],
    )


def render(
    *,
    problems: Sequence[TableProblem] = (),
    preview: Preview | None = None,
    ignored: Sequence[str] = (),
    **page: Any,
) -> tuple[str, int]:
    """The import page: 422 with the problems, else 200 (the upload form, or the preview)."""
    html = render_template(
        "table_import.html", problems=problems, preview=preview, ignored=ignored, **page
    )
    return html, 422 if problems else 200


def upload(
    spec: TableImport,
    *,
    scope: int,
    page: dict[str, Any],
    write: Callable[[TableRead], T],
    confirm_url: str,
    show: Callable[[T], Shown] | None = None,
) -> tuple[str, int]:
    """GET: the upload form. POST: the file read, `write` rehearsed and undone, and either the
    problems by row and column (422, nothing written) or the preview with its signed rows."""
    if request.method == "GET":
        return render(**page)
    read = read_upload(fields=spec.fields, sheet=spec.sheet)
    try:
        done = rehearse(db.session(), lambda: write(read))
    except RowsRefused as refused:
        db.mark_rollback()
        return render(problems=refused.problems, ignored=read.ignored, **page)
    shown = show(done) if show is not None else values_shown(spec, done)  # type: ignore[arg-type]
    words = summary(shown.actions, spec.actions)
    preview = Preview(
        headers=shown.headers,
        rows=shown.rows,
        summary=f"{words}；{shown.note}" if shown.note else words,
        token=stage(
            spec.kind, scope=scope, user_id=current_user.id, rows=read.rows, fields=spec.fields
        ),  # fmt: skip
        confirm_url=confirm_url,
        writes=any(action not in spec.quiet for action in shown.actions),
        clears=shown.clears,
    )
    return render(preview=preview, ignored=read.ignored, **page)


def confirm(spec: TableImport, *, scope: int, write: Callable[[TableRead], T]) -> T:
    """The previewed rows from the request's token, written for real (RowsRefused when what
    changed since the preview makes a row impossible: nothing is written then)."""
    read = unstage(request.form.get("token", ""), kind=spec.kind, scope=scope,
                   user_id=current_user.id, fields=spec.fields)  # fmt: skip
    return write(read)
