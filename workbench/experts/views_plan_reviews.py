"""The plan's expert review page: the expert signs in the app; the lead records a paper opinion."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select

from workbench import db
from workbench.core import storage
from workbench.core.errors import NotFound
from workbench.core.hygiene import parse_int
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.engagements.services import load_engagement, users_by_id
from workbench.experts import permissions as _permissions  # noqa: F401 - registers predicates
from workbench.experts import plan_reviews
from workbench.experts.blueprint import bp
from workbench.experts.models import Expert
from workbench.experts.plan_review_models import CONCLUSION_NAMES


@bp.route("/engagements/<int:engagement_id>/plan-reviews")
@requires("engagement.internal", load=load_engagement)
def plan_reviews_page(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    reviews = plan_reviews.of_engagement(session, engagement)
    assigned = plan_reviews.assigned_experts(session, engagement)
    names = {e.id: e.name for e in session.exec(
        select(Expert).where(col(Expert.id).in_({r.expert_id for r in reviews} or {0}))
    ).all()}  # fmt: skip
    people = users_by_id(session, {r.signed_by_id or r.recorded_by_id for r in reviews} - {None})
    open_stage = not engagement.is_archived
    return render_template(
        "experts/plan_reviews.html",
        engagement=engagement,
        reviews=reviews,
        current=plan_reviews.current(reviews),
        names=names,
        people=people,
        assigned=assigned,
        plan=plan_reviews.newest_plan(session, engagement),
        conclusions=CONCLUSION_NAMES,
        can_sign=open_stage and allowed("plan_review.sign", engagement),
        can_record=open_stage and allowed("engagement.manage", engagement),
    )


@bp.route("/engagements/<int:engagement_id>/plan-reviews/sign", methods=["POST"])
@requires("plan_review.sign", load=load_engagement)
def sign_plan_review(engagement_id: int):
    engagement = guarded_object()
    plan_reviews.sign(
        db.session(),
        actor=current_user,
        engagement=engagement,
        data=plan_reviews.ReviewInput(
            conclusion=request.form.get("conclusion", ""), opinion=request.form.get("opinion", "")
        ),
    )
    flash("方案评审意见已签署", "success")
    return redirect(url_for("experts.plan_reviews_page", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/plan-reviews/paper", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def record_plan_review(engagement_id: int):
    engagement = guarded_object()
    upload = request.files.get("scan")
    plan_reviews.record_paper(
        db.session(),
        actor=current_user,
        engagement=engagement,
        expert_id=parse_int(request.form.get("expert_id")),
        data=plan_reviews.ReviewInput(
            conclusion=request.form.get("conclusion", ""), opinion=request.form.get("opinion", "")
        ),
        filename=upload.filename if upload else "",
        content=upload.read() if upload else b"",
    )
    flash("专家纸质评审意见已登记", "success")
    return redirect(url_for("experts.plan_reviews_page", engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/plan-reviews/<int:review_id>/scan")
@requires("engagement.internal", load=load_engagement)
def plan_review_scan(engagement_id: int, review_id: int):
    engagement = guarded_object()
    row = plan_reviews.get(db.session(), engagement, review_id)
    if not row.scan_sha256:
        raise NotFound("该评审意见没有扫描件")
    return storage.send(row.scan_sha256, name=row.scan_name, mime=row.scan_mime)
