"""GET /healthz: the trivial endpoint (load balancers, and the baseline of page benchmarks)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from workbench import db
from workbench.core.permissions import public

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz():
    db.session().execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
