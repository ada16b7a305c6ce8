"""Migrations build the schema from nothing, match the models, and downgrade back to nothing."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

import workbench.models  # noqa: F401
from workbench import migrate
from workbench.db import make_engine


@pytest.fixture()
def scratch_engine(tmp_path):
    """A brand-new empty database of the same kind the suite runs on."""
    url = os.environ.get("WORKBENCH_TEST_DATABASE_URL")
    if not url:
        engine = make_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
        yield engine
        engine.dispose()
        return
    name = f"wb_scratch_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_engine(url).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(
        str(make_engine(url).url.set(database=name).render_as_string(hide_password=False))
    )
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}"'))
    admin.dispose()


def test_upgrade_fresh_database_matches_models_and_downgrades(scratch_engine):
    migrate.upgrade(scratch_engine)
    tables = set(inspect(scratch_engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    with scratch_engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": False}), SQLModel.metadata
        )
    assert diff == [], f"models and migrations differ: {diff}"
    migrate.downgrade(scratch_engine, "base")
    assert set(inspect(scratch_engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(scratch_engine)
    assert migrate.current(scratch_engine) is not None


def test_revisions_are_date_prefixed_with_a_slug():
    from pathlib import Path

    versions = Path(migrate.HERE) / "versions"
    names = [p.name for p in versions.glob("*.py")]
    assert names
    for name in names:
        assert name[:4].isdigit() and name[4] == "_" and "-" in name, name
