"""GET /healthz: the trivial endpoint (load balancers; page benchmarks print their ratio to it, but
judge pages against the layout floor, GET /about in workbench/core/about.py).

GET /readyz: whether this node can serve: the database answers, the file store takes a write (an S3
bucket answers) and the job queue answers; 503 naming what does not (a load balancer takes the
node out).

GET /favicon.ico: the icon at the address browsers and feed readers ask for without a page.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, jsonify, send_from_directory
from sqlalchemy import text

from workbench import db
from workbench.core import jobs, storage
from workbench.core.permissions import public

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz():
    db.session().execute(text("SELECT 1"))
    return jsonify({"status": "ok"})


def _database() -> None:
    db.session().execute(text("SELECT 1"))


def _storage() -> None:
    storage.check()  # the folder takes a write; an S3 bucket answers HEAD


def _queue() -> None:
    jobs.queue.storage.queue_size()


CHECKS: dict[str, tuple[Callable[[], None], str]] = {
    "database": (_database, "数据库无法连接"),
    "storage": (_storage, "文件存储不可写"),
    "queue": (_queue, "任务队列无法连接"),
}


@bp.route("/readyz")
@public
def readyz():
    checks, failed = {}, []
    for name, (check, message) in CHECKS.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001 - any failure takes the node out
            current_app.logger.warning("readyz: %s: %r", name, error)
            checks[name], failed = message, [*failed, name]
        else:
            checks[name] = "ok"
    if failed:
        db.mark_rollback()
    return jsonify({"status": "unavailable" if failed else "ready", "checks": checks}), (
        503 if failed else 200
    )


@bp.route("/favicon.ico")
@public
def favicon():
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
    )
