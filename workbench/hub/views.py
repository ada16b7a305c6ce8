"""行业指标库 pages of a member: the connection, sync, publishing, incoming updates, offline packs."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlmodel import col, select

from workbench import db
from workbench.core.errors import ValidationFailed
from workbench.core.forms import attach_errors, flash_errors
from workbench.core.permissions import requires
from workbench.core.templating import register_nav
from workbench.extensions import csrf
from workbench.hub import (
    services,
    stats,
    sync,
    tasks,  # noqa: F401 - the hourly sync
    views_hub,  # noqa: F401 - its routes on bp
    views_updates,  # noqa: F401 - its routes on bp
)
from workbench.hub.blueprint import bp
from workbench.hub.client import HubClient, HubError
from workbench.hub.forms import ConnectionForm, DecisionForm, PackForm, PublishForm
from workbench.hub.loaders import current_connection, no_connection
from workbench.hub.models import HubConnection, HubLink, LinkKind
from workbench.library import services as library
from workbench.library.models import LibraryIndicator, LibraryPack, Status

register_nav("行业指标库（枢纽）", "hub.index", "admin", admin=True)
MAX_PACK_BYTES = 200 * 1024 * 1024


@bp.record_once
def _protocol(state) -> None:
    """HUB_MODE: this instance is the hub; serve /hub/v1 to member instances."""
    if state.app.config.get("HUB_MODE"):
        from workbench.hub import protocol  # the hub's own routes: only on the hub

        state.app.register_blueprint(protocol.bp)
        csrf.exempt(protocol.bp)  # member keys, no cookies: CSRF does not apply


@bp.app_context_processor
def _comparison_helper() -> dict:
    """`hub_comparison(...)` for the library and engagement pages (template-level, so the
    library does not import the hub)."""
    return {"hub_comparison": comparison_html}


def comparison_html(library_indicator_id, *, org_id=None, rates=None, engagements=None) -> Markup:
    """The industry figures of a library indicator beside the firm's own ('' without a hub)."""
    if not library_indicator_id or not current_user.is_authenticated:
        return Markup("")
    session = db.session()
    connection = services.connection_of(session, org_id or current_user.org_id)
    indicator = session.get(LibraryIndicator, library_indicator_id)
    if connection is None or indicator is None:
        return Markup("")
    if rates is None:
        use = library.usage.usage(session, indicator_id=indicator.id)
        rates, engagements = use.rates, use.engagements
    found = stats.comparison(
        session,
        connection=connection,
        indicator=indicator,
        own_rates=list(rates),
        own_engagements=engagements or 0,
    )
    return Markup(render_template("hub/_comparison.html", cmp=found))


def client_for(connection: HubConnection) -> HubClient:
    """The hub client (tests put an in-process transport in app.extensions["hub_transport"])."""
    return sync.open_client(
        connection, config=current_app.config, transport=current_app.extensions.get("hub_transport")
    )


@bp.route("/hub")
@requires("admin")
def index():
    connection = current_connection()
    form = ConnectionForm(obj=connection)
    if connection is None:
        form.url.data = current_app.config.get("HUB_URL", "")
    return _index_page(connection, form)


def _index_page(connection: HubConnection | None, form: ConnectionForm, status: int = 200):
    session = db.session()
    pending_total = (
        services.pending(session, connection=connection, limit=0)[1] if connection else 0
    )
    published = (
        len(
            session.exec(
                select(HubLink.id).where(
                    HubLink.connection_id == connection.id, HubLink.kind == LinkKind.published
                )
            ).all()
        )
        if connection
        else 0
    )
    html = render_template(
        "hub/index.html",
        connection=connection,
        form=form,
        pack_form=PackForm(),
        action_form=DecisionForm(),
        pending_total=pending_total,
        published=published,
        hub_mode=current_app.config.get("HUB_MODE"),
    )
    return html, status


@bp.route("/hub/connection", methods=["POST"])
@requires("admin")
def save_connection():
    form = ConnectionForm()
    if not form.validate_on_submit():
        return _index_page(current_connection(), form, 422)
    try:
        services.save_connection(
            db.session(),
            actor=current_user,
            url=form.url.data or "",
            key=form.key.data or "",
            public_key=form.public_key.data or "",
            region=form.region.data or "",
            share_stats=bool(form.share_stats.data),
            secret=current_app.secret_key,
            allow_loopback_http=bool(current_app.config.get("HUB_ALLOW_LOOPBACK_HTTP")),
        )
    except ValidationFailed as error:
        attach_errors(form, error)
        return _index_page(current_connection(), form, 422)
    flash("已保存枢纽连接设置", "success")
    return redirect(url_for("hub.index"))


@bp.route("/hub/sync", methods=["POST"])
@requires("admin")
def run_sync():
    form = DecisionForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("hub.index"))
    session = db.session()
    connection = services.require_connection(session, current_user.org_id)
    with client_for(connection) as client:
        result = sync.sync(session, actor=current_user, connection=connection, client=client)
    flash(
        ("同步完成：" if result.ok else "同步未完成：") + result.summary(),
        "success" if result.ok else "danger",
    )
    return redirect(url_for("hub.index"))


@bp.route("/hub/pack", methods=["POST"])
@requires("admin")
def import_pack():
    form = PackForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("hub.index"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed.of_field("file", "请选择离线指标包文件")
    session = db.session()
    connection = services.require_connection(session, current_user.org_id)
    got = sync.import_pack(
        session,
        actor=current_user,
        connection=connection,
        data=upload.stream.read(MAX_PACK_BYTES + 1),
    )
    flash(f"已导入离线指标包（签名校验通过）：{got.summary()}", "success")
    return redirect(url_for("hub.updates"))


@bp.route("/hub/publish", methods=["GET", "POST"])
@requires("admin")
def publish():
    session = db.session()
    connection = current_connection()
    if connection is None:
        return no_connection()
    form = PublishForm()
    if form.validate_on_submit():
        ids = [int(value) for value in request.form.getlist("indicator_ids") if value.isdigit()]
        if form.pack_key.data:
            ids += session.exec(
                select(LibraryIndicator.id).where(
                    LibraryIndicator.pack_key == form.pack_key.data,
                    LibraryIndicator.status == Status.shared,
                )
            ).all()
        try:
            with client_for(connection) as client:
                done = sync.publish(
                    session,
                    actor=current_user,
                    connection=connection,
                    client=client,
                    indicator_ids=sorted(set(ids)),
                    anonymous=form.shown_as.data == "anonymous",
                )
        except HubError as error:
            db.mark_rollback()
            flash(f"未能发布：{error.message}", "danger")
            return redirect(url_for("hub.publish"))
        flash(f"已发布到枢纽：{len(set(ids))} 项（其中新增或有变化 {done} 项）", "success")
        return redirect(url_for("hub.publish"))
    q = request.args.get("q", "").strip()[:100]
    pack_key = request.args.get("pack", "")
    rows, total = library.search(
        session,
        q=q,
        status=Status.shared,
        pack_key=pack_key or None,
        limit=100,
        viewer=current_user,
    )
    links = {
        link.indicator_id: link
        for link in session.exec(
            select(HubLink).where(
                HubLink.connection_id == connection.id,
                col(HubLink.indicator_id).in_([row.id for row in rows]),
            )
        )
    }
    return render_template(
        "hub/publish.html",
        form=form,
        rows=rows,
        total=total,
        links=links,
        q=q,
        pack_key=pack_key,
        packs=session.exec(select(LibraryPack).order_by(LibraryPack.kind, LibraryPack.key)).all(),
        versions=library.current_versions(session, rows),
    )
