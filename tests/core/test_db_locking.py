"""SQLite units of work that write take the write lock when they begin; reading requests don't."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from workbench import create_app, db, migrate
from workbench.db import ENGINE_KEY, make_engine


def test_which_units_of_work_take_the_write_lock(app):
    with app.test_request_context("/", method="GET"):
        assert db.takes_write_lock() is False
        with db.session_scope(write=True):
            assert db.takes_write_lock() is True
        assert db.takes_write_lock() is False
    with app.test_request_context("/", method="POST"):
        assert db.takes_write_lock() is True
        with db.session_scope(write=False):
            assert db.takes_write_lock() is False
    with app.app_context():  # a job or a command
        assert db.takes_write_lock() is True


@pytest.fixture()
def own_sqlite_app(tmp_path):
    """An app on a SQLite file of its own (not the suite's shared, rolled-back connection)."""
    url = f"sqlite:///{tmp_path / 'own.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    application = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": tmp_path,
            "DATABASE_URL": url,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test",
        }
    )
    begins: list[str] = []

    @event.listens_for(application.extensions[ENGINE_KEY], "before_cursor_execute")
    def _record(_conn, _cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            begins.append(statement)

    yield application, begins
    application.extensions[ENGINE_KEY].dispose()


def test_requests_begin_immediate_only_when_they_may_write(own_sqlite_app):
    application, begins = own_sqlite_app
    client = application.test_client()
    assert client.get("/healthz").status_code == 200
    assert begins == ["BEGIN"]  # readers stay concurrent
    begins.clear()
    client.post("/login", data={"username": "nobody", "password": "wrong-password"})
    assert begins == ["BEGIN IMMEDIATE"]
    begins.clear()
    with application.app_context():
        with db.session_scope() as session:  # a job that writes
            session.execute(text("SELECT 1"))
        with db.session_scope(write=False) as session:  # a job's reading phase
            session.execute(text("SELECT 1"))
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]
