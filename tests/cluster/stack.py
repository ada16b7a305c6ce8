"""A workbench cluster of real processes on loopback: PostgreSQL, Redis, an S3-compatible server
(moto's standalone server), app nodes under gunicorn and a `workbench worker`.

Each app node and the worker get an instance folder of their own, so nothing can pass between
them through a local disk: the database, the queue, the rate limits and the files are the shared
servers', sessions are cookies signed with the one SECRET_KEY. Used by tests/cluster and by
`scripts/cluster.py`, which starts the same thing for people to look at.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BUCKET = "workbench"
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def missing() -> list[str]:
    """The programs this machine lacks for a cluster (empty: it can start one)."""
    needs = {"redis-server": shutil.which("redis-server"), "PostgreSQL": _pgbin()}
    needs["moto_server"] = str(BIN / "moto_server") if (BIN / "moto_server").exists() else None
    return [name for name, found in needs.items() if not found]


def _pgbin() -> str | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return str(found[-1]) if found else None


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _wait(what: str, ready: Callable[[], bool], process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode}): {_tail(log)}")
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start: {_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def _answers(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as answer:
        return answer.status == 200


def _listens(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


@dataclass
class Node:
    name: str
    port: int
    process: subprocess.Popen
    folder: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / "gunicorn.log"

    @property
    def access_log(self) -> Path:
        """Lines "METHOD PATH STATUS MICROSECONDS" (bench/load/summary.py reads them)."""
        return self.folder / "access.log"

    def stop(self) -> None:
        """SIGTERM: gunicorn finishes its requests (and writes out its logs), then exits."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            _stop(self.process)

    def kill(self) -> None:
        """kill -9 of the master and its workers (the whole process group)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@dataclass
class Cluster:
    work: Path
    env: dict[str, str]
    nodes: dict[str, Node] = field(default_factory=dict)
    worker: subprocess.Popen | None = None
    _services: list[Callable[[], None]] = field(default_factory=list)

    # --- the shared servers -------------------------------------------------------------------

    def start_postgres(self) -> str:
        pgbin = _pgbin()
        # A folder of its own under /tmp: the postgres user cannot reach into a test's 0700 folder.
        home = Path(tempfile.mkdtemp(prefix="workbench-cluster-pg."))
        home.chmod(0o755)
        data, log = home / "data", home / "server.log"
        data.mkdir()
        log.touch()
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
            shutil.chown(log, "postgres", "postgres")
        (self.work / "pg.log").symlink_to(log)
        port = free_port()
        subprocess.run(
            _as_postgres([f"{pgbin}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres"])
            + ["-E", "UTF8", "--locale=C.UTF-8"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        options = (
            f"-p {port} -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off"
        )
        subprocess.run(
            _as_postgres([f"{pgbin}/pg_ctl", "-D", str(data), "-l", str(log), "-w", "start"])
            + ["-o", options],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60,
        )  # fmt: skip
        self._services.append(
            lambda: subprocess.run(
                _as_postgres([f"{pgbin}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"]),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=60,
            )  # fmt: skip
        )
        subprocess.run(
            _as_postgres([f"{pgbin}/psql", "-h", "/tmp", "-p", str(port), "-U", "postgres"])
            + ["-qc", "CREATE DATABASE workbench"],
            check=True, stdout=subprocess.DEVNULL, timeout=60,
        )  # fmt: skip
        return f"postgresql://postgres@127.0.0.1:{port}/workbench"

    def _daemon(self, name: str, command: list[str], ready: Callable[[], bool]) -> None:
        log = self.work / f"{name}.log"
        with open(log, "ab") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        self._services.append(lambda: _stop(process))
        _wait(name, ready, process, log)

    def start_redis(self) -> str:
        port = free_port()
        self._daemon(
            "redis",
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.work)],
            lambda: _listens(port),
        )  # fmt: skip
        return f"redis://127.0.0.1:{port}"

    def start_s3(self) -> str:
        port = free_port()
        self._daemon(
            "s3",
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            lambda: _listens(port),
        )
        return f"http://127.0.0.1:{port}"

    # --- the workbench ------------------------------------------------------------------------

    def workbench(self, *args: str, folder: Path, **extra: str) -> subprocess.CompletedProcess:
        """A `workbench …` command with the cluster's settings, run to its end."""
        return subprocess.run(
            [PYTHON, "-c", "from workbench.cli import main; main()", *args],
            env=self.env_for(folder, extra), check=True, capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    def env_for(self, folder: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
        folder.mkdir(parents=True, exist_ok=True)
        return {**os.environ, **self.env, "WORKBENCH_INSTANCE_PATH": str(folder), **(extra or {})}

    def start_node(self, name: str, *, workers: int = 2, access_log: bool = False) -> Node:
        port = free_port()
        folder = self.work / f"node-{name}"
        env = self.env_for(folder, {"WORKBENCH_BIND": f"127.0.0.1:{port}"})
        env["WORKBENCH_WORKERS"] = str(workers)
        log = folder / "gunicorn.log"
        logging = ["--access-logfile", str(folder / "access.log"),
                   "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"] if access_log else []  # fmt: skip
        with open(log, "ab") as out:
            process = subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "-c", "python:workbench.gunicorn_conf", *logging,
                 "workbench:create_app()"],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        node = Node(name, port, process, folder)
        self.nodes[name] = node
        _wait(f"node {name}", lambda: _answers(f"{node.base}/readyz"), process, log)
        return node

    def start_worker(self, *, threads: int = 2) -> subprocess.Popen:
        folder = self.work / "worker"
        log = folder / "worker.log"
        env = self.env_for(folder)
        with open(log, "ab") as out:
            self.worker = subprocess.Popen(
                [PYTHON, "-c", "from workbench.cli import main; main()", "worker",
                 "--workers", str(threads)],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        time.sleep(1.0)
        if self.worker.poll() is not None:
            raise RuntimeError(f"worker exited: {_tail(log)}")
        return self.worker

    def kill_node(self, name: str) -> None:
        self.nodes.pop(name).kill()

    def stop(self) -> None:
        for node in self.nodes.values():
            node.stop()
        if self.worker is not None and self.worker.poll() is None:
            _stop(self.worker)
        for stop in reversed(self._services):
            stop()

    def logs(self) -> str:
        """Every process's last lines, for a failing test's message."""
        found = sorted(self.work.glob("*.log")) + sorted(self.work.glob("*/*.log"))
        return "\n".join(f"--- {log.relative_to(self.work)}\n{_tail(log)}" for log in found)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def up(
    *,
    nodes: int = 2,
    login_limit: str = "5 per minute",
    work: Path | None = None,
    settings: dict[str, str] | None = None,
    demo: tuple[str, ...] = (),
) -> Cluster:
    """PostgreSQL, Redis, S3, the schema and the demo (`workbench demo *demo`), `nodes` app nodes
    and one worker; `settings` are more environment values for every process."""
    if work is None:
        work = Path(tempfile.mkdtemp(prefix="workbench-cluster."))
    cluster = Cluster(work=work, env={})
    try:
        database = cluster.start_postgres()
        redis = cluster.start_redis()
        s3 = cluster.start_s3()
        cluster.env = {
            "WORKBENCH_DATABASE_URL": database,
            "WORKBENCH_QUEUE_URL": f"{redis}/0",
            "WORKBENCH_RATELIMIT_STORAGE_URI": f"{redis}/1",
            "WORKBENCH_STORAGE_URL": f"s3://{BUCKET}/files",
            "WORKBENCH_S3_ENDPOINT_URL": s3,
            "AWS_ACCESS_KEY_ID": "cluster",
            "AWS_SECRET_ACCESS_KEY": "cluster-secret",
            "AWS_DEFAULT_REGION": "us-east-1",
            "WORKBENCH_SECRET_KEY": secrets.token_hex(32),
            "WORKBENCH_LOGIN_LIMIT": login_limit,
            **(settings or {}),
        }
        _bucket(s3)
        cluster.workbench("demo", *demo, folder=work / "setup")
        for index in range(nodes):
            cluster.start_node("AB"[index] if index < 2 else str(index))
        cluster.start_worker()
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _bucket(endpoint: str) -> None:
    import boto3

    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="cluster",
        aws_secret_access_key="cluster-secret", region_name="us-east-1",
    )  # fmt: skip
    client.create_bucket(Bucket=BUCKET)
