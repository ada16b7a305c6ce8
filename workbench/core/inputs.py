"""Request input checked at the door: ids in URLs, the query string, JSON bodies.

Each kind of input is parsed in one place, so a value the database cannot hold (an id beyond
an INTEGER column, a body nested thousands deep) is refused with a clear 4xx before any view runs.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask import Request as FlaskRequest
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from workbench.core.hygiene import INT_MAX, strip_illegal

PAGE_MAX = 1_000_000  # no list here has a millionth page; beyond it an offset could overflow
MAX_JSON_DEPTH = 64  # the deepest body the API accepts (an indicator tree is four deep)


class BoundedIntegerConverter(IntegerConverter):
    """`<int:id>` that matches only ids an INTEGER column holds (PostgreSQL's is 32-bit): else 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(
            map, fixed_digits, min=min, max=INT_MAX if max is None else max, signed=signed
        )


def clear_confirmed() -> bool:
    """Whether the form's 「确认清除签字」 box was ticked (`confirm_clear_signoffs`)."""
    return (request.form.get("confirm_clear_signoffs") or "").strip().lower() in (
        "y",
        "1",
        "true",
        "on",
    )


def query_int(name: str, default: int, *, low: int = 1, high: int = PAGE_MAX) -> int:
    """An integer from the query string: absent or blank → default, otherwise within [low, high]."""
    value = _query_number(name, low=low, high=high)
    return default if value is None else value


def query_id(name: str) -> int | None:
    """An object id from the query string (a filter); None when absent or blank."""
    return _query_number(name, low=1, high=INT_MAX)


def _query_number(name: str, *, low: int, high: int) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"参数 {name} 须为整数") from None
    if not low <= value <= high:
        raise BadRequest(f"参数 {name} 须在 {low} 到 {high} 之间")
    return value


def _depth(value: Any) -> int:
    """How deeply a parsed JSON value nests (iteratively: the value may be deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


class Request(FlaskRequest):
    """Flask's request with a query string free of control characters and JSON bodies capped."""

    @cached_property
    def args(self) -> MultiDict[str, str]:
        # Searches and filters: a NUL would make PostgreSQL refuse the query (a 500), and no
        # stored text holds these characters, so dropping them changes no answer.
        raw = super().args
        return self.parameter_storage_class(
            (strip_illegal(key), strip_illegal(value)) for key, value in raw.items(multi=True)
        )

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if not (force or self.is_json):
            return super().get_json(force=force, silent=silent, cache=cache)
        limit = int(current_app.config["MAX_JSON_KB"]) * 1024
        if (self.content_length or 0) > limit or len(self.get_data(cache=True)) > limit:
            raise RequestEntityTooLarge(f"JSON 请求体过大（上限 {limit // 1024} KB）")
        too_deep = f"JSON 嵌套层级过深（最多 {MAX_JSON_DEPTH} 层）"
        try:
            data = super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            raise BadRequest(too_deep) from None
        if _depth(data) > MAX_JSON_DEPTH:
            raise BadRequest(too_deep)
        return data


def init_app(app: Flask) -> None:
    """Install the bounded `int` converter (before any route is added) and the request class."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.request_class = Request
