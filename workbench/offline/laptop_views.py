"""A laptop in the field (registered only when the instance is offline): the guard that refuses
everything but fieldwork, the banner on every page, and the page that writes the return package."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
)
from flask_login import current_user

from workbench import db
from workbench.core import storage
from workbench.core.errors import ValidationFailed, wants_json
from workbench.core.forms import attach_errors
from workbench.core.permissions import guarded_object, requires
from workbench.core.templating import LINK_FILTER
from workbench.core.timeutil import local, today_local, utcnow
from workbench.engagements import services as engagements
from workbench.offline import laptop, mode, scope
from workbench.offline.forms import ExportForm

bp = Blueprint("laptop", __name__, url_prefix="/offline", template_folder="templates")
EXPORTS = "exports"  # every return package is also kept in the instance folder


def _offline() -> dict[str, Any]:
    return current_app.config["OFFLINE"]


@bp.record_once
def _hide_refused_links(state) -> None:
    """The navigation and the engagement tabs link only to pages the laptop lets through."""
    state.app.extensions[LINK_FILTER] = lambda endpoint: mode.refusal(endpoint, "GET") is None


@bp.before_app_request
def _guard():
    """Refuse, before any view runs, what is not fieldwork (workbench/offline/mode.py)."""
    message = mode.refusal(request.endpoint, request.method)
    if message is None:
        return None
    if wants_json():
        return jsonify({"error": message}), 403
    return render_template("errors/error.html", code=403, message=message), 403


@bp.app_context_processor
def _banner() -> dict:
    offline = _offline()
    issued = offline.get("issued_at")
    return {
        "offline_banner": {
            "device": offline.get("device", ""),
            "title": offline.get("engagement_title", ""),
            "issued_at": datetime.fromisoformat(issued) if issued else None,
        }
    }


def _engagement():
    return engagements.get(db.session(), _offline()["engagement_id"])


@bp.route("/export", methods=["GET", "POST"])
@requires("engagement.team", load=_engagement)
def export():
    engagement, offline = guarded_object(), _offline()
    form = ExportForm()
    status = 200
    if form.validate_on_submit():
        folder = current_app.config["INSTANCE_PATH"] / EXPORTS
        folder.mkdir(exist_ok=True)
        name = download_name(offline["device"])
        out = folder / f"{name.removesuffix('.wbpkg')}-{local(utcnow()):%H%M%S}.wbpkg"
        try:
            laptop.export(
                db.session(),
                offline=offline,
                store=storage.backend(),
                actor=current_user,
                passphrase=form.passphrase.data,
                out=out,
            )
        except ValidationFailed as error:
            attach_errors(form, error)
            status = 422
        else:
            return send_file(
                out, mimetype="application/octet-stream", as_attachment=True, download_name=name
            )
    elif request.method == "POST":
        status = 422
    session = db.session()
    found = laptop.contents(session.connection(), offline=offline, store=storage.backend())
    return render_template(
        "offline/export.html",
        engagement=engagement,
        offline=offline,
        issued_at=datetime.fromisoformat(offline["issued_at"]),
        form=form,
        contents=found,
        labels={spec.table: spec.label for spec in scope.MERGED},
        kept=EXPORTS,
    ), status


def download_name(device: str) -> str:
    """离线回传-{device}-{date}.wbpkg, with what a file name cannot hold taken out."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", device).strip("_") or "笔记本"
    return f"离线回传-{safe}-{today_local():%Y%m%d}.wbpkg"
