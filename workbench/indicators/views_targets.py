"""导入绩效目标申报表（目标值）: the leaves' targets from the unit's declaration — template with the
engagement's leaves, upload and preview, confirmation."""

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
from workbench.indicators.blueprint import bp
from workbench.indicators.system import signatures_a_change_clears
from workbench.indicators.targets_import import (
    ACTIONS,
    FIELDS,
    KIND,
    SHEET,
    SUMMARY,
    import_targets,
)
from workbench.indicators.tree import list_indicators

TARGETS = table_import.TableImport(
    KIND, SHEET, FIELDS, SUMMARY, quiet=frozenset(SUMMARY) - {"update"}
)
HEADING = "导入绩效目标申报表（目标值）"
INTRO = (
    "上传单位的项目支出绩效目标申报表（或下载模板填写：模板已列出本项目的全部三级指标及现有目标值），"
    "按三级指标名称对应本项目的指标，把“指标性质”“指标值”“度量单位”连写为目标值，如“≥”“95”“%”写为“≥95%”。"
    "本项目没有的指标、留空的行和定性的指标值不导入。上传后先预览每一行将如何变化。"
)


def _page(engagement) -> dict:
    return {
        "engagement": engagement,
        "heading": HEADING,
        "intro": INTRO,
        "back_url": url_for("indicators.index", engagement_id=engagement.id),
        "upload_url": url_for("indicators.targets_import", engagement_id=engagement.id),
        "template_url": url_for("indicators.targets_import_template", engagement_id=engagement.id),
    }


def _write(engagement, *, confirm_clear: bool):
    return lambda read: import_targets(db.session(), actor=current_user, engagement=engagement,
                                       read=read, confirm_clear=confirm_clear)  # fmt: skip


def _shown(engagement):
    def shown(planned) -> table_import.Shown:
        actions = [p.action for p in planned]
        clears = signatures_a_change_clears(db.session(), engagement, confirmation=True)
        return table_import.Shown(
            headers=["申报表指标", "本项目指标", "现目标值", "导入目标值", "说明"],
            rows=[
                (p.row, [p.declared, p.path or "—", p.before, p.after, p.note], *ACTIONS[p.action])
                for p in planned
            ],  # fmt: skip
            actions=actions,
            clears=tuple(clears) if "update" in actions else (),
        )

    return shown


@bp.route("/engagements/<int:engagement_id>/indicators/targets/import", methods=["GET", "POST"])
@requires("indicators.edit", load=load_engagement)
def targets_import(engagement_id: int):
    engagement = guarded_object()
    return table_import.upload(
        TARGETS, scope=engagement.id, page=_page(engagement),
        write=_write(engagement, confirm_clear=True), show=_shown(engagement),
        confirm_url=url_for("indicators.targets_import_confirm", engagement_id=engagement.id),
    )  # fmt: skip


@bp.route("/engagements/<int:engagement_id>/indicators/targets/import/confirm", methods=["POST"])
@requires("indicators.edit", load=load_engagement)
def targets_import_confirm(engagement_id: int):
    engagement = guarded_object()
    write = _write(engagement, confirm_clear=clear_confirmed())
    planned = table_import.confirm(TARGETS, scope=engagement.id, write=write)
    words = table_import.summary([p.action for p in planned], SUMMARY)
    flash(f"已导入绩效目标申报表：{words}", "success")
    return redirect(url_for("indicators.index", engagement_id=engagement.id))


@bp.route("/engagements/<int:engagement_id>/indicators/targets/import/template.xlsx")
@requires("indicators.edit", load=load_engagement)
def targets_import_template(engagement_id: int):
    engagement = guarded_object()
    rows = [
        [leaf.level1, leaf.level2, leaf.name, "", leaf.target, ""]
        for leaf in list_indicators(db.session(), engagement)
    ]
    data = template_workbook(SHEET, FIELDS, rows)
    return send_xlsx(data, f"{engagement.code} 绩效目标申报表导入模板.xlsx")
