"""导入资料项: a document request's materials from Excel — template, upload and preview,
confirmation."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from workbench import db
from workbench.core import table_import
from workbench.core.downloads import send_xlsx
from workbench.core.permissions import guarded_object, requires
from workbench.core.spreadsheet import template_workbook
from workbench.core.timeutil import today_local
from workbench.fieldwork import loaders
from workbench.fieldwork.blueprint import bp
from workbench.fieldwork.request_import import ACTIONS, FIELDS, KIND, SHEET, import_items

ITEMS = table_import.TableImport(KIND, SHEET, FIELDS, ACTIONS, quiet=frozenset({"same"}))
INTRO = (
    "按模板逐行填写资料名称、说明/要求和截止日期，上传后先预览每一行将如何导入。"
    "与本清单已有资料同名的行不再新增；其说明或截止日期与清单中的不同时须先改正表格"
    "（导入只新增资料项，不修改已有的资料项）。"
)
SENT = "本清单已发送，导入的资料项被评价单位随即可以看到并上传。"


def _page(scope) -> dict:
    engagement, req = scope.engagement, scope.request
    ids = {"engagement_id": engagement.id, "request_id": req.id}
    return {
        "engagement": engagement,
        "heading": f"导入资料项（Excel）：{req.title}",
        "intro": INTRO + (SENT if req.is_sent else ""),
        "back_url": url_for("fieldwork.request_show", **ids),
        "upload_url": url_for("fieldwork.request_import", **ids),
        "template_url": url_for("fieldwork.request_import_template", **ids),
    }


def _write(scope):
    return lambda read: import_items(db.session(), actor=current_user, engagement=scope.engagement,
                                     request=scope.request, read=read, today=today_local())  # fmt: skip


@bp.route(
    "/engagements/<int:engagement_id>/requests/<int:request_id>/import", methods=["GET", "POST"]
)
@requires("fieldwork.manage", load=loaders.request)
def request_import(engagement_id: int, request_id: int):
    scope = guarded_object()
    confirm_url = url_for(
        "fieldwork.request_import_confirm", engagement_id=engagement_id, request_id=request_id
    )
    return table_import.upload(ITEMS, scope=scope.request.id, page=_page(scope),
                               write=_write(scope), confirm_url=confirm_url)  # fmt: skip


@bp.route(
    "/engagements/<int:engagement_id>/requests/<int:request_id>/import/confirm", methods=["POST"]
)
@requires("fieldwork.manage", load=loaders.request)
def request_import_confirm(engagement_id: int, request_id: int):
    scope = guarded_object()
    done = table_import.confirm(ITEMS, scope=scope.request.id, write=_write(scope))
    flash(f"已导入资料清单：{table_import.summary([r.action for r in done], ACTIONS)}", "success")
    return redirect(
        url_for("fieldwork.request_show", engagement_id=engagement_id, request_id=request_id)
    )


@bp.route("/engagements/<int:engagement_id>/requests/<int:request_id>/import/template.xlsx")
@requires("fieldwork.manage", load=loaders.request)
def request_import_template(engagement_id: int, request_id: int):
    scope = guarded_object()
    return send_xlsx(
        template_workbook(SHEET, FIELDS), f"{scope.engagement.code} 资料清单导入模板.xlsx"
    )
