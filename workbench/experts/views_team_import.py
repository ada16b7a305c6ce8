"""导入工作组成员: the team list from Excel — template, upload and preview, confirmation."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from workbench import db
from workbench.core import table_import
from workbench.core.downloads import send_xlsx
from workbench.core.permissions import guarded_object, requires
from workbench.core.spreadsheet import template_workbook
from workbench.engagements.services import load_engagement
from workbench.experts.blueprint import bp
from workbench.experts.team_import import ACTIONS, FIELDS, KIND, SHEET, import_team

TEAM = table_import.TableImport(KIND, SHEET, FIELDS, ACTIONS, quiet=frozenset({"same"}))
INTRO = (
    "按模板填写成员的用户名、角色和分工（须为系统中已有的账号），上传后先预览每一行将如何导入。"
    "已在工作组的成员按表更新分工；专家须已在本机构专家库中建档。"
)


def _write(engagement):
    return lambda read: import_team(db.session(), actor=current_user, engagement=engagement,
                                    read=read)  # fmt: skip


@bp.route("/engagements/<int:engagement_id>/team/import", methods=["GET", "POST"])
@requires("engagement.manage", load=load_engagement)
def team_import(engagement_id: int):
    engagement = guarded_object()
    page = {
        "engagement": engagement,
        "heading": "导入工作组成员（Excel）",
        "intro": INTRO,
        "back_url": url_for("engagements.team", engagement_id=engagement.id),
        "upload_url": url_for("experts.team_import", engagement_id=engagement.id),
        "template_url": url_for("experts.team_import_template", engagement_id=engagement.id),
    }
    return table_import.upload(
        TEAM, scope=engagement.id, page=page, write=_write(engagement),
        confirm_url=url_for("experts.team_import_confirm", engagement_id=engagement.id),
    )  # fmt: skip


@bp.route("/engagements/<int:engagement_id>/team/import/confirm", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def team_import_confirm(engagement_id: int):
    engagement = guarded_object()
    done = table_import.confirm(TEAM, scope=engagement.id, write=_write(engagement))
    flash(f"已导入工作组成员：{table_import.summary([r.action for r in done], ACTIONS)}", "success")
    return redirect(url_for("engagements.team", engagement_id=engagement.id))


@bp.route("/engagements/<int:engagement_id>/team/import/template.xlsx")
@requires("engagement.manage", load=load_engagement)
def team_import_template(engagement_id: int):
    engagement = guarded_object()
    return send_xlsx(template_workbook(SHEET, FIELDS), f"{engagement.code} 工作组成员导入模板.xlsx")
