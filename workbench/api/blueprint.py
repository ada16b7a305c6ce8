"""The /api/v1 blueprint: bearer-token JSON endpoints, each documented in the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from flask import Blueprint, jsonify, request
from pydantic import BaseModel, ValidationError

from workbench.core.errors import ValidationFailed
from workbench.core.hygiene import find_problems
from workbench.core.idempotency import idempotent

bp = Blueprint("api", __name__, url_prefix="/api/v1")
M = TypeVar("M", bound=BaseModel)
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


def parse_body(model: type[M]) -> M:
    """Validate the JSON body against a model; field-level 422 on any error."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed.of_field("body", "请求体须为 JSON 对象")
    refuse_unstorable(data)
    try:
        parsed = model.model_validate(data)
    except ValidationError as error:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
            for e in error.errors()
        ]
        raise ValidationFailed("请求参数有误", details=details) from None
    refuse_unstorable(parsed.model_dump())  # Decimals the body held as text, e.g. "1e999999999"
    return parsed


def form_flag(name: str) -> bool:
    """A multipart/form true/false field (absent is false); 422 on anything else."""
    flag = (request.form.get(name) or "").strip().lower()
    if flag not in ("", "true", "false", "1", "0"):
        raise ValidationFailed(
            f"{name} 应为 true 或 false", details=[{"field": name, "message": "应为 true 或 false"}]
        )
    return flag in ("true", "1")


def refuse_unstorable(data: object) -> None:
    """422 naming every field whose text holds control characters or whose number no column holds."""
    found = find_problems(data)
    if found:
        details = [
            {"field": ".".join(str(p) for p in path) or "body", "message": message}
            for path, message in found[:50]
        ]
        raise ValidationFailed("请求参数有误", details=details)


def respond(model: BaseModel | list, status: int = 200):
    """Serialise a response model (Decimals become strings)."""
    if isinstance(model, list):
        return jsonify([m.model_dump(mode="json") for m in model]), status
    return jsonify(model.model_dump(mode="json")), status


def _load_routes() -> None:
    """Import every module of this package: each registers its operations on import."""
    import importlib
    import pkgutil

    import workbench.api as package  # this package, whose modules import this blueprint

    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in {"blueprint", "schemas"}:
            importlib.import_module(f"workbench.api.{info.name}")


_load_routes()
