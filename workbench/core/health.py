"""GET /healthz: the trivial endpoint (load balancers; page benchmarks print their ratio to it, but
judge pages against the layout floor, GET /about in workbench/core/about.py).

GET /favicon.ico: the icon at the address browsers and feed readers ask for without a page.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, send_from_directory
from sqlalchemy import text

from workbench import db
from workbench.core.permissions import public

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz():
    db.session().execute(text("SELECT 1"))
    return jsonify({"status": "ok"})


@bp.route("/favicon.ico")
@public
def favicon():
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
    )
