"""What a node's settings get wrong for a deployment of several nodes (pure: a mapping in, messages out).

Several nodes share the work once the queue or the files live on shared servers (Redis or
PostgreSQL for the queue, object storage for the files). Then whatever else a node keeps for itself
breaks the others' view: a secret key generated into its own instance folder (a session signed
here is refused there), rate limits counted in its own memory (five tries per node instead of five),
files in its own folder (a worker or another node cannot read them), a queue file of its own (its
jobs are run by no other worker). `create_app` logs each as a warning at start.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SHARED_QUEUES = ("redis", "rediss", "postgresql", "postgres")


def _scheme(value: Any) -> str:
    return urlsplit(str(value or "")).scheme


def shared(config: Mapping[str, Any]) -> bool:
    """Whether these settings put the node in a cluster (queue or files on shared servers)."""
    return _scheme(config.get("QUEUE_URL")) in SHARED_QUEUES or _scheme(
        config.get("STORAGE_URL")
    ) in ("s3",)


def problems(config: Mapping[str, Any], *, local_secret: str | None) -> list[str]:
    """The settings that hold only on this node although the deployment is shared.

    `local_secret` is the key kept in this node's instance folder (None: there is none).
    """
    if not shared(config):
        return []
    found = []
    if local_secret is not None and config.get("SECRET_KEY") == local_secret:
        found.append(
            "会话密钥取自本节点实例目录（secret_key 文件）：多节点部署时各节点须设置同一个 "
            "WORKBENCH_SECRET_KEY，否则在一个节点登录后到另一个节点会被要求重新登录"
        )
    if _scheme(config.get("RATELIMIT_STORAGE_URI")) == "memory":
        found.append(
            "登录限流计数只在本进程内（WORKBENCH_RATELIMIT_STORAGE_URI=memory://）：多节点部署时"
            "请设为 redis://…，否则每个节点、每个进程各自放行"
        )
    if _scheme(config.get("STORAGE_URL")) in ("", "file"):
        found.append(
            "文件保存在本节点目录：多节点部署时请设置 WORKBENCH_STORAGE_URL=s3://…（或各节点挂载同一共享目录），"
            "否则其他节点和后台任务进程读不到上传的文件"
        )
    if _scheme(config.get("QUEUE_URL")) not in SHARED_QUEUES:
        found.append(
            "后台任务队列是本节点的 SQLite 文件：多节点部署时请设置 WORKBENCH_QUEUE_URL=redis://…，"
            "否则本节点排队的任务只有本节点的任务进程会执行"
        )
    return found


def local_secret(instance: Path) -> str | None:
    """The secret key this node generated for itself, if it did."""
    path = Path(instance) / "secret_key"
    return path.read_text().strip() if path.exists() else None
