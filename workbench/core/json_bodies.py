"""JSON request bodies and responses of the API (/api/v1) and the hub protocol (/hub/v1).

A body is validated against a pydantic model (a field-level 422 on any error, nothing written), text
with control characters or numbers no column holds are refused, and responses serialise Decimals
as strings.
"""

from __future__ import annotations

from typing import TypeVar

from flask import jsonify, request
from pydantic import BaseModel, ValidationError

from workbench.core.errors import ValidationFailed
from workbench.core.hygiene import find_problems

M = TypeVar("M", bound=BaseModel)


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
