"""The review chain and findings on the paper page: sign, return, review notes, findings."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from workbench import db
from workbench.core.inputs import clear_confirmed
from workbench.core.permissions import guarded_object, requires
from workbench.fieldwork import findings, loaders, review
from workbench.fieldwork.blueprint import bp
from workbench.fieldwork.forms import (
    ConfirmForm,
    CsrfForm,
    FindingForm,
    NoteForm,
    ReturnForm,
    SignForm,
)
from workbench.fieldwork.review_rules import SIGNER_NAMES, Level


def _back(engagement_id: int, paper_id: int, anchor: str = ""):
    url = url_for("fieldwork.paper_show", engagement_id=engagement_id, paper_id=paper_id)
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _first_error(form) -> str:
    for errors in form.errors.values():
        if errors:
            return errors[0]
    return "提交的内容无效"


@bp.route("/engagements/<int:engagement_id>/papers/<int:paper_id>/signoffs", methods=["POST"])
@requires("fieldwork.write", load=loaders.paper)
def paper_sign(engagement_id: int, paper_id: int):
    scope = guarded_object()
    form = SignForm()
    if not form.validate_on_submit():
        flash(f"签字失败：{_first_error(form)}", "danger")
        return _back(engagement_id, paper_id, "signoffs")
    signoff = review.sign(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        paper=scope.paper,
        level=form.level.data,
        comment=form.comment.data or "",
    )
    flash(
        f"已作为{SIGNER_NAMES[Level(signoff.level)]}签字（内容哈希 {signoff.content_hash[:12]}…）",
        "success",
    )
    return _back(engagement_id, paper_id, "signoffs")


@bp.route("/engagements/<int:engagement_id>/papers/<int:paper_id>/return", methods=["POST"])
@requires("fieldwork.write", load=loaders.paper)
def paper_return(engagement_id: int, paper_id: int):
    scope = guarded_object()
    form = ReturnForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "danger")
        return _back(engagement_id, paper_id, "signoffs")
    review.return_paper(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        paper=scope.paper,
        reason=form.reason.data,
    )
    flash("底稿已退回编制人修改，退回原因已记为复核意见", "warning")
    return _back(engagement_id, paper_id, "notes")


@bp.route("/engagements/<int:engagement_id>/papers/<int:paper_id>/notes", methods=["POST"])
@requires("fieldwork.write", load=loaders.paper)
def note_add(engagement_id: int, paper_id: int):
    scope = guarded_object()
    form = NoteForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "danger")
        return _back(engagement_id, paper_id, "notes")
    parent = form.parent_id.data
    review.add_note(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        paper=scope.paper,
        text=form.text.data,
        parent_id=parent,
    )
    flash("已回复" if parent else "复核意见已提出", "success")
    return _back(engagement_id, paper_id, "notes")


def _note_status(engagement_id: int, paper_id: int, note_id: int, resolved: bool):
    scope = guarded_object()
    if CsrfForm().validate_on_submit():
        review.set_note_status(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            paper=scope.paper,
            note_id=note_id,
            resolved=resolved,
        )
        flash("复核意见已解决" if resolved else "复核意见已重新打开", "success")
    return _back(engagement_id, paper_id, "notes")


@bp.route(
    "/engagements/<int:engagement_id>/papers/<int:paper_id>/notes/<int:note_id>/resolve",
    methods=["POST"],
)
@requires("fieldwork.write", load=loaders.paper)
def note_resolve(engagement_id: int, paper_id: int, note_id: int):
    return _note_status(engagement_id, paper_id, note_id, True)


@bp.route(
    "/engagements/<int:engagement_id>/papers/<int:paper_id>/notes/<int:note_id>/reopen",
    methods=["POST"],
)
@requires("fieldwork.write", load=loaders.paper)
def note_reopen(engagement_id: int, paper_id: int, note_id: int):
    return _note_status(engagement_id, paper_id, note_id, False)


@bp.route("/engagements/<int:engagement_id>/papers/<int:paper_id>/findings", methods=["POST"])
@requires("fieldwork.write", load=loaders.paper)
def finding_add(engagement_id: int, paper_id: int):
    scope = guarded_object()
    form = FindingForm()
    if not form.validate_on_submit():
        flash(f"发现的问题未保存：{_first_error(form)}", "danger")
        return _back(engagement_id, paper_id, "findings")
    findings.add_finding(
        db.session(),
        actor=current_user,
        engagement=scope.engagement,
        paper=scope.paper,
        data=findings.FindingInput(
            text=form.text.data,
            kind=form.kind.data,
            indicator_id=form.indicator_id.data or None,
            points=form.points.data,
            element_index=form.element_index.data,
            met=form.met.data,
            money=form.money.data,
            evidence_ids=form.evidence_ids.data or [],
        ),
        confirm_clear=clear_confirmed(),
    )
    flash("发现的问题已记录", "success")
    return _back(engagement_id, paper_id, "findings")


@bp.route(
    "/engagements/<int:engagement_id>/papers/<int:paper_id>/findings/<int:finding_id>/delete",
    methods=["POST"],
)
@requires("fieldwork.write", load=loaders.paper)
def finding_delete(engagement_id: int, paper_id: int, finding_id: int):
    scope = guarded_object()
    if ConfirmForm().validate_on_submit():
        findings.delete_finding(
            db.session(),
            actor=current_user,
            engagement=scope.engagement,
            paper=scope.paper,
            finding_id=finding_id,
            confirm_clear=clear_confirmed(),
        )
        flash("已删除该发现", "warning")
    return _back(engagement_id, paper_id, "findings")
