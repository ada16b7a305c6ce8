"""The library_pinyin revision fills the pinyin of rows written before it, and goes back cleanly."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from tests.test_migrations import scratch_engine  # noqa: F401  (the fixture)
from workbench import migrate
from workbench.library.search import ensure_search_index

BEFORE = "202612061905_internal_sections"
REVISION = "202612062200_library_pinyin"


def test_existing_rows_get_their_pinyin_and_the_column_goes_on_downgrade(scratch_engine):  # noqa: F811
    migrate.upgrade(scratch_engine, BEFORE)
    meta = sa.MetaData()
    indicator = sa.Table("library_indicator", meta, autoload_with=scratch_engine)
    tag = sa.Table("library_tag", meta, autoload_with=scratch_engine)
    now = datetime.now(UTC)
    with scratch_engine.begin() as conn:
        row_id = conn.execute(
            indicator.insert().returning(indicator.c.id),
            {
                "key": "custom.medical",
                "position": 0,
                "kind": "sector",
                "engagement_types": "",
                "status": "shared",
                "status_note": "",
                "current_version": 1,
                "name": "医保基金使用合规率",
                "search_text": "医保基金使用合规率",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            },
        ).scalar_one()
        conn.execute(tag.insert(), {"indicator_id": row_id, "tag": "医保"})

    migrate.upgrade(scratch_engine, REVISION)
    with scratch_engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT search_pinyin FROM library_indicator WHERE id = :id"), {"id": row_id}
        ).scalar_one()
    assert stored.split("\n") == ["ybjjsyhgl", "yibaojijinshiyongheguilv", "yb", "yibao"]
    if scratch_engine.dialect.name == "postgresql":  # LIKE '%…%' served by a trigram index
        with scratch_engine.connect() as conn:
            definition = conn.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                {"name": "ix_library_indicator_pinyin"},
            ).scalar_one()
        assert "gin" in definition and "gin_trgm_ops" in definition

    if scratch_engine.dialect.name == "sqlite":  # the column goes without a table copy
        with Session(scratch_engine) as session:
            ensure_search_index(session)
            session.commit()
    migrate.downgrade(scratch_engine, BEFORE)
    if scratch_engine.dialect.name == "sqlite":
        with scratch_engine.connect() as conn:
            triggers = conn.execute(
                sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            assert {"library_fts_ai", "library_fts_ad", "library_fts_au"} <= set(triggers)
    columns = {c["name"] for c in sa.inspect(scratch_engine).get_columns("library_indicator")}
    assert "search_pinyin" not in columns and "search_text" in columns
