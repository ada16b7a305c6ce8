"""行业指标库 pages of a member: incoming updates, their diffs, accepting them one by one or all
that are not conflicts at once, keeping the local version."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from workbench import db
from workbench.core.forms import flash_errors
from workbench.core.permissions import requires
from workbench.hub import accepting, rules, services
from workbench.hub.blueprint import bp
from workbench.hub.forms import DecisionForm
from workbench.hub.loaders import current_connection, no_connection
from workbench.hub.models import HubConnection, HubUpdate, UpdateStatus
from workbench.library import content as leaf_content
from workbench.library import services as library
from workbench.library.stats import diff_fields


@bp.route("/hub/updates")
@requires("admin")
def updates():
    session = db.session()
    connection = current_connection()
    if connection is None:
        return no_connection()
    rows, total = services.pending(session, connection=connection)
    return render_template(
        "hub/updates.html",
        connection=connection,
        rows=rows,
        total=total,
        names=rules.DECISION_NAMES,
        badges=rules.DECISION_BADGES,
        form=DecisionForm(),
    )


def _update(update_id: int) -> tuple[HubConnection, services.Pending]:
    session = db.session()
    connection = services.require_connection(session, current_user.org_id)
    return connection, services.get_update(session, connection=connection, update_id=update_id)


@bp.route("/hub/updates/<int:update_id>")
@requires("admin")
def update_detail(update_id: int):
    connection, item = _update(update_id)
    new = leaf_content.from_columns(item.update.content).columns()
    old = (
        library.current_version(db.session(), item.indicator.id).model_dump()
        if item.indicator is not None
        else {}
    )
    return render_template(
        "hub/update.html",
        item=item,
        fields=[f for f in diff_fields(old, new, leaf_content.FIELD_LABELS)],
        names=rules.DECISION_NAMES,
        badges=rules.DECISION_BADGES,
        form=DecisionForm(data={"version": item.update.version}),
        pending=item.update.status == UpdateStatus.pending,
    )


@bp.route("/hub/updates/accept-all", methods=["POST"])
@requires("admin")
def accept_all():
    """全部接受（无冲突的）: every pending update but the conflicts, in one transaction."""
    form = DecisionForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("hub.updates"))
    session = db.session()
    connection = services.require_connection(session, current_user.org_id)
    done = accepting.accept_all(session, actor=current_user, connection=connection)
    if not done.accepted and not done.conflicts and not done.invalid:
        flash("没有待接受的更新", "info")
    else:
        flash(done.summary(), "success" if done.accepted else "warning")
    return redirect(url_for("hub.updates"))


@bp.route("/hub/updates/<int:update_id>/accept", methods=["POST"])
@requires("admin")
def accept(update_id: int):
    return _decide(update_id, accept=True)


@bp.route("/hub/updates/<int:update_id>/keep", methods=["POST"])
@requires("admin")
def keep(update_id: int):
    return _decide(update_id, accept=False)


def _decide(update_id: int, *, accept: bool):
    form = DecisionForm()
    connection, item = _update(update_id)
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("hub.update_detail", update_id=update_id))
    session = db.session()
    update: HubUpdate = item.update
    if accept:
        indicator = accepting.accept(
            session,
            actor=current_user,
            connection=connection,
            update=update,
            version=form.version.data,
        )
        flash(f"已接受「{update.name}」，指标库中为第{indicator.current_version}版", "success")
    else:
        accepting.keep_local(
            session,
            actor=current_user,
            connection=connection,
            update=update,
            version=form.version.data,
        )
        flash(f"已保留本机构版本，未接受「{update.name}」第{update.hub_version}版", "info")
    return redirect(url_for("hub.updates"))
