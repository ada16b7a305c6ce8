"""Pages of the consultation (征求意见): the agency's page and the evaluated unit's own page."""

from __future__ import annotations

from datetime import date

from flask import flash, render_template, request
from flask_login import current_user

from workbench import db
from workbench.core import storage
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.forms import choices
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.core.timeutil import local
from workbench.engagements import services as engagements
from workbench.reports import consultation
from workbench.reports.blueprint import bp
from workbench.reports.forms import AnswerForm, GenerateForm, NoOpinionsForm, OpinionForm, SendForm
from workbench.reports.loaders import (
    back_to,
    int_param,
    load_engagement,
    load_opinion,
    versions_and_authors,
)
from workbench.reports.models import KIND_NAMES, DeliverableKind
from workbench.reports.services import generation, jobs, signoffs

# --- consultation: the agency's side -------------------------------------------------------------


@bp.route("/engagements/<int:engagement_id>/consultation")
@requires("engagement.team", load=load_engagement)
def consultation_page(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    current = consultation.current(session, engagement)
    items = consultation.opinions(session, current)
    users = engagements.users_by_id(session, {m.user_id for m in engagement.members})
    form = SendForm()
    form.version_id.choices = choices(
        (v.id, f"第{v.number}版（{local(v.generated_at):%Y-%m-%d %H:%M}）")
        for v in consultation.drafts(session, engagement)
    )
    form.recipient_id.choices = choices(
        (uid, users[uid].display_name)
        for uid in consultation.unit_contacts(engagement)
        if uid in users
    )
    rows, makers = versions_and_authors(session, engagement, [DeliverableKind.opinion_table])
    sent = (
        generation.get_version(session, engagement, current.deliverable_version_id)
        if current
        else None
    )
    return render_template(
        "reports/consultation.html",
        engagement=engagement,
        current=current,
        sent=sent,
        opinions=items,
        users=users,
        send_form=form,
        none_form=NoOpinionsForm(),
        answer_form=AnswerForm(),
        generate_form=GenerateForm(),
        versions=rows,
        makers=makers,
        kind_names=KIND_NAMES,
        rounds=consultation.rounds(session, engagement),
        approved=signoffs.approved(session, engagement),
        blockers=consultation.blockers(session, engagement),
        pdf_available=generation.pdf_available(),
        can_generate=allowed("engagement.team", engagement),
        jobs=jobs.open_jobs(session, engagement, ("opinion_table",)),
    )


@bp.route("/engagements/<int:engagement_id>/consultation/send", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def send(engagement_id: int):
    raw_due = (request.form.get("due_date") or "").strip()
    try:
        due = date.fromisoformat(raw_due) if raw_due else None
    except ValueError:
        raise ValidationFailed(
            "日期无效",
            details=[{"field": "due_date", "message": "反馈截止日期格式应为 YYYY-MM-DD"}],
        ) from None
    consultation.send(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        version_id=int_param("version_id", required=False) or 0,
        recipient_id=int_param("recipient_id", required=False) or 0,
        message=request.form.get("message", ""),
        due_date=due,
    )
    flash("征求意见稿已发送给被评价单位联系人", "success")
    return back_to("reports.consultation_page", engagement_id)


@bp.route("/engagements/<int:engagement_id>/consultation/no-opinions", methods=["POST"])
@requires("engagement.manage", load=load_engagement)
def no_opinions(engagement_id: int):
    consultation.record_no_opinions(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        note=request.form.get("note", ""),
    )
    flash("已记录被评价单位无意见", "success")
    return back_to("reports.consultation_page", engagement_id)


@bp.route("/engagements/<int:engagement_id>/opinions/<int:opinion_id>/answer", methods=["POST"])
@requires("engagement.team", load=load_opinion)
def answer(engagement_id: int, opinion_id: int):
    session = db.session()
    engagement = load_engagement(engagement_id)
    opinion = consultation.answer(
        session,
        actor=current_user,
        engagement=engagement,
        opinion=consultation.get_opinion(session, engagement, opinion_id),
        adoption=request.form.get("adoption", ""),
        reason=request.form.get("reason", ""),
        version=int_param("version", required=False),
    )
    flash(f"已答复第{opinion.number}条意见", "success")
    return back_to("reports.consultation_page", engagement_id, f"#opinion-{opinion.id}")


# --- consultation: the evaluated unit's page ------------------------------------------------------


@bp.route("/engagements/<int:engagement_id>/feedback")
@requires("reports.unit", load=load_engagement)
def feedback(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    current = consultation.current(session, engagement)
    sent = (
        generation.get_version(session, engagement, current.deliverable_version_id)
        if current
        else None
    )
    return render_template(
        "reports/feedback.html",
        engagement=engagement,
        current=current,
        sent=sent,
        opinions=consultation.opinions(session, current),
        form=OpinionForm(),
    )


@bp.route("/engagements/<int:engagement_id>/feedback/draft")
@requires("reports.unit", load=load_engagement)
def feedback_draft(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    current = consultation.current(session, engagement)
    if current is None:
        raise NotFound("评价机构尚未发送征求意见稿")
    version = generation.get_version(session, engagement, current.deliverable_version_id)
    return storage.send(version.sha256, name=version.filename, mime=version.mime)


@bp.route("/engagements/<int:engagement_id>/feedback/opinions", methods=["POST"])
@requires("reports.unit", load=load_engagement)
def add_opinion(engagement_id: int):
    opinion = consultation.add_opinion(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        reference=request.form.get("reference", ""),
        content=request.form.get("content", ""),
    )
    flash(f"第{opinion.number}条意见已保存", "success")
    return back_to("reports.feedback", engagement_id)


@bp.route("/engagements/<int:engagement_id>/feedback/opinions/<int:opinion_id>", methods=["POST"])
@requires("reports.unit", load=load_opinion)
def edit_opinion(engagement_id: int, opinion_id: int):
    session = db.session()
    engagement = load_engagement(engagement_id)
    opinion = consultation.get_opinion(session, engagement, opinion_id)
    if request.form.get("delete"):
        consultation.delete_opinion(
            session, actor=current_user, engagement=engagement, opinion=opinion
        )
        flash("意见已删除", "warning")
    else:
        consultation.update_opinion(
            session,
            actor=current_user,
            engagement=engagement,
            opinion=opinion,
            reference=request.form.get("reference", ""),
            content=request.form.get("content", ""),
            version=int_param("version", required=False),
        )
        flash(f"第{opinion.number}条意见已修改", "success")
    return back_to("reports.feedback", engagement_id)


@bp.route("/engagements/<int:engagement_id>/feedback/complete", methods=["POST"])
@requires("reports.unit", load=load_engagement)
def complete(engagement_id: int):
    consultation.complete(db.session(), actor=current_user, engagement=guarded_object())
    flash("已确认反馈完毕，感谢您的意见", "success")
    return back_to("reports.feedback", engagement_id)
