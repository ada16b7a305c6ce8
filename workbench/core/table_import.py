"""The pages' side of an Excel import (templates/table_import.html): the upload, the preview, the
refusal. A domain's view supplies its fields, its service and its words; see
experts/views_team_import.py for one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import render_template, request
from werkzeug.datastructures import FileStorage

from workbench.core.errors import ValidationFailed
from workbench.core.spreadsheet import Field, TableProblem, TableRead, read_table
from workbench.core.spreadsheet.table_read import TABLE_LIMITS

NO_FILE = "请选择要导入的文件（.xlsx、.xls 或 .csv）"


@dataclass(frozen=True)
class Preview:
    """What the confirmation will write, row by row, and the token that carries the rows."""

    headers: list[str]
    rows: list[tuple[int, list, str, str]]  # (sheet row, cells, what happens, badge tone)
    summary: str
    token: str
    confirm_url: str
    writes: bool  # whether confirming changes anything at all
    clears: tuple[str, ...] = ()  # sign-offs confirming would clear (a box to tick first)


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


def summary(actions: list[str], words: dict[str, tuple[str, str]]) -> str:
    """导入后：新增成员 3 行，更新分工 1 行 — in the order the words are listed."""
    parts = [f"{words[k][0]} {actions.count(k)} 行" for k in words if actions.count(k)]
    return "，".join(parts) or "没有要导入的行"
