"""导入整改事项: the rectification list from Excel — template, upload and preview, confirmation."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from workbench import db
from workbench.core import table_import
from workbench.core.downloads import send_xlsx
from workbench.core.permissions import guarded_object, requires
from workbench.core.spreadsheet import template_workbook
from workbench.engagements.services import load_engagement
from workbench.review import permissions as _permissions  # noqa: F401 - registers predicates
from workbench.review.blueprint import bp
from workbench.review.rectification_import import (
    ACTIONS,
    FIELDS,
    KIND,
    SHEET,
    import_items,
    template_rows,
)

ITEMS = table_import.TableImport(KIND, SHEET, FIELDS, ACTIONS, quiet=frozenset({"same"}))
HEADING = "导入整改事项（Excel）"
INTRO = (
    "下载模板（已列出审核通过的正式报告“存在的问题”中尚未建立的问题），填写问题、整改要求和期限后上传，"
    "先预览每一行将如何导入；期限留空则按默认天数。本页导出的整改清单也可导入，只读取问题、整改要求和两个期限。"
    "问题与已有整改事项相同的行不重复建立：所填各列与该事项一致时不变，不一致时列为错误，请在整改跟踪页修改该事项。"
)


def _page(engagement) -> dict:
    return {
        "engagement": engagement,
        "heading": HEADING,
        "intro": INTRO,
        "back_url": url_for("review.rectification", engagement_id=engagement.id),
        "upload_url": url_for("review.rectification_import", engagement_id=engagement.id),
        "template_url": url_for(
            "review.rectification_import_template", engagement_id=engagement.id
        ),
    }


def _write(engagement):
    return lambda read: import_items(db.session(), actor=current_user, engagement=engagement,
                                     read=read)  # fmt: skip


@bp.route("/engagements/<int:engagement_id>/review/rectification/import", methods=["GET", "POST"])
@requires("review.manage", load=load_engagement)
def rectification_import(engagement_id: int):
    engagement = guarded_object()
    return table_import.upload(
        ITEMS, scope=engagement.id, page=_page(engagement), write=_write(engagement),
        confirm_url=url_for("review.rectification_import_confirm", engagement_id=engagement.id),
    )  # fmt: skip


@bp.route("/engagements/<int:engagement_id>/review/rectification/import/confirm", methods=["POST"])
@requires("review.manage", load=load_engagement)
def rectification_import_confirm(engagement_id: int):
    engagement = guarded_object()
    done = table_import.confirm(ITEMS, scope=engagement.id, write=_write(engagement))
    flash(f"已导入整改事项：{table_import.summary([r.action for r in done], ACTIONS)}", "success")
    return redirect(url_for("review.rectification", engagement_id=engagement.id))


@bp.route("/engagements/<int:engagement_id>/review/rectification/import/template.xlsx")
@requires("review.manage", load=load_engagement)
def rectification_import_template(engagement_id: int):
    engagement = guarded_object()
    data = template_workbook(SHEET, FIELDS, template_rows(db.session(), engagement))
    return send_xlsx(data, f"{engagement.code} 整改清单导入模板.xlsx")
