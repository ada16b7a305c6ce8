"""/settings/webhooks: an agency admin registers endpoints and reads every delivery."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from workbench import db
from workbench.core import jobs
from workbench.core.errors import NotFound, ValidationFailed
from workbench.core.forms import attach_errors
from workbench.core.permissions import guarded_object, requires
from workbench.core.templating import register_nav
from workbench.webhooks import services, signing
from workbench.webhooks.blueprint import bp
from workbench.webhooks.delivery import STATUS_NAMES
from workbench.webhooks.forms import EndpointForm
from workbench.webhooks.kinds import KINDS, label
from workbench.webhooks.models import WebhookEndpoint

register_nav("推送接口（Webhook）", "webhooks.index", "admin", admin=True)


def load_endpoint(endpoint_id: int, **_ignored) -> WebhookEndpoint:
    found = db.session().get(WebhookEndpoint, endpoint_id)
    if found is None:
        raise NotFound("推送地址不存在")
    return found


def _saved(form: EndpointForm) -> dict:
    return {
        "url": form.url.data or "",
        "events": list(form.events.data or []),
        "description": form.description.data or "",
        "bureau_id": form.bureau_id.data or None,
    }


@bp.route("/settings/webhooks", methods=["GET", "POST"])
@requires("admin")
def index():
    session = db.session()
    form = EndpointForm()
    form.set_bureaus(services.bureaus(session, admin=current_user))
    if form.validate_on_submit():
        try:
            endpoint = services.create_endpoint(session, admin=current_user, **_saved(form))
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(
                "推送地址已登记。请把签名密钥交给对方系统，用于验证推送确实来自本工作台。",
                "success",
            )
            return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id))
    return render_template(
        "webhooks/index.html",
        form=form,
        endpoints=services.endpoints(session, admin=current_user),
        label=label,
        queue=jobs.describe(),
    )


@bp.route("/settings/webhooks/<int:endpoint_id>", methods=["GET", "POST"])
@requires("admin", load=load_endpoint)
def endpoint(endpoint_id: int):
    session = db.session()
    found: WebhookEndpoint = guarded_object()
    form = EndpointForm(obj=found)  # what was posted, if anything, wins over the record
    form.set_bureaus(services.bureaus(session, admin=current_user))
    if not form.is_submitted():
        form.bureau_id.data = found.bureau_id or 0
    if form.validate_on_submit():
        try:
            services.update_endpoint(
                session, admin=current_user, endpoint=found, active=form.active.data,
                **_saved(form),
            )  # fmt: skip
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash("推送地址已保存", "success")
            return redirect(url_for("webhooks.endpoint", endpoint_id=found.id))
    return render_template(
        "webhooks/endpoint.html",
        form=form,
        endpoint=found,
        deliveries=services.deliveries(session, endpoint=found),
        status_names=STATUS_NAMES,
        label=label,
        kinds=KINDS,
        pretty=lambda text: json.dumps(json.loads(text), ensure_ascii=False, indent=2),
        headers=signing,
    )


@bp.post("/settings/webhooks/<int:endpoint_id>/secret")
@requires("admin", load=load_endpoint)
def rotate(endpoint_id: int):
    services.rotate_secret(db.session(), admin=current_user, endpoint=guarded_object())
    flash("签名密钥已更换：旧密钥签名的推送将无法通过对方验证，请把新密钥交给对方系统。", "warning")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))


@bp.post("/settings/webhooks/<int:endpoint_id>/ping")
@requires("admin", load=load_endpoint)
def ping(endpoint_id: int):
    services.ping(db.session(), admin=current_user, endpoint=guarded_object())
    flash("测试事件已排队发送，稍后刷新本页查看送达结果。", "info")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))


@bp.post("/settings/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver")
@requires("admin", load=load_endpoint)
def redeliver(endpoint_id: int, delivery_id: int):
    session = db.session()
    delivery = services.get_delivery(session, delivery_id)
    if delivery.endpoint_id != endpoint_id:
        raise NotFound("推送记录不存在")
    services.redeliver(session, admin=current_user, delivery=delivery)
    flash(f"“{label(delivery.event)}”已排队重新发送。", "info")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))


@bp.post("/settings/webhooks/<int:endpoint_id>/delete")
@requires("admin", load=load_endpoint)
def delete(endpoint_id: int):
    found = guarded_object()
    services.delete_endpoint(db.session(), admin=current_user, endpoint=found)
    flash(f"推送地址 {found.url} 已删除，其推送记录一并删除。", "success")
    return redirect(url_for("webhooks.index"))
