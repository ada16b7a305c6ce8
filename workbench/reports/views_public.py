"""The report page's 公开版 card: mark sections internal, generate the public version."""

from __future__ import annotations

from flask import flash, request
from flask_login import current_user

from workbench import db
from workbench.core.permissions import guarded_object, requires
from workbench.reports import public_version as public
from workbench.reports.blueprint import bp
from workbench.reports.loaders import back_to, load_engagement


@bp.app_context_processor
def _public_panel() -> dict:
    # A callable: the queries run only on the report page, which includes the card.
    def public_panel(engagement) -> dict:
        session = db.session()
        marked = public.internal_keys(session, engagement)
        return {
            "sections": [
                (section.key, public.section_title(section))
                for section in public.markable(session, engagement)
            ],
            "internal": marked,
            "token": public.marks_token(marked),
            "versions": public.public_versions(session, engagement),
            "may_manage": engagement.can_manage(current_user) and not engagement.is_archived,
        }

    return {"public_panel": public_panel}


@bp.route("/engagements/<int:engagement_id>/report/internal-sections", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def internal_sections(engagement_id: int):
    marked = public.set_internal(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        keys=request.form.getlist("internal"),
        seen=request.form.get("seen", ""),
    )
    flash(
        f"已保存：{len(marked)}个章节标记为内部，公开版不予公开"
        if marked
        else "已保存：没有内部章节",
        "success",
    )
    return back_to("reports.report", engagement_id, "#public-version")


@bp.route("/engagements/<int:engagement_id>/report/public", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def generate_public(engagement_id: int):
    engagement = guarded_object()
    version = public.generate_public(db.session(), actor=current_user, engagement=engagement)
    removed = version.figures["public"]
    flash(
        f"已生成{public.title(engagement)}第{version.number}版：删除{removed['personal_text']}，"
        f"不予公开章节{len(removed['sections'])}个",
        "success",
    )
    return back_to("reports.report", engagement_id, "#public-version")
