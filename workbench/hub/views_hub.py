"""The hub's own pages (an instance run with HUB_MODE): members, their keys, the signed pack."""

from __future__ import annotations

from io import BytesIO

from flask import current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlmodel import func, select

from workbench import db
from workbench.core.errors import NotFound
from workbench.core.forms import flash_errors
from workbench.core.permissions import requires
from workbench.hub import hub_side, signing
from workbench.hub.blueprint import bp
from workbench.hub.forms import DecisionForm, MemberForm
from workbench.hub.models import HubItem, HubMember


def _page(form: MemberForm, *, new_key: str = "", new_member: str = "", status: int = 200):
    session = db.session()
    instance = current_app.config["INSTANCE_PATH"]
    hub_mode = bool(current_app.config.get("HUB_MODE"))
    counts = dict(
        session.exec(select(HubItem.member_id, func.count()).group_by(HubItem.member_id)).all()
    )
    html = render_template(
        "hub/members.html",
        form=form,
        action_form=DecisionForm(),
        members=hub_side.members(session),
        counts=counts,
        items=sum(counts.values()),
        hub_mode=hub_mode,
        public_key=signing.public_key_text(hub_side.signing_key(instance)) if hub_mode else "",
        min_group=current_app.config.get("HUB_MIN_GROUP", 5),
        new_key=new_key,
        new_member=new_member,
    )
    return html, status


@bp.route("/hub/members")
@requires("admin")
def members():
    return _page(MemberForm())


@bp.route("/hub/members", methods=["POST"])
@requires("admin")
def create_member():
    form = MemberForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    member, key = hub_side.create_member(db.session(), actor=current_user, name=form.name.data)
    # The key is shown on this answer only: the hub keeps its hash.
    return _page(MemberForm(formdata=None), new_key=key, new_member=member.name)


@bp.route("/hub/members/<int:member_id>/revoke", methods=["POST"])
@requires("admin")
def revoke_member(member_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("hub.members"))
    session = db.session()
    member = session.get(HubMember, member_id)
    if member is None:
        raise NotFound("没有该成员")
    hub_side.revoke_member(session, actor=current_user, member=member)
    flash(f"已撤销成员「{member.name}」的密钥，其请求将被拒绝；已发布的指标保留", "success")
    return redirect(url_for("hub.members"))


@bp.route("/hub/members/pack")
@requires("admin")
def download_pack():
    data = hub_side.pack_file(db.session(), instance=current_app.config["INSTANCE_PATH"])
    return send_file(
        BytesIO(data),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name="行业指标库离线包.wbpack",
    )
