"""GET /about: 关于工作台, the layout floor of page benchmarks.

The page renders the full layout (navigation, notification bell, user menu) for a signed-in user
and nothing of its own from the database: product name, installed version and licence come from
the package metadata, read once per process. Its response time under load is the floor every
other page is compared with (bench/bench_pages.py, bench/load).
"""

from __future__ import annotations

from functools import cache
from importlib import metadata

from flask import Blueprint, render_template

from workbench.core.permissions import requires

bp = Blueprint("about", __name__)

PACKAGE = "workbench"


@cache
def facts() -> dict[str, str]:
    """The installed distribution's version and licence ("" when not installed as a package)."""
    try:
        meta = metadata.metadata(PACKAGE)
    except metadata.PackageNotFoundError:
        return {"version": "", "licence": ""}
    return {"version": meta.get("Version") or "", "licence": meta.get("License") or ""}


@bp.route("/about")
@requires("authenticated")
def about():
    return render_template("about.html", **facts())
