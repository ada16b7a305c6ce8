"""导入基本信息: the engagement's facts from Excel — template with the current values, upload and
preview, confirmation."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from workbench import db
from workbench.core import table_import
from workbench.core.downloads import send_xlsx
from workbench.core.inputs import clear_confirmed
from workbench.core.permissions import guarded_object, requires
from workbench.core.spreadsheet import template_workbook
from workbench.engagements.services import load_engagement
from workbench.facts import catalog, services
from workbench.facts.blueprint import bp
from workbench.facts.facts_import import ACTIONS, FIELDS, KIND, SHEET, import_facts
from workbench.indicators.services import signatures_a_change_clears

FACTS = table_import.TableImport(KIND, SHEET, FIELDS, ACTIONS, quiet=frozenset({"same", "skip"}))
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


def _write(engagement, *, confirm_clear: bool):
    return lambda read: import_facts(db.session(), actor=current_user, engagement=engagement,
                                     read=read, confirm_clear=confirm_clear)  # fmt: skip


def _shown(engagement):
    def shown(done) -> table_import.Shown:
        planned, changed = done
        clears = signatures_a_change_clears(db.session(), engagement) if changed else []
        return table_import.Shown(
            headers=["项目", "现值", "导入值", "说明"],
            rows=[
                (p.row, [p.fact.label, p.before or "未填写", p.after, p.note], *ACTIONS[p.action])
                for p in planned
            ],  # fmt: skip
            actions=[p.action for p in planned],
            clears=tuple(clears),
            note=f"将同步更新指标：{'、'.join(changed)}" if changed else "",
        )

    return shown


@bp.route("/engagements/<int:engagement_id>/facts/import", methods=["GET", "POST"])
@requires("engagement.team", load=load_engagement)
def import_page(engagement_id: int):
    engagement = guarded_object()
    return table_import.upload(
        FACTS, scope=engagement.id, page=_page(engagement),
        write=_write(engagement, confirm_clear=True), show=_shown(engagement),
        confirm_url=url_for("facts.import_confirm", engagement_id=engagement.id),
    )  # fmt: skip


@bp.route("/engagements/<int:engagement_id>/facts/import/confirm", methods=["POST"])
@requires("engagement.team", load=load_engagement)
def import_confirm(engagement_id: int):
    engagement = guarded_object()
    write = _write(engagement, confirm_clear=clear_confirmed())
    planned, changed = table_import.confirm(FACTS, scope=engagement.id, write=write)
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
