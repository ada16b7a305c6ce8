"""从Excel导入专家: the agency's expert roster from Excel — template, upload and preview, confirmation."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from workbench import db
from workbench.core import table_import
from workbench.core.downloads import send_xlsx
from workbench.core.permissions import requires
from workbench.core.spreadsheet import template_workbook
from workbench.experts.blueprint import bp
from workbench.experts.pool_import import ACTIONS, FIELDS, KIND, SHEET, RowDone, import_experts

HEADING = "从Excel导入专家"
INTRO = (
    "按模板填写专家信息（列与“新增专家”页相同，只有姓名必填），上传后先预览每一行将如何导入。"
    "电子邮箱或关联登录账号与库中专家相同，或姓名相同且联系电话、电子邮箱不矛盾的，更新该专家，"
    "留空的列保留原值；其余新增。导出的专家名单也可修改后直接导入。"
)
POOL = table_import.TableImport(KIND, SHEET, FIELDS, ACTIONS, quiet=frozenset({"same"}))
PREVIEW_CHARS = 16
CUT_SHORT = {"field_tags", "organisation", "note"}


def _page() -> dict:
    return {
        "heading": HEADING,
        "intro": INTRO,
        "back_url": url_for("experts.pool"),
        "upload_url": url_for("experts.pool_import"),
        "template_url": url_for("experts.pool_import_template"),
    }


def _action(row: RowDone) -> tuple[str, str]:
    """What the preview says of the row: an update names the columns it changes."""
    word, tone = ACTIONS[row.action]
    if not row.changed:
        return word, tone
    named = "、".join(row.changed[:3]) + (
        f"等 {len(row.changed)} 列" if len(row.changed) > 3 else ""
    )
    return f"{word}：{named}", tone


def _cells(values: dict, shown: list) -> list:
    """A row as the preview shows it: free text (a note, an organisation) cut short so the row
    stays on one line; the name, phone and e-mail it is matched by are shown whole."""
    cells = table_import.cells(values, shown)
    return [
        value[: PREVIEW_CHARS - 1] + "…"
        if spec.key in CUT_SHORT and isinstance(value, str) and len(value) > PREVIEW_CHARS
        else value
        for spec, value in zip(shown, cells, strict=True)
    ]


def _shown(done: list[RowDone]) -> table_import.Shown:
    """The preview's columns (those the file fills in somewhere) and its rows."""
    shown = [spec for spec in FIELDS if any(r.values[spec.key] is not None for r in done)]
    return table_import.Shown(
        headers=[spec.header for spec in shown],
        rows=[(r.row, _cells(r.values, shown), *_action(r)) for r in done],
        actions=[r.action for r in done],
    )


def _write(read):
    return import_experts(db.session(), actor=current_user, read=read)


@bp.route("/experts/import", methods=["GET", "POST"])
@requires("admin")
def pool_import():
    return table_import.upload(POOL, scope=current_user.org_id, page=_page(), write=_write,
                               confirm_url=url_for("experts.pool_import_confirm"),
                               show=_shown)  # fmt: skip


@bp.route("/experts/import/confirm", methods=["POST"])
@requires("admin")
def pool_import_confirm():
    done = table_import.confirm(POOL, scope=current_user.org_id, write=_write)
    flash(f"已导入专家库：{table_import.summary([r.action for r in done], ACTIONS)}", "success")
    return redirect(url_for("experts.pool"))


@bp.route("/experts/import/template.xlsx")
@requires("admin")
def pool_import_template():
    return send_xlsx(template_workbook(SHEET, FIELDS), "专家库导入模板.xlsx")
