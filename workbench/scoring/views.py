"""The scoring page (综合评分), one leaf's scoring form, the lead's sign-off, expert scoring."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from flask_login import current_user

from workbench import db
from workbench.core.errors import Conflict, ValidationFailed
from workbench.core.forms import attach_errors, refused
from workbench.core.inputs import clear_confirmed
from workbench.core.permissions import guarded_object, requires
from workbench.core.templating import register_tab
from workbench.engagements import services as engagements
from workbench.engagements.services import load_engagement
from workbench.indicators import services as indicators
from workbench.indicators.services import get_system, signatures_a_change_clears
from workbench.scoring import (
    experts,
    services,
    views_self,  # noqa: F401 - 自评复核
)
from workbench.scoring import permissions as _scoring_permissions  # noqa: F401
from workbench.scoring.blueprint import bp
from workbench.scoring.forms import ExpertScoreForm, ScoreForm
from workbench.scoring.params import RULES, ParamError, parse_params
from workbench.scoring.rules import DEFAULT_CV_LIMIT
from workbench.scoring.table import paper_url, scoring_table
from workbench.scoring.values import format_number, format_percent

register_tab(lazy_gettext("综合评分"), "scoring.index", "indicators.edit")
register_tab(lazy_gettext("专家评分"), "scoring.expert_page", "scoring.expert")
register_tab(lazy_gettext("单位自评得分"), "scoring.self_score_page", "scoring.self_review")


def load_indicator(engagement_id: int, indicator_id: int, **_):
    """The engagement, after checking the leaf belongs to it (the leaf is kept for the view)."""
    engagement = load_engagement(engagement_id)
    # Kept on g: the session's identity map holds objects weakly, so once this function returned
    # the view's own get_indicator() would select the row again.
    g.scoring_leaf = indicators.get_indicator(db.session(), engagement, indicator_id)
    return engagement


def _guarded_leaf():
    """(engagement, leaf) as `load_indicator` loaded them for this request's permission check."""
    return guarded_object(), g.pop("scoring_leaf")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@bp.route("/engagements/<int:engagement_id>/scoring")
@requires("indicators.edit", load=load_engagement)
def index(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    # Read once and handed on, which would otherwise each select them again.
    system = get_system(session, engagement)
    panels = experts.scores_by_indicator(session, engagement)
    user_ids = {uid for scores in panels.values() for uid in scores}
    user_ids.update(m.user_id for m in services.expert_members(engagement))
    if system is not None and system.scores_signed_by_id:
        user_ids.add(system.scores_signed_by_id)
    users = engagements.users_by_id(session, user_ids)
    table = scoring_table(session, engagement, system=system, panels=panels, users=users)
    state = services.signoff(system, table.digest)
    return render_template(
        "scoring/index.html",
        engagement=engagement,
        table=table,
        system=system,
        signoff=state,
        stale=services.stale_message(state, table.result) if state.stale else "",
        users=users,
    )


@bp.route("/engagements/<int:engagement_id>/scoring/<int:indicator_id>", methods=["GET", "POST"])
@requires("indicators.edit", load=load_indicator)
def leaf(engagement_id: int, indicator_id: int):
    session = db.session()
    engagement, indicator = _guarded_leaf()
    form = ScoreForm(obj=indicator)
    shares = services.element_shares(indicator)
    if request.method == "GET":
        form.version.data = indicator.version
        form.score.data = "" if indicator.score is None else format_number(indicator.score)
        _fill_current(form, indicator)
    status = 200
    if form.validate_on_submit():
        try:
            services.record_inputs(
                session,
                actor=current_user,
                engagement=engagement,
                indicator=indicator,
                data=form.to_input(request.form.getlist("met")),
                version=_int(form.version.data),
                confirm_clear=clear_confirmed(),
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        except Conflict as error:  # e.g. the sign-off would go: the typed values stay on the page
            refused(error)
            status = 409
        else:
            flash(f"已保存“{indicator.name}”的评分数据", "success")
            return redirect(
                url_for("scoring.index", engagement_id=engagement_id) + f"#score-{indicator.id}"
            )
    row = services.compute_one(session, engagement, indicator)
    kind = services.INPUT_KIND.get(row.result.rule or indicator.rule, "score")
    # Only an expert leaf shows the panel (the other kinds show the form instead).
    panel = experts.scores_of(session, indicator) if kind == "expert" else {}
    return render_template(
        "scoring/leaf.html",
        engagement=engagement,
        indicator=indicator,
        row=row,
        form=form,
        kind=kind,
        shares=shares,
        mets=request.form.getlist("met") if request.method == "POST" else None,
        panel=panel,
        users=engagements.users_by_id(session, set(panel)),
        rules=RULES,
        paper_url=paper_url(engagement_id),
        clears=signatures_a_change_clears(session, engagement),
    ), status


def _fill_current(form: ScoreForm, indicator) -> None:
    """Show a qualitative leaf's current level and fraction, a deduction leaf's points."""
    try:
        if indicator.rule == "qualitative":
            params = parse_params("qualitative", indicator.params or "")
            form.level.data = params.level or ""
            form.fraction.data = "" if params.fraction is None else format_number(params.fraction)
        elif indicator.rule == "deduction":
            params = parse_params("deduction", indicator.params or "")
            form.deductions.data = "\n".join(format_number(p) for p in params.points)
    except ParamError:
        return


@bp.route("/engagements/<int:engagement_id>/scoring/sign", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def sign(engagement_id: int):
    system = services.sign(db.session(), actor=current_user, engagement=guarded_object())
    flash(f"已签字确认评分结果（{system.scores_signed_at:%Y-%m-%d}）", "success")
    return redirect(url_for("scoring.index", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/scoring/unsign", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def unsign(engagement_id: int):
    services.unsign(db.session(), actor=current_user, engagement=guarded_object())
    flash("已撤销评分签字", "warning")
    return redirect(url_for("scoring.index", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/expert-scoring")
@requires("scoring.expert", load=load_engagement)
def expert_page(engagement_id: int):
    engagement = guarded_object()
    return render_template(
        "scoring/experts.html",
        engagement=engagement,
        views=experts.panel_for(db.session(), engagement, current_user),
        gaps=engagements.declaration_gaps(db.session(), engagement, current_user),
        form=ExpertScoreForm(formdata=None),
        cv_limit=format_percent(DEFAULT_CV_LIMIT),
        clears=signatures_a_change_clears(db.session(), engagement),
    )


@bp.route("/engagements/<int:engagement_id>/expert-scoring/<int:indicator_id>", methods=["POST"])
@requires("scoring.expert", load=load_indicator)
def expert_submit(engagement_id: int, indicator_id: int):
    session = db.session()
    engagement, indicator = _guarded_leaf()
    form = ExpertScoreForm()
    if not form.validate_on_submit():
        flash("请填写得分", "danger")
    else:
        experts.submit(
            session,
            actor=current_user,
            engagement=engagement,
            indicator=indicator,
            score=form.parsed_score(),
            comment=form.comment.data or "",
            version=_int(form.version.data),
            confirm_clear=clear_confirmed(),
        )
        flash(f"已提交对“{indicator.name}”的打分", "success")
    return redirect(
        url_for("scoring.expert_page", engagement_id=engagement_id) + f"#expert-{indicator_id}"
    )
