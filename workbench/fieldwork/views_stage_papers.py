"""Admin page: which working papers each stage's gate asks for (the firm's setting)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core.permissions import requires
from workbench.engagements.stages import ORDER, STAGE_NAMES
from workbench.fieldwork import stage_papers
from workbench.fieldwork.blueprint import bp


@bp.route("/fieldwork/stage-papers")
@requires("admin")
def stage_papers_page():
    session = db.session()
    return render_template(
        "fieldwork/stage_papers.html",
        stages=ORDER,
        stage_names=STAGE_NAMES,
        choices=stage_papers.choices(session, current_user.org_id),
        required=stage_papers.required(session, current_user.org_id),
        defaults=stage_papers.DEFAULTS,
    )


@bp.route("/fieldwork/stage-papers", methods=["POST"])
@requires("admin")
def save_stage_papers():
    chosen = {stage.value: request.form.getlist(stage.value) for stage in ORDER}
    stage_papers.save(db.session(), actor=current_user, chosen=chosen)
    flash("各阶段须编制的工作底稿已保存，项目流程的阶段条件随之更新", "success")
    return redirect(url_for("fieldwork.stage_papers_page"))
