"""Migrations build the schema from nothing, match the models (tables, columns and their types,
indexes), and downgrade back to nothing."""

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
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
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


def test_clean_text_revision_cleans_rows_written_before_it(scratch_engine):
    import sqlalchemy as sa

    migrate.upgrade(scratch_engine, "202611282000_surveys")
    # PostgreSQL text cannot hold NUL (nor JSON text a lone surrogate): seed what each can hold.
    postgres = scratch_engine.dialect.name == "postgresql"
    nul, surrogate = ("", "") if postgres else ("\x00", "\ud800")
    organisation = sa.table(
        "organisation", *(sa.column(c) for c in ("id", "name", "kind", "code", "created_at"))
    )
    audit = sa.table(
        "audit_entry",
        *(sa.column(c) for c in ("id", "at", "actor_name", "action", "object_type", "summary")),
        sa.column("after", sa.JSON),
    )
    at = "2026-12-01 08:00:00"
    with scratch_engine.begin() as conn:
        conn.execute(
            organisation.insert().values(
                id=1, name=f"甲{nul}\x01乙\ufffe丙\uffff", kind="agency", code="", created_at=at
            )
        )
        conn.execute(
            audit.insert().values(
                id=1,
                at=at,
                actor_name="系统",
                action="x",
                object_type="y",
                summary=f"摘要\x0b{nul}\x1f完\t行\n",
                after={"title": f"丁{nul}\x08戊\ufffe{surrogate}", "keep": ["制表\t换行\n回车\r"]},
            )
        )
    migrate.upgrade(scratch_engine)
    with scratch_engine.connect() as conn:
        assert conn.execute(sa.select(organisation.c.name)).scalar_one() == "甲乙丙"
        summary, after = conn.execute(sa.select(audit.c.summary, audit.c.after)).one()
    assert summary == "摘要完\t行\n"
    assert after == {"title": "丁戊", "keep": ["制表\t换行\n回车\r"]}
    migrate.downgrade(scratch_engine, "202611282000_surveys")  # reversible: a no-op
    assert migrate.current(scratch_engine) == "202611282000_surveys"
