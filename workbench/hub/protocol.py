"""The hub's endpoints for member instances (/hub/v1), registered only when HUB_MODE is on.

Members authenticate with their member key as a bearer token (no user, no cookie, no CSRF);
a missing, wrong or revoked key answers 401 with a message the member's page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from io import BytesIO

from flask import Blueprint, current_app, g, jsonify, request, send_file

from workbench import db
from workbench.core.inputs import query_int
from workbench.core.json_bodies import parse_body, respond
from workbench.hub import hub_side
from workbench.hub.schemas import (
    ChangesOut,
    GroupOut,
    MemberOut,
    PublishBody,
    PublishOut,
    StatsBody,
    StatsOut,
)

bp = Blueprint("hub_api", __name__, url_prefix="/hub/v1")
MAX_CHANGES = 2000


def min_group() -> int:
    return max(int(current_app.config.get("HUB_MIN_GROUP", 5)), 1)


def member_key(view: Callable) -> Callable:
    """Guard a protocol endpoint: an active member's key, else 401."""

    @wraps(view)
    def guarded(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        key = header[7:].strip() if header.lower().startswith("bearer ") else ""
        member = hub_side.member_for_key(db.session(), key) if key else None
        if member is None:
            return jsonify({"error": "成员密钥无效或已被撤销"}), 401
        g.hub_member = member
        return view(*args, **kwargs)

    guarded.permission = "hub.member"  # read by the hub-mode route test
    return guarded


@bp.get("/me")
@member_key
def me():
    return respond(MemberOut(name=g.hub_member.name, min_group=min_group()))


@bp.post("/items")
@member_key
def publish():
    body = parse_body(PublishBody)
    items = hub_side.publish(db.session(), member=g.hub_member, items=body.items)
    return respond(PublishOut(items=items))


@bp.get("/changes")
@member_key
def changes():
    since = query_int("since", 0, low=0, high=2**62)
    limit = query_int("limit", 1000, low=1, high=MAX_CHANGES)
    items, cursor, more = hub_side.changes(db.session(), since=since, limit=limit)
    return respond(ChangesOut(items=items, cursor=cursor, more=more))


@bp.put("/stats")
@member_key
def upload_stats():
    body = parse_body(StatsBody)
    hub_side.upload_stats(db.session(), member=g.hub_member, rows=body.rows)
    return "", 204


@bp.get("/stats")
@member_key
def stats():
    found = hub_side.groups(db.session(), min_group=min_group())
    return respond(
        StatsOut(min_group=min_group(), groups=[GroupOut(**group.__dict__) for group in found])
    )


@bp.get("/pack")
@member_key
def pack():
    data = hub_side.pack_file(db.session(), instance=current_app.config["INSTANCE_PATH"])
    return send_file(
        BytesIO(data),
        mimetype="application/json",
        as_attachment=True,
        download_name="hub-pack.wbpack",
    )
