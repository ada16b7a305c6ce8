"""The /api/v1 blueprint: bearer-token JSON endpoints, each documented in the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint
from pydantic import BaseModel

from workbench.core.idempotency import idempotent

# The bodies' reading and writing, shared with the hub protocol (/hub/v1), live in core.
from workbench.core.json_bodies import form_flag as form_flag
from workbench.core.json_bodies import parse_body as parse_body
from workbench.core.json_bodies import refuse_unstorable as refuse_unstorable
from workbench.core.json_bodies import respond as respond

bp = Blueprint("api", __name__, url_prefix="/api/v1")
STRING_PARAMS = {"kind"}  # path parameters that are not integer ids


@dataclass
class Operation:
    path: str
    method: str
    summary: str
    endpoint: str
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    # The form field of an upload: "file" (one file) or "files" (several); "" for none.
    multipart: str = ""
    binary: str | None = None
    errors: tuple[int, ...] = (401, 403, 404, 422)
    tags: list[str] = field(default_factory=list)
    idempotent: bool = False  # a create that takes an Idempotency-Key (core/idempotency.py)
    versioned: bool = False  # an update that takes If-Match (api/versions.py)


OPERATIONS: list[Operation] = []


def operation(
    path: str,
    method: str,
    *,
    summary: str,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    multipart: str = "",
    binary: str | None = None,
    tag: str = "engagements",
    versioned: bool = False,
) -> Callable:
    """Register a route on the API blueprint and describe it for the OpenAPI document."""

    def decorate(view: Callable) -> Callable:
        flask_path = re.sub(
            r"\{(\w+)\}", lambda m: f"<{m[1]}>" if m[1] in STRING_PARAMS else f"<int:{m[1]}>", path
        )
        endpoint = f"{view.__name__}_{method.lower()}"
        # A JSON create by a signed-in client may be retried safely with an Idempotency-Key.
        retried = method == "POST" and status == 201 and response is not None and tag != "auth"
        bp.add_url_rule(
            flask_path,
            endpoint=endpoint,
            view_func=idempotent(view) if retried else view,
            methods=[method],
        )
        OPERATIONS.append(
            Operation(
                path,
                method.lower(),
                summary,
                endpoint,
                body,
                response,
                status,
                multipart,
                binary,
                tags=[tag],
                idempotent=retried,
                versioned=versioned,
            )
        )
        return view

    return decorate


def _load_routes() -> None:
    """Import every module of this package: each registers its operations on import."""
    import importlib
    import pkgutil

    import workbench.api as package  # this package, whose modules import this blueprint

    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in {"blueprint", "schemas"}:
            importlib.import_module(f"workbench.api.{info.name}")


_load_routes()
