"""Pages of the quality rating (bureau fills, agency reads) and the admin's rubric editor."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.accounts.models import OrgKind
from workbench.accounts.services import list_orgs
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.forms import attach_errors, choices, refused
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.engagements.services import load_engagement, users_by_id
from workbench.review import rating as ratings
from workbench.review import rubric_store, rubrics
from workbench.review.blueprint import bp
from workbench.review.forms import RatingForm, RubricForm
from workbench.review.models import QualityRubric
from workbench.review.permissions import is_bureau_of


def _rating_page(engagement, *, form: RatingForm, values: dict, errors: dict, status: int = 200):
    session = db.session()
    rating = ratings.get(session, engagement)
    options = rubric_store.choices_for(session, engagement)
    wanted = form.rubric.data or request.args.get("rubric") or (rating.rubric_ref if rating else "")
    chosen = next((c for c in options if c.ref == wanted), options[0])
    form.rubric.choices = choices((c.ref, f"{c.rubric.name}（{c.scope}）") for c in options)
    form.rubric.data = chosen.ref
    if rating is not None and not values and rating.rubric_ref == chosen.ref:
        values = {f"score_{k}": v for k, v in rating.scores.items()}
        values |= {f"count_{k}": str(v) for k, v in rating.counts.items()}
        form.comment.data = form.comment.data or rating.comment
    return render_template(
        "review/rating.html",
        engagement=engagement,
        rating=rating,
        rated_rubric=ratings.rubric_of(rating) if rating else None,
        chosen=chosen,
        form=form,
        values=values,
        errors=errors,
        final_approved=ratings.final_approved(session, engagement),
        can_rate=is_bureau_of(current_user, engagement) and not engagement.is_archived,
        agency=allowed("review.team", engagement),
        users=users_by_id(session, {rating.rated_by_id} if rating else set()),
    ), status


@bp.route("/engagements/<int:engagement_id>/review/rating")
@requires("review.view", load=load_engagement)
def rating(engagement_id: int):
    return _rating_page(guarded_object(), form=RatingForm(), values={}, errors={})


@bp.route("/engagements/<int:engagement_id>/review/rating", methods=["POST"])
@requires("review.bureau", load=load_engagement)
def rate(engagement_id: int):
    engagement = guarded_object()
    form = RatingForm()
    if not form.validate_on_submit():
        return _rating_page(engagement, form=form, values={}, errors={}, status=422)
    scores = {k[6:]: v for k, v in request.form.items() if k.startswith("score_")}
    counts = {k[6:]: v for k, v in request.form.items() if k.startswith("count_")}
    try:
        row = ratings.record(
            db.session(),
            actor=current_user,
            engagement=engagement,
            rubric_ref=form.rubric.data or "",
            scores=scores,
            counts=counts,
            comment=form.comment.data or "",
        )
    except ValidationFailed as error:
        refused(error)
        values = {f"score_{k}": v for k, v in scores.items()}
        values |= {f"count_{k}": v for k, v in counts.items()}
        found = {d.field or "": d.message for d in error.details}
        return _rating_page(engagement, form=form, values=values, errors=found, status=422)
    flash(f"质量考核已保存：总分 {row.total} 分", "success")
    return redirect(url_for("review.rating", engagement_id=engagement_id))


# --- the admin's rubrics --------------------------------------------------------------------


class _NoRubric:
    """A rubric id that does not exist: hidden like any rubric from non-admins (404)."""

    def visible_to(self, user) -> bool:
        return bool(user.is_admin)


def load_rubric(rubric_id: int, **_) -> QualityRubric | _NoRubric:
    """The rubric; its visible_to hides it (404) from all but its own agency's admins."""
    return db.session().get(QualityRubric, rubric_id) or _NoRubric()


def _rubric(rubric_id: int) -> QualityRubric:
    row = load_rubric(rubric_id)
    if not isinstance(row, QualityRubric):
        raise NotFound("考核表不存在")
    return row


def _bureaus(form: RubricForm) -> dict[int, str]:
    found = {o.id: o.name for o in list_orgs(db.session(), kind=OrgKind.bureau)}
    form.bureau_id.choices = choices([(0, "本机构所有委托方（默认）")] + list(found.items()))
    return found


@bp.route("/admin/rubrics")
@requires("admin")
def rubrics_list():
    session = db.session()
    rows = rubric_store.agency_rows(session, current_user.org_id)
    return render_template(
        "review/rubrics.html",
        rows=[(r, rubric_store.parse_row(r)) for r in rows],
        builtins=rubrics.BUILTINS,
        firm_defaults=any(r.bureau_id is None for r in rows),
        bureaus={o.id: o.name for o in list_orgs(session, kind=OrgKind.bureau)},
        users=users_by_id(session, {r.updated_by_id for r in rows if r.updated_by_id}),
    )


@bp.route("/admin/rubrics/new", methods=["GET", "POST"])
@requires("admin")
def new_rubric():
    form = RubricForm()
    _bureaus(form)
    if request.method == "GET":
        template = rubrics.BUILTINS.get(request.args.get("from", ""), None)
        template = template or rubrics.BUILTINS[rubrics.STANDARD_KEY]
        form.name.data = template.name.replace("（默认）", "")
        form.definition.data = rubrics.rubric_to_text(template)
        form.bureau_id.data = 0
    if form.validate_on_submit():
        try:
            row = rubric_store.create(
                db.session(),
                actor=current_user,
                name=form.name.data,
                text=form.definition.data,
                bureau_id=form.bureau_id.data or None,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(f"考核表“{row.name}”已保存", "success")
            return redirect(url_for("review.rubrics_list"))
    return render_template("review/rubric_form.html", form=form, row=None)


@bp.route("/admin/rubrics/<int:rubric_id>/edit", methods=["GET", "POST"])
@requires("admin", load=load_rubric)
def edit_rubric(rubric_id: int):
    row = _rubric(rubric_id)
    form = RubricForm()
    _bureaus(form)
    if request.method == "GET":
        form.name.data = row.name
        form.definition.data = rubrics.rubric_to_text(rubric_store.parse_row(row))
        form.bureau_id.data = row.bureau_id or 0
        form.version.data = row.version
    if form.validate_on_submit():
        try:
            rubric_store.update(
                db.session(),
                actor=current_user,
                row=row,
                name=form.name.data,
                text=form.definition.data,
                bureau_id=form.bureau_id.data or None,
                version=form.version.data,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(f"考核表“{row.name}”已保存", "success")
            return redirect(url_for("review.rubrics_list"))
    return render_template("review/rubric_form.html", form=form, row=row)


@bp.route("/admin/rubrics/<int:rubric_id>/delete", methods=["POST"])
@requires("admin", load=load_rubric)
def delete_rubric(rubric_id: int):
    row = _rubric(rubric_id)
    name = row.name
    rubric_store.delete(db.session(), actor=current_user, row=row)
    flash(f"考核表“{name}”已删除（已完成的考核保留当时的考核表）", "warning")
    return redirect(url_for("review.rubrics_list"))
