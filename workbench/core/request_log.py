"""Every request has an id (the proxy's `X-Request-Id` when it is a plain token, else a new
one), answered in the same header and carried by every log line written while it runs; with
`LOG_FORMAT=json` the log is one JSON object per line (python-json-logger) for a collector that
gathers several nodes' logs.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-Id"
_TOKEN = re.compile(r"[A-Za-z0-9._:-]{8,64}")
FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(method)s %(path)s"


class RequestFields(logging.Filter):
    """Adds the current request's id, method and path to a record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        inside = has_request_context()
        record.request_id = g.get("request_id", "-") if inside else "-"
        record.method = request.method if inside else "-"
        record.path = request.path if inside else "-"
        return True


class _Stderr(logging.StreamHandler):
    """A handler on whatever `sys.stderr` is when a record is written (a server may replace it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def init_app(app: Flask) -> None:
    @app.before_request
    def _take_id():
        given = request.headers.get(HEADER, "")
        g.request_id = given if _TOKEN.fullmatch(given) else uuid.uuid4().hex

    @app.after_request
    def _answer_id(response):
        if "request_id" in g:
            response.headers[HEADER] = g.request_id
        return response

    if app.config.get("LOG_FORMAT") == "json":
        handler = _Stderr()
        handler.setFormatter(JsonFormatter(FIELDS, json_ensure_ascii=False))
        handler.addFilter(RequestFields())
        root = logging.getLogger()
        root.handlers = [h for h in root.handlers if not getattr(h, "workbench_json", False)]
        handler.workbench_json = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        app.logger.handlers.clear()  # records reach the root handler, once
        app.logger.propagate = True
