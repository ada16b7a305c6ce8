"""Work a server worker does once at start so that its first requests are not the slow ones.

Without it the first view of each page in each worker compiles its templates and configures the
ORM mappers (the first dashboard took 95 ms instead of 12): under load those first views land in
the slowest percentile, and again each time gunicorn recycles a worker.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import configure_mappers


def warm_up(app: Flask) -> int:
    """Configure the mappers and compile every HTML template; the number of templates compiled."""
    configure_mappers()
    names = app.jinja_env.list_templates(extensions=["html"])
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)
