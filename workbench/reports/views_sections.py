"""Pages of one report section: edit, autosave, restore a draft, assign, comment, diff drafts."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from workbench import db
from workbench.core.forms import choices
from workbench.core.hygiene import parse_int
from workbench.core.inputs import clear_confirmed
from workbench.core.permissions import guarded_object, requires
from workbench.core.timeutil import local
from workbench.engagements import services as engagements
from workbench.reports import section_comments, textdiff
from workbench.reports.blueprint import bp
from workbench.reports.forms import AssignForm, CommentForm, SectionForm
from workbench.reports.loaders import int_param, load_section
from workbench.reports.services import sections as drafting


def _page_of(section) -> str:
    return "reports.plan" if section.deliverable == "plan" else "reports.report"


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>")
@requires("engagement.internal", load=load_section)
def section(engagement_id: int, section_id: int):
    session = db.session()
    engagement = guarded_object()
    row = drafting.get_section(session, engagement, section_id)
    history = drafting.section_versions(session, row)
    notes = section_comments.comments(session, row)
    people = {row.assignee_id, *(v.saved_by_id for v in history), *(c.author_id for c in notes)}
    users = engagements.users_by_id(session, {p for p in people if p} | {
        m.user_id for m in engagement.members})  # fmt: skip
    assign_form = AssignForm(data={"user_id": row.assignee_id or 0})
    assign_form.user_id.choices = choices(
        [(0, "（未分配）")]
        + [
            (m.user_id, f"{users[m.user_id].display_name}（{m.role_name}）")
            for m in engagement.members
            if m.role in drafting.ASSIGNABLE_ROLES and m.user_id in users
        ]
    )
    refusal = drafting.edit_refusal(session, engagement, row.deliverable)
    return render_template(
        "reports/section.html",
        engagement=engagement,
        section=row,
        entry=drafting.entry_of(session, engagement, row),
        form=SectionForm(data={"content": row.html, "version": row.version}),
        history=history,
        notes=notes,
        users=users,
        assign_form=assign_form,
        comment_form=CommentForm(),
        refusal=refusal,
        writable=refusal is None and drafting.is_writer(engagement, current_user, row),
        back=_page_of(row),
        clears=drafting.signatures_an_edit_clears(session, engagement, row),
    )


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>", methods=["POST"])
@requires("engagement.internal", load=load_section)
def save_section(engagement_id: int, section_id: int):
    session = db.session()
    engagement = guarded_object()
    row = drafting.get_section(session, engagement, section_id)
    changed = drafting.save_section(
        session,
        actor=current_user,
        engagement=engagement,
        section=row,
        content=request.form.get("content", ""),
        version=int_param("version", required=False),
        confirm_clear=clear_confirmed(),
    )
    flash(f"已保存（第{row.number}稿）" if changed else "内容未改变，无需保存", "success")
    return redirect(url_for("reports.section", engagement_id=engagement_id, section_id=section_id))


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>/autosave", methods=["POST"])
@requires("engagement.internal", load=load_section)
def autosave(engagement_id: int, section_id: int):
    session = db.session()
    engagement = guarded_object()
    row = drafting.get_section(session, engagement, section_id)
    body = request.get_json(silent=True) or {}
    version = body.get("version", request.form.get("version"))
    changed = drafting.save_section(
        session,
        actor=current_user,
        engagement=engagement,
        section=row,
        content=str(body.get("content", request.form.get("content", ""))),
        version=parse_int(str(version or "")),
        autosave=True,
        confirm_clear=body.get("confirm_clear_signoffs") is True or clear_confirmed(),
    )
    return jsonify(
        changed=changed,
        version=row.version,
        number=row.number,
        saved_at=local(row.updated_at).strftime("%H:%M:%S"),
    )


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>/restore", methods=["POST"])
@requires("engagement.internal", load=load_section)
def restore(engagement_id: int, section_id: int):
    session = db.session()
    engagement = guarded_object()
    row = drafting.get_section(session, engagement, section_id)
    old = drafting.get_section_version(session, row, int_param("number"))
    drafting.save_section(
        session,
        actor=current_user,
        engagement=engagement,
        section=row,
        content=old.html,
        version=int_param("version", required=False),
        confirm_clear=clear_confirmed(),
    )
    flash(f"已恢复第{old.number}稿的内容（保存为第{row.number}稿）", "success")
    return redirect(url_for("reports.section", engagement_id=engagement_id, section_id=section_id))


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>/assign", methods=["POST"])
@requires("engagement.manage", load=load_section)
def assign(engagement_id: int, section_id: int):
    session = db.session()
    engagement = guarded_object()
    row = drafting.get_section(session, engagement, section_id)
    drafting.assign(
        session,
        actor=current_user,
        engagement=engagement,
        section=row,
        user_id=int_param("user_id", required=False) or None,
    )
    flash("撰写人已更新", "success")
    return redirect(request.referrer or url_for(_page_of(row), engagement_id=engagement_id))


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>/comments", methods=["POST"])
@requires("engagement.internal", load=load_section)
def comment(engagement_id: int, section_id: int):
    session = db.session()
    engagement = guarded_object()
    row = drafting.get_section(session, engagement, section_id)
    section_comments.add_comment(
        session,
        actor=current_user,
        engagement=engagement,
        section=row,
        body=request.form.get("body", ""),
    )
    flash("批注已添加", "success")
    target = url_for("reports.section", engagement_id=engagement_id, section_id=section_id)
    return redirect(target + "#comments")


@bp.route(
    "/engagements/<int:engagement_id>/sections/<int:section_id>/comments/resolve",
    methods=["POST"],
)
@requires("engagement.internal", load=load_section)
def resolve(engagement_id: int, section_id: int):
    section_comments.resolve_comment(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        comment_id=int_param("comment_id"),
    )
    flash("批注已标记为已处理", "success")
    target = url_for("reports.section", engagement_id=engagement_id, section_id=section_id)
    return redirect(target + "#comments")


@bp.route("/engagements/<int:engagement_id>/sections/<int:section_id>/diff")
@requires("engagement.internal", load=load_section)
def section_diff(engagement_id: int, section_id: int):
    session = db.session()
    engagement = guarded_object()
    row = drafting.get_section(session, engagement, section_id)
    b = int_param("b", required=False) or row.number
    a = int_param("a", required=False) or max(b - 1, 0)
    old = drafting.get_section_version(session, row, a).text if a else ""
    new = drafting.get_section_version(session, row, b).text if b else ""
    rows = textdiff.diff_rows(old, new)
    return render_template(
        "reports/section_diff.html",
        engagement=engagement,
        section=row,
        entry=drafting.entry_of(session, engagement, row),
        a=a,
        b=b,
        numbers=[v.number for v in drafting.section_versions(session, row)],
        rows=rows,
        stats=textdiff.diff_stats(rows),
    )
