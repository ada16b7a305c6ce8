"""导入基本信息: the engagement's facts from Excel — template with the current values, upload and
preview, confirmation."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core import table_import
from workbench.core.downloads import send_xlsx
from workbench.core.inputs import clear_confirmed
from workbench.core.permissions import guarded_object, requires
from workbench.core.spreadsheet import template_workbook
from workbench.core.staging import RowsRefused, rehearse, stage, unstage
from workbench.facts import catalog, services
from workbench.facts.facts_import import ACTIONS, FIELDS, KIND, SHEET, import_facts
from workbench.facts.views import bp, load_engagement
from workbench.indicators.system import signatures_a_change_clears

HEADING = "导入基本信息（Excel）"
INTRO = (
    "下载模板（已列出本项目的全部基本信息及现值），在“数值”列填写后上传，先预览每一项将如何变化。"
    "留空的项目不修改；金额以万元填写，写明“元”则按元。已关联这些信息的指标随之更新。"
)


def _page(engagement) -> dict:
    return {
        "engagement": engagement,
        "heading": HEADING,
        "intro": INTRO,
        "back_url": url_for("facts.page", engagement_id=engagement.id),
        "upload_url": url_for("facts.import_page", engagement_id=engagement.id),
        "template_url": url_for("facts.import_template", engagement_id=engagement.id),
    }


@bp.route("/engagements/<int:engagement_id>/facts/import", methods=["GET", "POST"])
@requires("engagement.team", load=load_engagement)
def import_page(engagement_id: int):
    engagement = guarded_object()
    page = _page(engagement)
    if request.method == "GET":
        return table_import.render(**page)
    read = table_import.read_upload(fields=FIELDS, sheet=SHEET)
    session = db.session()
    try:
        planned, changed = rehearse(
            session,
            lambda: import_facts(
                session, actor=current_user, engagement=engagement, read=read, confirm_clear=True
            ),  # fmt: skip
        )
    except RowsRefused as refused:
        db.mark_rollback()
        return table_import.render(problems=refused.problems, ignored=read.ignored, **page)
    actions = [p.action for p in planned]
    preview = table_import.Preview(
        headers=["项目", "现值", "导入值", "说明"],
        rows=[
            (p.row, [p.fact.label, p.before or "未填写", p.after, p.note], *ACTIONS[p.action])
            for p in planned
        ],  # fmt: skip
        summary=table_import.summary(actions, ACTIONS)
        + (f"；将同步更新指标：{'、'.join(changed)}" if changed else ""),
        token=stage(
            KIND, scope=engagement.id, user_id=current_user.id, rows=read.rows, fields=FIELDS
        ),  # fmt: skip
        confirm_url=url_for("facts.import_confirm", engagement_id=engagement.id),
        writes=any(a in ("update", "manual") for a in actions),
        clears=tuple(signatures_a_change_clears(session, engagement)) if changed else (),
    )
    return table_import.render(preview=preview, ignored=read.ignored, **page)


@bp.route("/engagements/<int:engagement_id>/facts/import/confirm", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def import_confirm(engagement_id: int):
    engagement = guarded_object()
    read = unstage(request.form.get("token", ""), kind=KIND, scope=engagement.id,
                   user_id=current_user.id, fields=FIELDS)  # fmt: skip
    planned, changed = import_facts(db.session(), actor=current_user, engagement=engagement,
                                    read=read, confirm_clear=clear_confirmed())  # fmt: skip
    words = table_import.summary([p.action for p in planned], ACTIONS)
    flash(f"已导入基本信息：{words}" + (f"；已同步更新指标：{'、'.join(changed)}" if changed else ""),
          "success")  # fmt: skip
    return redirect(url_for("facts.page", engagement_id=engagement.id))


@bp.route("/engagements/<int:engagement_id>/facts/import/template.xlsx")
@requires("engagement.team", load=load_engagement)
def import_template(engagement_id: int):
    engagement = guarded_object()
    rows = [
        [fact.label, catalog.input_text(fact.definition, fact.value) if fact.source == "entered"
         else "", fact.definition.unit]
        for fact in services.current(db.session(), engagement)
    ]  # fmt: skip
    data = template_workbook(SHEET, FIELDS, rows)
    return send_xlsx(data, f"{engagement.code} 基本信息导入模板.xlsx")
