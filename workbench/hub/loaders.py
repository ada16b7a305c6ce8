"""What the hub pages share: the admin's connection to the hub, and the page when there is none."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from workbench import db
from workbench.hub import services
from workbench.hub.models import HubConnection


def current_connection() -> HubConnection | None:
    return services.connection_of(db.session(), current_user.org_id)


def no_connection():
    flash("请先设置枢纽连接（枢纽地址和成员密钥，或只填写枢纽公钥以导入离线指标包）", "warning")
    return redirect(url_for("hub.index"))
