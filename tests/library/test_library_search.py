"""Library search in the database: the FTS5/pg_trgm path (≥ 3 characters) and the short LIKE path."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from tests.library.library_helpers import content
from workbench.library import search as library_search
from workbench.library import services
from workbench.library.models import LibraryIndicator

SECTOR = "测试领域"


@pytest.fixture()
def shared(db, demo):
    """Three shared indicators of one admin, with distinct names, definitions and tags."""
    admin = demo.users["demo-admin"]
    made = {}
    for name, definition, tags in [
        (
            "乡村医生培训合格率",
            "参加培训并考核合格的乡村医生占比（含 50% 线上课程）。",
            ("基层卫生", "ABC培训"),
        ),
        ("学校食堂检查覆盖率", "已检查食堂数÷食堂总数，反映 monitoring 的覆盖面。", ("食品安全",)),
        ("冷链车辆_完好率", "完好冷链车辆占比。", ("冷链",)),
    ]:
        row = services.create_personal(
            db,
            actor=admin,
            data=content(name=name, definition=definition, tags=tags),
            sector=SECTOR,
        )
        services.propose(db, actor=admin, indicator=row, version=row.version)
        services.approve(db, actor=admin, indicator=row, version=row.version)
        made[name] = row
    return made


def _names(db, **kwargs) -> list[str]:
    """Names found among the test's indicators (the demo's packs are left out by sector)."""
    rows, total = services.search(db, limit=200, sector=SECTOR, **kwargs)
    assert total == len(rows)
    return sorted(row.name for row in rows)


def test_long_terms_match_name_definition_and_tags(db, shared):
    assert _names(db, q="医生培训") == ["乡村医生培训合格率"]
    assert _names(db, q="考核合格的") == ["乡村医生培训合格率"]  # definition
    assert _names(db, q="食品安全") == ["学校食堂检查覆盖率"]  # tag
    assert _names(db, q="MONITORING") == ["学校食堂检查覆盖率"]  # case-insensitive
    assert _names(db, q="abc培训") == ["乡村医生培训合格率"]


def test_every_term_must_match(db, shared):
    assert _names(db, q="乡村医生 合格率") == ["乡村医生培训合格率"]
    assert _names(db, q="乡村医生 覆盖率") == []
    assert _names(db, q="覆盖率 食堂") == ["学校食堂检查覆盖率"]  # long and short terms mixed


def test_short_terms_use_like_and_wildcards_are_literal(db, shared):
    found = _names(db, q="冷链")
    assert found == ["冷链车辆_完好率"]
    assert "乡村医生培训合格率" in _names(db, q="率")
    assert _names(db, q="0%") == ["乡村医生培训合格率"]
    assert _names(db, q="_") == ["冷链车辆_完好率"]
    assert _names(db, q="%") == ["乡村医生培训合格率"]


def test_search_follows_edits(db, demo, shared):
    admin = demo.users["demo-admin"]
    row = shared["学校食堂检查覆盖率"]
    services.edit(
        db,
        actor=admin,
        indicator=row,
        data=content(name="托幼机构食堂检查覆盖率", definition="托幼机构食堂的检查覆盖面。"),
        change_note="扩展到托幼机构",
        version=row.version,
    )
    assert _names(db, q="托幼机构") == ["托幼机构食堂检查覆盖率"]
    assert _names(db, q="monitoring") == []
    assert _names(db, q="学校食堂检查") == []


def test_filters_tags_status_and_paging(db, demo, shared):
    assert _names(db, tags=["冷链"]) == ["冷链车辆_完好率"]
    assert _names(db, tags=["冷链", "食品安全"]) == []
    rows, total = services.search(db, q="率", limit=2, offset=0, sector=SECTOR)
    more, total_again = services.search(db, q="率", limit=2, offset=2, sector=SECTOR)
    assert total == total_again == 3 and len(rows) == 2 and len(more) == 1
    assert not {r.id for r in rows} & {r.id for r in more}
    assert _names(db, q="完好率", status="proposed") == []
    assert _names(db, q="完好率", status="shared") == ["冷链车辆_完好率"]


def test_pack_filters(db, demo):
    sector_rows, total = services.search(db, sector="教育", limit=200)
    assert total >= 10 and {row.sector for row in sector_rows} == {"教育"}
    common, _ = services.search(db, kind="common", engagement_type="ex_ante", limit=200)
    assert {row.pack_key for row in common} == {"ex_ante_common"}
    packed, count = services.search(db, pack_key="water", limit=200)
    assert count == len(packed) and all(row.key.startswith("water.") for row in packed)


def test_unknown_status_is_a_validation_error(db):
    from workbench.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.search(db, status="archived")


def test_the_database_index_serves_the_search(db, demo, shared):
    dialect = db.get_bind().dialect.name
    if dialect == "sqlite":
        assert library_search.fts_supported(db)
        services.search(db, q="医生培训")
        assert (
            db.exec(text("SELECT count(*) FROM sqlite_master WHERE name = 'library_fts'")).one()[0]
            == 1
        )
        plan = " ".join(
            str(row[-1])
            for row in db.exec(
                text(
                    "EXPLAIN QUERY PLAN SELECT id FROM library_indicator WHERE id IN "
                    "(SELECT rowid FROM library_fts WHERE library_fts MATCH '\"医生培训\"')"
                )
            ).all()
        )
        assert "VIRTUAL TABLE INDEX" in plan
        indexed = db.exec(
            text("SELECT rowid FROM library_fts WHERE library_fts MATCH '\"冷链车辆\"'")
        ).all()
        assert [row[0] for row in indexed] == [shared["冷链车辆_完好率"].id]
    else:
        definition = db.exec(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_library_indicator_search'")
        ).one()[0]
        assert "gin" in definition and "gin_trgm_ops" in definition
        assert "fastupdate=off" in definition
        assert db.exec(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")).one()[0]


def test_index_rebuilds_from_existing_rows(db, demo, shared):
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("the FTS5 table exists on SQLite only")
    library_search.drop_search_index(db)
    assert _names(db, q="医生培训") == ["乡村医生培训合格率"]  # recreated and rebuilt
    count = db.exec(select(LibraryIndicator.id)).all()
    assert db.exec(text("SELECT count(*) FROM library_fts")).one()[0] == len(count)
