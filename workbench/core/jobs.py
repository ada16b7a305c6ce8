"""Background jobs on Huey: one queue, the same job code on every deployment.

Where the queue lives is `QUEUE_URL`:
- `sqlite:///…` — the embedded default, a file beside the database (`<instance>/queue.sqlite3`);
  `workbench serve` runs one worker in its own process;
- `redis://…` — several app nodes and `workbench worker` processes share it;
- `postgresql://…` — the queue in the application's PostgreSQL server (psycopg 3);
- `memory://` — tests: jobs wait in memory until the test runs them (`run_pending`).

A job is a function decorated with `@job(...)`; it runs inside an application context, with
its own unit of work. Jobs are enqueued when the transaction that asked for them commits
(`enqueue_after_commit`), so a worker never looks for a row that is not there yet and a rolled-back
action queues nothing. A worker killed mid-job loses it (Huey takes a job off the queue when it
starts it): each kind of job keeps its state in a row and a periodic sweep queues again what was
lost, so jobs must be idempotent.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, has_app_context
from huey import Huey, MemoryHuey
from huey.consumer import Consumer
from huey.storage import MemoryStorage, PostgresStorage, RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session

__all__ = [
    "TRANSIENT",
    "Transient",
    "configure",
    "enqueue_after_commit",
    "job",
    "periodic",
    "queue",
    "run_pending",
]

log = logging.getLogger(__name__)


class Transient(Exception):
    """A fault worth another attempt later (LibreOffice crashed or timed out…)."""


# What a job retries with backoff; anything else (a refusal, a bug) ends the job at once.
TRANSIENT: tuple[type[BaseException], ...] = (
    OperationalError,  # the database locked, restarting, unreachable
    DisconnectionError,
    ConnectionError,
    TimeoutError,
    Transient,
)
_AT_START: list[Any] = []  # sweeps also queued when a worker starts

# Until `configure` runs (a bare import, a script), jobs wait in memory.
queue: Huey = MemoryHuey("workbench", results=False, utc=True)
_app: Flask | None = None


def default_url(instance: Path) -> str:
    return f"sqlite:///{instance / 'queue.sqlite3'}"


def _storage(url: str) -> tuple[type, dict[str, Any]]:
    """The Huey storage class and its arguments for a queue URL."""
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return MemoryStorage, {}
    if scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteStorage, {"filename": path}
    if scheme in ("redis", "rediss"):
        return RedisStorage, {"url": url}
    if scheme in ("postgresql", "postgres"):
        return PostgresStorage, {"dsn": url.replace("postgresql+psycopg://", "postgresql://")}
    raise ValueError(f"不支持的任务队列地址：{url}（可用 sqlite:///、redis://、postgresql://）")


def configure(app: Flask) -> None:
    """Point the queue at the app's QUEUE_URL (the last app configured wins, as for the engine)."""
    global _app
    url = app.config.get("QUEUE_URL") or default_url(Path(app.config["INSTANCE_PATH"]))
    storage_class, kwargs = _storage(url)
    current = queue.storage
    if type(current) is not storage_class or getattr(current, "_url", None) != url:
        queue.storage = storage_class(queue.name, **kwargs)
        queue.storage._url = url  # what this storage was made for (a reconfigure compares)
    _app = app


def job(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Register `fn` as a job; it runs in an application context. Options as Huey's `task`."""

    def decorate(fn: Callable[..., Any]) -> Any:
        @functools.wraps(fn)
        def in_app(*args: Any, **kwargs: Any) -> Any:
            if has_app_context():  # a test running the queue in its own app
                return fn(*args, **kwargs)
            if _app is None:
                raise RuntimeError("jobs.configure(app) has not run in this process")
            with _app.app_context():
                return fn(*args, **kwargs)

        return queue.task(**options)(in_app)

    return decorate


def periodic(
    schedule: Callable[..., bool], *, at_start: bool = False, **options: Any
) -> Callable[[Callable], Any]:
    """Register `fn` to run on a crontab schedule in the worker (`huey.crontab(...)`); with
    `at_start`, also once as each worker starts (a sweep finds at once what a crash left)."""

    def decorate(fn: Callable[..., Any]) -> Any:
        @functools.wraps(fn)
        def in_app() -> Any:
            if has_app_context():
                return fn()
            if _app is None:
                raise RuntimeError("jobs.configure(app) has not run in this process")
            with _app.app_context():
                return fn()

        task = queue.periodic_task(schedule, **options)(in_app)
        if at_start:
            _AT_START.append(task)
        return task

    return decorate


def fault_pause(point: str) -> None:
    """Fault tests only: sleep at `point` when WORKBENCH_FAULT_TESTS says so ("generation:5"),
    so that a test can kill a worker in the middle of a job. Never set in production."""
    for item in (os.environ.get("WORKBENCH_FAULT_TESTS") or "").split(","):
        name, _, seconds = item.partition(":")
        if name.strip() == point and seconds:
            print(f"fault pause: {point}", file=sys.stderr, flush=True)  # the test's cue
            time.sleep(float(seconds))


_PENDING = "jobs_after_commit"
_LISTENING = "jobs_listening"


def enqueue_after_commit(db: Session, task: Any, *args: Any) -> None:
    """Queue `task(*args)` when `db`'s transaction commits; nothing if it rolls back.

    A worker that looked earlier would not find the row the job is about; if the queue is down
    at that moment, the job's own sweep (a periodic job) finds the row later.
    """
    if not db.info.get(_LISTENING):  # once per session; the listeners stay, idle when empty
        event.listen(db, "after_commit", _queue_pending)
        event.listen(db, "after_rollback", _drop_pending)
        db.info[_LISTENING] = True
    db.info.setdefault(_PENDING, []).append((task, args))


def _queue_pending(db: Session) -> None:
    if db.get_nested_transaction() is not None:  # a SAVEPOINT released: not yet committed
        return
    for task, args in db.info.pop(_PENDING, []):
        try:
            task(*args)
        except Exception:  # the queue is unreachable: the sweep queues it later
            log.exception("could not queue %s%s", getattr(task, "name", task), args)


def _drop_pending(db: Session) -> None:
    if db.get_nested_transaction() is not None:  # a SAVEPOINT rolled back: the rest stands
        return
    db.info.pop(_PENDING, None)


def run_pending(limit: int = 100) -> int:
    """Tests: run the jobs waiting in the queue now; those due later go to the schedule, as the
    worker would put them (`run_scheduled` runs them). The number of jobs run."""
    ran = 0
    for _ in range(limit):
        message = queue.dequeue()
        if message is None:
            break
        ran += queue.ready_to_run(message)
        queue.execute(message)
    return ran


def run_scheduled(limit: int = 100) -> int:
    """Tests: move the jobs scheduled for later to now and run them (retries, delays)."""
    for task in queue.scheduled():
        task.eta = None  # due now
        queue.storage.enqueue(queue.serialize_task(task), task.priority)
    queue.storage.flush_schedule()
    return run_pending(limit)


class _QuietConsumer(Consumer):
    """A consumer that leaves the process's signals to its host (waitress handles Ctrl+C)."""

    def _set_signal_handlers(self) -> None:
        pass


def start_in_process(workers: int = 1) -> Consumer:
    """`workbench serve`: one worker (threads) beside the request threads of this process."""
    consumer = _QuietConsumer(queue, workers=workers, worker_type="thread", max_delay=2.0)
    consumer.start()
    _queue_sweeps()
    return consumer


def run_worker(workers: int = 2) -> None:
    """`workbench worker`: run until SIGINT (finish current jobs) or SIGTERM."""
    _queue_sweeps()
    Consumer(queue, workers=workers, worker_type="thread", max_delay=2.0).run()


def _queue_sweeps() -> None:
    for task in _AT_START:
        try:
            task()
        except Exception:  # the queue is unreachable: the schedule runs them later
            log.exception("could not queue %s", task.name)


def describe() -> str:
    """The queue's kind for people (the delivery page says where jobs wait)."""
    url = getattr(queue.storage, "_url", "memory://")
    scheme = urlsplit(url).scheme
    return {"sqlite": "内置（SQLite 文件）", "redis": "Redis", "memory": "内存（测试）"}.get(
        scheme, "PostgreSQL" if scheme.startswith("postgres") else scheme
    )
