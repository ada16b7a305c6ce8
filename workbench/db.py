"""Engine and session: one session per request, one commit per request, rollback on error.

On SQLite a unit of work that writes takes the write lock when it begins (`BEGIN IMMEDIATE`), so a
writer waits its turn for up to the busy timeout instead of failing: a deferred transaction that
reads and then writes cannot wait (in WAL mode SQLite answers SQLITE_BUSY at once, because its
snapshot may be stale), which lost simultaneous survey answers. Requests with an unsafe method and
work outside requests (jobs, commands) write; GET and HEAD requests read with a plain `BEGIN`, so
readers stay concurrent. The little that a reading request must record (an API token's last use) is
written apart, in a unit of work of its own (`small_write`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import Engine, event
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

ENGINE_KEY = "workbench.engine"
# Tests bind every session to one connection inside a transaction they roll back afterwards.
BIND_KEY = "workbench.bind"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_BUSY_TIMEOUT_S = 30

# Set by session_scope for its unit of work: whether it begins by taking the write lock.
_scope_writes: ContextVar[bool | None] = ContextVar("workbench_scope_writes", default=None)


def takes_write_lock() -> bool:
    """Whether the unit of work beginning now writes (SQLite then begins it IMMEDIATE)."""
    scoped = _scope_writes.get()
    if scoped is not None:
        return scoped
    if has_request_context():
        return request.method not in SAFE_METHODS
    return True


def make_engine(url: str) -> Engine:
    """Create the engine: SQLite with foreign keys and WAL, PostgreSQL with pre-ping."""
    if url.startswith("sqlite"):
        kwargs: dict = {
            "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
        }
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - driver hook
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            # Let SQLAlchemy, not pysqlite, decide where transactions begin, so SAVEPOINTs work.
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):  # pragma: no cover - driver hook
            connection.exec_driver_sql("BEGIN IMMEDIATE" if takes_write_lock() else "BEGIN")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def init_app(app: Flask) -> None:
    """Bind an engine to the app and the per-request session lifecycle."""
    app.extensions[ENGINE_KEY] = make_engine(app.config["DATABASE_URL"])

    @app.before_request
    def _fresh_request_state():
        # An app context pushed around several requests (tests, CLI) must not leak request state.
        g.in_dispatch = True
        for key in (
            "db_rollback",
            "_login_user",
            "user_figures",
            "permission_object",
            "permission_denied",
        ):
            g.pop(key, None)

    @app.after_request
    def _commit(response):
        session = g.pop("db_session", None)
        writes = g.pop("writes_after", None)
        if session is not None:
            try:
                if response.status_code < 400 and not g.get("db_rollback"):
                    if writes and takes_write_lock():  # it holds the write lock already
                        for write in writes:
                            write(session)
                        writes = None
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        _write_after(writes)
        return response

    @app.teardown_request
    def _close(_exc):
        g.pop("in_dispatch", None)
        session = g.pop("db_session", None)
        if session is not None:  # an exception escaped: after_request did not run
            session.rollback()
            session.close()


def write_after_request(write: Callable[[Session], None]) -> None:
    """Run `write` in a unit of work of its own once the request's own has ended.

    For records that must outlive the request's outcome: a refused action or a failed login
    answers 4xx and rolls the request back, but its audit entry stays.
    """
    if not has_request_context():  # a command or a job: nothing to wait for
        _write_after([write])
        return
    g.setdefault("writes_after", []).append(write)


def _write_after(writes: list[Callable[[Session], None]] | None) -> None:
    if not writes:
        return
    with session_scope(write=True) as session:
        for write in writes:
            write(session)


def engine() -> Engine:
    return current_app.extensions[ENGINE_KEY]


def session() -> Session:
    """The request's session (created lazily)."""
    if "db_session" not in g:
        bind = current_app.extensions.get(BIND_KEY) or engine()
        g.db_session = Session(
            bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
    return g.db_session


def mark_rollback() -> None:
    """Make the request boundary roll back instead of committing (used by error handlers)."""
    if has_app_context():
        g.db_rollback = True
        if "db_session" in g:
            g.db_session.rollback()


@contextmanager
def session_scope(bind: Engine | None = None, *, write: bool = True) -> Iterator[Session]:
    """A unit of work of its own (CLI, jobs): commit on success, roll back on error.

    `write=False` declares a unit that only reads, which then does not wait for the write lock.
    """
    target = bind or current_app.extensions.get(BIND_KEY) or engine()
    marker = _scope_writes.set(write)
    try:
        with Session(
            target, expire_on_commit=False, join_transaction_mode="create_savepoint"
        ) as db:
            try:
                yield db
                db.commit()
            except BaseException:
                db.rollback()
                raise
    finally:
        _scope_writes.reset(marker)


@contextmanager
def small_write(db: Session) -> Iterator[Session]:
    """Where a reading request's small write goes: its own unit of work, committed on exit.

    A request that writes anyway holds the write lock already, so there it is its own session.
    """
    if takes_write_lock():
        yield db
        return
    with session_scope(write=True) as apart:
        yield apart
