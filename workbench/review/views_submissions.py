"""Pages of the review loop: the engagement's review tab, a submission, the bureau's inbox."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core import storage
from workbench.core.forms import choices
from workbench.core.inputs import query_int
from workbench.core.permissions import allowed, guarded_object, requires
from workbench.engagements.services import load_engagement, users_by_id
from workbench.reports.models import DeliverableVersion
from workbench.review import decisions, submissions
from workbench.review.blueprint import bp
from workbench.review.forms import AnswerForm, CommentForm, DecisionForm, SubmitForm
from workbench.review.loaders import load_submission
from workbench.review.permissions import is_bureau_of
from workbench.review.states import (
    REVIEW_KIND_NAMES,
    ReviewKind,
    SubmissionStatus,
    review_kinds_of,
    timeline,
)


def _submission_url(engagement_id: int, submission_id: int, anchor: str = "") -> str:
    url = url_for("review.submission", engagement_id=engagement_id, submission_id=submission_id)
    return url + (f"#{anchor}" if anchor else "")


def _submit_form(session, engagement) -> SubmitForm:
    form = SubmitForm()
    versions = submissions.candidate_versions(session, engagement)
    form.version_id.choices = choices(
        [(0, "（最新版本）")]
        + [
            (v.id, f"{v.kind_name} 第 {v.number} 版{('（' + v.label + '）') if v.label else ''}")
            for v in versions
        ]
    )
    return form


@bp.route("/engagements/<int:engagement_id>/review")
@requires("review.view", load=load_engagement)
def overview(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    rows = submissions.of_engagement(session, engagement)
    comments = submissions.comments_of(session, [s.id for s in rows])
    counts = {sid: len(found) for sid, found in comments.items()}
    agency = allowed("review.team", engagement)
    kinds = []
    for kind in ReviewKind:
        mine = [s for s in rows if s.kind == kind]
        if mine or agency:
            kinds.append(
                {
                    "kind": kind,
                    "name": REVIEW_KIND_NAMES[kind],
                    "latest": mine[-1] if mine else None,
                    "events": timeline(mine, counts),
                    "open": sum(not c.answered for s in mine[-1:] for c in comments[s.id]),
                }
            )
    versions = submissions.candidate_versions(session, engagement) if agency else []
    return render_template(
        "review/overview.html",
        engagement=engagement,
        kinds=kinds,
        versions=versions,
        submitted_ids={s.version_id for s in rows},
        review_kinds_of=review_kinds_of,
        form=_submit_form(session, engagement) if agency else None,
        agency=agency,
        users=users_by_id(session, {s.submitted_by_id for s in rows}),
    )


@bp.route("/engagements/<int:engagement_id>/review/submit", methods=["POST"])
@requires("review.manage", load=load_engagement)
def submit(engagement_id: int):
    session = db.session()
    engagement = guarded_object()
    form = _submit_form(session, engagement)
    if not form.validate_on_submit():
        flash("请选择提交内容", "danger")
        return redirect(url_for("review.overview", engagement_id=engagement_id))
    row = submissions.submit(
        session,
        actor=current_user,
        engagement=engagement,
        kind=form.kind.data,
        version_id=form.version_id.data or None,
        note=form.note.data or "",
    )
    flash(f"{row.kind_name}第 {row.version_number} 版已提交委托方审核", "success")
    return redirect(_submission_url(engagement_id, row.id))


@bp.route("/engagements/<int:engagement_id>/review/submissions/<int:submission_id>")
@requires("review.view", load=load_submission)
def submission(engagement_id: int, submission_id: int):
    session = db.session()
    engagement = guarded_object()
    row = submissions.get(session, engagement, submission_id)
    version = session.get(DeliverableVersion, row.version_id)
    sections = submissions.sections_of(version)
    same_kind = [s for s in submissions.of_engagement(session, engagement) if s.kind == row.kind]
    comments = submissions.comments_of(session, [s.id for s in same_kind])
    mine = comments[row.id]
    anchored: dict[tuple[str, int | None], list] = {}
    for comment in mine:
        anchored.setdefault((comment.section_key, comment.paragraph), []).append(comment)
    latest = same_kind[-1]
    reviewer = is_bureau_of(current_user, engagement)
    form = CommentForm()
    form.section.choices = choices([("", "总体意见")] + [(s.key, s.title) for s in sections])
    people = {row.submitted_by_id, row.decided_by_id or 0}
    people |= {c.author_id for found in comments.values() for c in found}
    people |= {c.answered_by_id or 0 for found in comments.values() for c in found}
    return render_template(
        "review/submission.html",
        engagement=engagement,
        row=row,
        version=version,
        sections=sections,
        comments=mine,
        anchored=anchored,
        earlier=[(s, comments[s.id]) for s in same_kind if s.round < row.round],
        later=[s for s in same_kind if s.round > row.round],
        can_review=reviewer and row.pending and not engagement.is_archived,
        can_answer=(
            allowed("review.team", engagement)
            and row.status == SubmissionStatus.returned
            and latest.id == row.id
            and not engagement.is_archived
        ),
        comment_form=form,
        decision_form=DecisionForm(),
        answer_form=AnswerForm(),
        users=users_by_id(session, people - {0}),
    )


@bp.route("/engagements/<int:engagement_id>/review/submissions/<int:submission_id>/file")
@requires("review.view", load=load_submission)
def download(engagement_id: int, submission_id: int):
    session = db.session()
    row = submissions.get(session, guarded_object(), submission_id)
    version = session.get(DeliverableVersion, row.version_id)
    return storage.send(version.sha256, name=version.filename, mime=version.mime)


@bp.route(
    "/engagements/<int:engagement_id>/review/submissions/<int:submission_id>/comments",
    methods=["POST"],
)
@requires("review.bureau", load=load_submission)
def add_comment(engagement_id: int, submission_id: int):
    session = db.session()
    engagement = guarded_object()
    row = submissions.get(session, engagement, submission_id)
    form = CommentForm()
    form.section.choices = []
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return redirect(_submission_url(engagement_id, submission_id, "comment-form"))
    comment = decisions.add_comment(
        session,
        actor=current_user,
        engagement=engagement,
        submission=row,
        item=decisions.CommentInput(
            body=form.body.data or "",
            section=form.section.data or "",
            paragraph=form.paragraph.data if form.section.data else None,
        ),
    )
    flash(f"已添加审核意见（{comment.anchor}）", "success")
    return redirect(_submission_url(engagement_id, submission_id, f"comment-{comment.id}"))


@bp.route(
    "/engagements/<int:engagement_id>/review/submissions/<int:submission_id>/comments/<int:comment_id>/delete",
    methods=["POST"],
)
@requires("review.bureau", load=load_submission)
def delete_comment(engagement_id: int, submission_id: int, comment_id: int):
    session = db.session()
    engagement = guarded_object()
    decisions.delete_comment(
        session,
        actor=current_user,
        engagement=engagement,
        submission=submissions.get(session, engagement, submission_id),
        comment_id=comment_id,
    )
    flash("已删除该审核意见", "warning")
    return redirect(_submission_url(engagement_id, submission_id, "comments"))


@bp.route(
    "/engagements/<int:engagement_id>/review/submissions/<int:submission_id>/decision",
    methods=["POST"],
)
@requires("review.bureau", load=load_submission)
def decide(engagement_id: int, submission_id: int):
    session = db.session()
    engagement = guarded_object()
    form = DecisionForm()
    if not form.validate_on_submit():
        flash("请选择审核结论", "danger")
        return redirect(_submission_url(engagement_id, submission_id))
    row = decisions.decide(
        session,
        actor=current_user,
        engagement=engagement,
        submission=submissions.get(session, engagement, submission_id),
        decision=form.decision.data,
        note=form.note.data or "",
    )
    flash(f"{row.kind_name}第 {row.version_number} 版：{row.status_name}", "success")
    return redirect(_submission_url(engagement_id, submission_id))


@bp.route(
    "/engagements/<int:engagement_id>/review/submissions/<int:submission_id>/comments/<int:comment_id>/answer",
    methods=["POST"],
)
@requires("review.team", load=load_submission)
def answer(engagement_id: int, submission_id: int, comment_id: int):
    engagement = guarded_object()
    form = AnswerForm()
    if not form.validate_on_submit():
        flash("请填写回复", "danger")
        return redirect(_submission_url(engagement_id, submission_id, f"comment-{comment_id}"))
    version = request.form.get("version", type=int)
    submissions.answer(
        db.session(),
        actor=current_user,
        engagement=engagement,
        comment_id=comment_id,
        text=form.answer.data or "",
        version=version,
    )
    flash("已保存回复", "success")
    return redirect(_submission_url(engagement_id, submission_id, f"comment-{comment_id}"))


@bp.route("/review/inbox")
@requires("review.inbox")
def inbox():
    page = query_int("page", 1)
    rows, total = submissions.inbox(db.session(), user=current_user, page=page, per_page=30)
    return render_template("review/inbox.html", rows=rows, total=total, page=page, per_page=30)
