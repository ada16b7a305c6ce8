"""自评复核: the page where the team records the unit's self-score per indicator."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.forms import refused
from workbench.core.hygiene import parse_int
from workbench.core.permissions import guarded_object, predicate, requires
from workbench.core.problems import FieldError
from workbench.engagements.services import load_engagement
from workbench.indicators.services import is_editor
from workbench.reports.services import profile_for
from workbench.scoring import self_gaps, self_scores, services
from workbench.scoring.blueprint import bp


@predicate("scoring.self_review")
def shows_self_scores(user, engagement) -> bool:
    """The 单位自评得分 tab: a self-evaluation review, for those who work on the scores."""
    return engagement.type == "self_eval_review" and is_editor(engagement, user)


@bp.route("/engagements/<int:engagement_id>/scoring/self-scores", methods=["GET", "POST"])
@requires("indicators.edit", load=load_engagement)
def self_score_page(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    errors: list[FieldError] = []
    if request.method == "POST":
        entries = {
            item.id: self_scores.Entry(
                request.form.get(f"self_{item.id}", ""),
                request.form.get(f"note_{item.id}", ""),
                parse_int(request.form.get(f"version_{item.id}")),
            )
            for item in self_scores.leaves(session, engagement)
            if f"self_{item.id}" in request.form or f"note_{item.id}" in request.form
        }
        try:
            changed = self_scores.save(
                session, actor=current_user, engagement=engagement, entries=entries
            )
        except ValidationFailed as error:
            errors = error.details or [FieldError(str(error), field="")]
            refused(error)
        else:
            flash(f"已保存{changed}项自评得分", "success")
            return redirect(url_for("scoring.self_score_page", engagement_id=engagement.id))
    profile_threshold = profile_for(session, engagement).gap_threshold
    threshold = profile_threshold or self_gaps.DEFAULT_THRESHOLD
    _result, computed = services.compute(session, engagement)
    reviews = {row.indicator.id: row.result.score for row in computed}
    rows, total, own_sum, review_sum = self_scores.rows(
        [row.indicator for row in computed], reviews, threshold
    )
    return render_template(
        "scoring/self_scores.html",
        engagement=engagement,
        rows=rows,
        total=total,
        own_sum=own_sum,
        review_sum=review_sum,
        threshold=threshold,
        in_report=profile_threshold is not None,
        errors={e.field or None: e.message for e in errors},
        form=request.form if errors else None,
    ), (422 if errors else 200)
