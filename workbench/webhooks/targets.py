"""Where a webhook may point: http(s) URLs whose host resolves only to public addresses, or to
the networks the operator allowed (`WEBHOOK_ALLOWED_NETWORKS`, e.g. a government intranet's
`10.0.0.0/8`). Checked when the URL is saved and again before every attempt (a name may
resolve elsewhere later), so an admin cannot make the server call its own loopback services or
the cloud's metadata address (pure: no Flask, no session; the resolver is a parameter).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]


def networks(text: str) -> list[Network]:
    """Parse the setting: networks separated by commas or spaces (a bad one raises ValueError)."""
    return [ipaddress.ip_network(p, strict=False) for p in text.replace(",", " ").split() if p]


def resolve(host: str, port: int) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def refusal(url: str, *, allowed: Iterable[Network], resolver: Resolver = resolve) -> str:
    """Why this URL may not be called ("" when it may)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return "地址须以 http:// 或 https:// 开头"
    if not parts.hostname:
        return "地址缺少主机名"
    if parts.username or parts.password:
        return "地址中不能包含用户名或密码（签名密钥已用于验证来源）"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "端口号无效"
    try:
        addresses = resolve_checked(parts.hostname, port, resolver)
    except OSError:
        return f"无法解析主机名 {parts.hostname}"
    allowed = list(allowed)
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if address.is_global or any(address in net for net in allowed):
            continue
        where = (
            f"{address} 是内网或本机地址"
            if parts.hostname.strip("[]") == str(address)
            else f"{parts.hostname} 指向内网或本机地址 {address}"
        )
        return (
            f"{where}，不能作为推送地址"
            "（内网部署请由系统管理员在 WEBHOOK_ALLOWED_NETWORKS 中允许该网段）"
        )
    return ""


def resolve_checked(host: str, port: int, resolver: Resolver) -> list[str]:
    found = resolver(host, port)
    if not found:
        raise OSError(f"{host} has no address")
    return found
