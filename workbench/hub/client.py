"""The member's HTTP client of the hub: HTTPS with the member key, timeouts, no redirects."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from workbench.hub.schemas import (
    ChangesOut,
    MemberOut,
    PublishBody,
    PublishOut,
    StatsBody,
    StatsOut,
)

M = TypeVar("M", bound=BaseModel)
API = "/hub/v1"


class HubError(Exception):
    """The hub could not be used; `message` is for the page (Chinese)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class HubUnavailable(HubError):
    """No answer (down, unreachable, timed out, or a server error): try again later."""


class HubRefused(HubError):
    """The hub refused the member key (revoked or wrong)."""


def check_url(url: str, *, allow_loopback_http: bool) -> str | None:
    """Why the hub address is not usable, or None: HTTPS, or HTTP to loopback when allowed."""
    parts = urlsplit(url.strip())
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname:
        if allow_loopback_http and _loopback(parts.hostname):
            return None
        return "枢纽地址须以 https:// 开头（仅测试时可对本机地址使用 http://）"
    return "枢纽地址格式有误，应如 https://hub.example.org"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class HubClient:
    url: str
    key: str
    timeout: float = 20.0
    transport: httpx.BaseTransport | None = None  # tests: the hub app in-process

    def __post_init__(self) -> None:
        self._http = httpx.Client(
            base_url=self.url.rstrip("/") + API,
            headers={"Authorization": f"Bearer {self.key}", "Accept": "application/json"},
            timeout=self.timeout,
            follow_redirects=False,
            verify=True,
            transport=self.transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def me(self) -> MemberOut:
        return self._call("GET", "/me", MemberOut)

    def publish(self, body: PublishBody) -> PublishOut:
        return self._call("POST", "/items", PublishOut, json=body.model_dump(mode="json"))

    def changes(self, *, since: int, limit: int) -> ChangesOut:
        return self._call("GET", "/changes", ChangesOut, params={"since": since, "limit": limit})

    def upload_stats(self, body: StatsBody) -> None:
        self._call("PUT", "/stats", None, json=body.model_dump(mode="json"))

    def stats(self) -> StatsOut:
        return self._call("GET", "/stats", StatsOut)

    def _call(self, method: str, path: str, model: type[M] | None, **kwargs: Any) -> Any:
        try:
            answer = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as error:
            raise HubUnavailable("连接枢纽超时，稍后再同步即可（本机数据不受影响）") from error
        except httpx.HTTPError as error:
            raise HubUnavailable(
                "无法连接枢纽（网络不通或枢纽未运行），稍后再同步即可（本机数据不受影响）"
            ) from error
        if answer.status_code == 401:
            raise HubRefused(
                "枢纽拒绝了本机构的成员密钥（密钥有误或已被撤销），请向枢纽管理员索取新密钥"
            )
        if answer.status_code >= 500 or answer.status_code in (429, 503):
            raise HubUnavailable(f"枢纽暂时无法处理请求（{answer.status_code}），稍后再同步即可")
        if answer.status_code >= 300:
            raise HubError(f"枢纽拒绝了请求（{answer.status_code}）：{_message(answer)}")
        if model is None:
            return None
        try:
            return model.model_validate(answer.json())
        except (ValueError, ValidationError) as error:
            raise HubError("枢纽的应答格式无法识别（版本不符？），本次未作任何改动") from error


def _message(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("error", ""))[:200]
    except ValueError:
        return answer.text[:200]
