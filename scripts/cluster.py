"""Start a workbench cluster on this machine and leave it running: PostgreSQL, Redis, an
S3-compatible server (moto), two gunicorn app nodes and one `workbench worker`, each app process
with an instance folder of its own (tests/cluster/stack.py, the same stack the cluster test uses).

    make test-deps && sudo apt-get install redis-server postgresql   # once
    .venv/bin/python scripts/cluster.py [--nodes 2]

Open either node's address, sign in with a demo account on one, carry on on the other; kill a
node (its PID is printed) and watch the other keep serving. Ctrl+C stops everything.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.cluster import stack  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2, help="app nodes (gunicorn)")
    args = parser.parse_args()
    lacking = stack.missing()
    if lacking:
        print(f"缺少：{'、'.join(lacking)}（见本文件开头的安装命令）", file=sys.stderr)
        return 2
    print("正在启动 PostgreSQL、Redis、S3 兼容存储、数据库迁移与演示数据……")
    cluster = stack.up(nodes=args.nodes)
    try:
        print(f"工作目录：{cluster.work}")
        for key in ("WORKBENCH_DATABASE_URL", "WORKBENCH_QUEUE_URL", "WORKBENCH_STORAGE_URL"):
            print(f"  {key}={cluster.env[key]}")
        for node in cluster.nodes.values():
            print(f"节点 {node.name}：{node.base}/   （gunicorn 主进程 PID {node.process.pid}）")
        print(f"后台任务进程 PID {cluster.worker.pid}")
        print("演示账号：demo-lead、demo-evaluator、demo-reviewer、demo-bureau 等，密码 demo12345")
        print("Ctrl+C 停止全部进程")
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("正在停止……")
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
