"""ETag and If-Match on the API's updates: an update names the version it was drawn from.

Every record a client may change carries a version (`core.locking`: the pages send it in a hidden
field). Over HTTP it is the standard pair: a GET answers `ETag: W/"<version>"`, and an update
sends it back as `If-Match`. Without If-Match the update is 428 (a client that never read the
record must not overwrite it); with another version it is 412 and nothing is written — someone
changed the record since it was read. The services check the version again in the transaction.
"""

from __future__ import annotations

import re

from flask import Response, request

from workbench.core.errors import DomainError, ValidationFailed

_TAG = re.compile(r'\s*(?:W/)?"(\d{1,9})"\s*')


class PreconditionRequired(DomainError):
    status = 428


class PreconditionFailed(DomainError):
    status = 412


def etag(version: int) -> str:
    return f'W/"{int(version)}"'


def tagged(response: tuple[Response, int] | Response, version: int):
    """The response with the record's version as its ETag."""
    answer = response[0] if isinstance(response, tuple) else response
    answer.headers["ETag"] = etag(version)
    return response


def if_match() -> int:
    """The version the request's If-Match names: 428 without one, 422 when it is not an ETag."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired("修改须带 If-Match 请求头（先 GET 该记录，取响应头 ETag 的值）")
    match = _TAG.fullmatch(header)
    if match is None:
        raise ValidationFailed.of_field("If-Match", 'If-Match 应为该记录的 ETag，如 W/"3"')
    return int(match.group(1))


def require_current(current: int) -> int:
    """The If-Match version when it is the record's current one; 412 when it is not."""
    seen = if_match()
    if seen != int(current):
        raise PreconditionFailed(
            f"该记录已被他人修改（当前版本 {current}，请求基于版本 {seen}），请重新读取后再改"
        )
    return seen
