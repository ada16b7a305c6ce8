"""导入工作组成员: the team list from Excel — template, upload and preview, confirmation."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core import table_import
from workbench.core.downloads import send_xlsx
from workbench.core.permissions import guarded_object, requires
from workbench.core.spreadsheet import template_workbook
from workbench.core.staging import RowsRefused, rehearse, stage, unstage
from workbench.experts.team_import import ACTIONS, FIELDS, KIND, SHEET, import_team
from workbench.experts.views import bp, load_engagement

HEADING = "导入工作组成员（Excel）"
INTRO = (
    "按模板填写成员的用户名、角色和分工（须为系统中已有的账号），上传后先预览每一行将如何导入。"
    "已在工作组的成员按表更新分工；专家须已在本机构专家库中建档。"
)


def _page(engagement) -> dict:
    return {
        "engagement": engagement,
        "heading": HEADING,
        "intro": INTRO,
        "back_url": url_for("engagements.team", engagement_id=engagement.id),
        "upload_url": url_for("experts.team_import", engagement_id=engagement.id),
        "template_url": url_for("experts.team_import_template", engagement_id=engagement.id),
    }


@bp.route("/engagements/<int:engagement_id>/team/import", methods=["GET", "POST"])
@requires("engagement.manage", load=load_engagement)
def team_import(engagement_id: int):
    engagement = guarded_object()
    page = _page(engagement)
    if request.method == "GET":
        return table_import.render(**page)
    read = table_import.read_upload(fields=FIELDS, sheet=SHEET)
    session = db.session()
    try:
        done = rehearse(
            session,
            lambda: import_team(session, actor=current_user, engagement=engagement, read=read),
        )
    except RowsRefused as refused:
        db.mark_rollback()
        return table_import.render(problems=refused.problems, ignored=read.ignored, **page)
    actions = [row.action for row in done]
    preview = table_import.Preview(
        headers=[spec.header for spec in FIELDS],
        rows=[(r.row, table_import.cells(r.values, FIELDS), *ACTIONS[r.action]) for r in done],
        summary=table_import.summary(actions, ACTIONS),
        token=stage(
            KIND, scope=engagement.id, user_id=current_user.id, rows=read.rows, fields=FIELDS
        ),  # fmt: skip
        confirm_url=url_for("experts.team_import_confirm", engagement_id=engagement.id),
        writes=any(action != "same" for action in actions),
    )
    return table_import.render(preview=preview, ignored=read.ignored, **page)


@bp.route("/engagements/<int:engagement_id>/team/import/confirm", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def team_import_confirm(engagement_id: int):
    engagement = guarded_object()
    read = unstage(request.form.get("token", ""), kind=KIND, scope=engagement.id,
                   user_id=current_user.id, fields=FIELDS)  # fmt: skip
    done = import_team(db.session(), actor=current_user, engagement=engagement, read=read)
    flash(f"已导入工作组成员：{table_import.summary([r.action for r in done], ACTIONS)}", "success")
    return redirect(url_for("engagements.team", engagement_id=engagement.id))


@bp.route("/engagements/<int:engagement_id>/team/import/template.xlsx")
@requires("engagement.manage", load=load_engagement)
def team_import_template(engagement_id: int):
    engagement = guarded_object()
    return send_xlsx(template_workbook(SHEET, FIELDS), f"{engagement.code} 工作组成员导入模板.xlsx")
