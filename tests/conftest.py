"""Shared fixtures: the app from the factory, a database rolled back per test, factories, demo data.

Set WORKBENCH_TEST_DATABASE_URL to run the suite against PostgreSQL (CI does); the default is a
SQLite file in a temporary folder. The schema is built through the Alembic migrations.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import event, text
from sqlmodel import Session

os.environ.setdefault("WORKBENCH_FAST_HASH", "1")
# Generated reports fill the TOC from the outline; LibreOffice page numbers: tests/reports.
os.environ.setdefault("WORKBENCH_TOC_PAGES", "outline")

from workbench import create_app, migrate  # noqa: E402

# The suite's property tests are deterministic (same examples every run, so a red build is
# reproducible); HYPOTHESIS_PROFILE=explore draws fresh random examples when hunting for bugs.
hypothesis_settings.register_profile("suite", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
from workbench.core import jobs  # noqa: E402
from workbench.db import BIND_KEY, ENGINE_KEY, make_engine  # noqa: E402

PASSWORD = "demo12345"
pytest_plugins = ["tests.s3_server"]  # s3_endpoint, s3_bucket, s3_store, on_s3


def _database_url(tmp_root, suffix: str = "") -> str:
    """The suite's database; `suffix` names a sibling (the demo database beside the empty one)."""
    url = os.environ.get("WORKBENCH_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_root / f'test{suffix}.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return _worker_database(url, f"{worker}{suffix}") if worker or suffix else url


def _worker_database(url: str, worker: str) -> str:
    """Each pytest-xdist worker gets its own PostgreSQL database next to the given one."""
    from sqlalchemy import create_engine

    base = make_engine(url).url
    name = f"{base.database}_{worker.lstrip('_')}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("instance")


def _migrated_engine(url: str):
    eng = make_engine(url)
    if eng.dialect.name == "postgresql":
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(eng)
    with Session(eng) as session:  # as `workbench db upgrade` does after migrating
        from workbench.library.search import ensure_search_index

        ensure_search_index(session)
        session.commit()
    return eng


@pytest.fixture(scope="session")
def base_engine(instance_dir):
    """The empty, migrated database every test without the demo runs on."""
    eng = _migrated_engine(_database_url(instance_dir))
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def demo_engine(app, instance_dir):
    """A second database holding the demo, loaded once per worker and committed: tests that ask
    for `demo` run on it (each in a transaction rolled back afterwards, as on the empty one)."""
    from workbench.demo.loader import load_demo

    eng = _migrated_engine(_database_url(instance_dir, "_demo"))
    with app.app_context(), Session(eng, expire_on_commit=False) as session:
        load_demo(session, password=PASSWORD)  # stores files (plan versions) as `workbench demo`
        session.commit()
    yield eng
    eng.dispose()


@pytest.fixture()
def engine(request, base_engine):
    """The database of this test: the demo one when the test (or a fixture it uses) asks for
    `demo`, else the empty one."""
    if "demo" in request.fixturenames:
        return request.getfixturevalue("demo_engine")
    return base_engine


@pytest.fixture(scope="session")
def app(base_engine, instance_dir):
    application = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": instance_dir,
            "DATABASE_URL": base_engine.url.render_as_string(hide_password=False),
            "WTF_CSRF_ENABLED": False,
            "LOGIN_LIMIT": "100000 per minute",  # the throttling test sets its own limit
            "SECRET_KEY": "test-secret",
            "DEMO_PASSWORD": PASSWORD,
            "QUEUE_URL": "memory://",  # jobs wait until a test runs them (core/jobs.run_pending)
        }
    )
    application.extensions[ENGINE_KEY].dispose()
    application.extensions[ENGINE_KEY] = base_engine
    return application


@pytest.fixture()
def app_with(app, db, engine, instance_dir):
    """app_with(TRUSTED_PROXIES=1, LOGIN_LIMIT="5 per minute", ...) → another app from the
    factory, with the suite's settings and these, on the test's transaction; rate limits reset."""
    from workbench.extensions import limiter

    def _make(**overrides):
        application = create_app(
            {
                "TESTING": True,
                "INSTANCE_PATH": instance_dir,
                "DATABASE_URL": engine.url.render_as_string(hide_password=False),
                "WTF_CSRF_ENABLED": False,
                "LOGIN_LIMIT": "100000 per minute",
                "SECRET_KEY": "test-secret",
                "DEMO_PASSWORD": PASSWORD,
                "QUEUE_URL": "memory://",
                **overrides,
            }
        )
        application.extensions[ENGINE_KEY].dispose()
        application.extensions[ENGINE_KEY] = engine
        application.extensions[BIND_KEY] = app.extensions[BIND_KEY]
        with application.app_context():
            limiter.reset()
        return application

    yield _make
    with app.app_context():
        limiter.reset()


WRITE_STATEMENT = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _reading_request_writes(found: list[str]):
    """A cursor hook that records writes made by a GET/HEAD request's own unit of work.

    On SQLite such a request begins a plain (deferred) transaction, and a write after its reads
    fails at once when another writer got there first; its small writes go through
    `db.small_write` instead (see workbench/db.py).
    """
    from flask import g, has_request_context, request

    from workbench.db import takes_write_lock

    def hook(_conn, _cursor, statement, _params, _context, _executemany):
        if (
            has_request_context()
            and g.get("in_dispatch")
            and not takes_write_lock()
            and WRITE_STATEMENT.match(statement)
        ):
            found.append(f"{request.method} {request.path}: {statement[:80]}")

    return hook


@pytest.fixture()
def db(app, engine, base_engine) -> Iterator:
    """A session on one connection whose outer transaction is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    app.extensions[BIND_KEY] = connection
    app.extensions[ENGINE_KEY] = engine
    session = Session(connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
    jobs.configure(app)  # the queue is process-wide: an app made since (a live server) moved it
    jobs.queue.flush()  # no test sees another's queued jobs
    writes_in_reads: list[str] = []
    event.listen(connection, "before_cursor_execute", _reading_request_writes(writes_in_reads))
    try:
        yield session
    finally:
        session.close()
        app.extensions.pop(BIND_KEY, None)
        app.extensions[ENGINE_KEY] = base_engine
        outer.rollback()
        connection.close()
    assert writes_in_reads == [], "a reading request wrote in its own transaction"


@pytest.fixture()
def run_jobs(app, db, monkeypatch):
    """run_jobs() → run the jobs queued so far, as the worker would (retries due now too), and
    let the test's session see what they wrote. Pages queue their jobs as in production."""

    monkeypatch.setitem(app.config, "JOB_RETRY_SECONDS", 0)  # a retry is due at once

    def _run(*, retries: bool = False) -> int:
        ran = jobs.run_scheduled() if retries else jobs.run_pending()
        db.expire_all()
        return ran

    return _run


@pytest.fixture()
def ctx(app, db):
    """A request context, for services that read request-scoped state."""
    with app.test_request_context():
        yield


@pytest.fixture()
def demo(db, engine):
    """The demo data (users, organisations, the demo engagement): the demo database's, seen
    inside the test transaction."""
    from sqlmodel import select

    from workbench.accounts.models import Organisation, User
    from workbench.demo.loader import DEMO_TITLE
    from workbench.engagements.models import Engagement

    users = {u.username: u for u in db.exec(select(User)).all()}
    orgs = {o.name: o for o in db.exec(select(Organisation)).all()}
    engagement = db.exec(select(Engagement).where(Engagement.title == DEMO_TITLE)).one()
    return type("Demo", (), {"users": users, "orgs": orgs, "engagement": engagement})


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def login(app, db):
    """login("demo-lead") → a test client with that user's session."""

    def _login(username: str, password: str = PASSWORD):
        c = app.test_client()
        response = c.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, f"login failed for {username}"
        return c

    return _login


@pytest.fixture()
def token_for(db):
    """token_for(user) → headers with a fresh bearer token."""
    from workbench.accounts.services import create_token

    def _token(user) -> dict:
        _row, clear = create_token(db, user=user, label="test")
        db.flush()
        return {"Authorization": f"Bearer {clear}"}

    return _token


@pytest.fixture()
def make_user(db):
    """make_user(kind="agency"|"bureau"|"unit"|"expert", role=..., managed_by=org) → a new User."""
    from workbench.accounts import services
    from workbench.accounts.models import OrgKind, SystemRole

    counter = {"n": 0}

    def _make(
        kind: str = "agency",
        *,
        role: str | None = None,
        org=None,
        username: str | None = None,
        managed_by=None,
    ):
        counter["n"] += 1
        n = counter["n"]
        if org is None and kind != "expert":
            org = services.get_or_create_org(
                db,
                actor=None,
                name=f"测试{kind}{n if kind != 'agency' else ''}",
                kind=OrgKind(kind),
            )
        role = role or ("staff" if kind == "agency" else "external")
        return services.create_user(
            db,
            actor=None,
            username=username or f"user{kind}{n}",
            display_name=f"用户{n}",
            password=PASSWORD,
            org_id=org.id if org else None,
            system_role=SystemRole(role),
            check_policy=False,
            managed_by_id=managed_by.id if managed_by else None,
        )

    return _make


@pytest.fixture()
def count_queries(engine):
    """with count_queries() as counter: ...; counter.count → statements executed."""

    @contextmanager
    def _count():
        counter = type("Counter", (), {"count": 0, "statements": []})()

        def _before(conn, cursor, statement, parameters, context, executemany):
            if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK)", statement):
                counter.count += 1
                counter.statements.append(statement)

        event.listen(engine, "before_cursor_execute", _before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", _before)

    return _count


def pytest_collection_modifyitems(items):
    """The tests marked `long` first (stable otherwise): pytest-xdist hands out files in this
    order, so the longest start at once on separate workers instead of ending the run alone."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_terminal_summary(terminalreporter):
    """Print the figures tests record with record_property (the fuzz tests' request counts)."""
    lines = [
        f"{report.nodeid}: {value} {name.replace('_', ' ')}"
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", "") == "call"
        for name, value in getattr(report, "user_properties", [])
        if name == "hostile_requests"
    ]
    if lines:
        terminalreporter.write_sep("-", "hostile requests sent")
        for line in lines:
            terminalreporter.write_line(line)
