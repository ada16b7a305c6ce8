"""The fuzz tests' own check: a hostile value stored by a request is found (tests/security/fuzz.py)."""

from __future__ import annotations

from sqlalchemy import update

from tests.security import fuzz
from workbench.engagements.models import Engagement


def test_a_stored_control_character_is_found_in_the_tables_written(app, db, demo):
    with fuzz.rolled_back(app) as written:
        db.connection().execute(
            update(Engagement.__table__)
            .where(Engagement.__table__.c.id == demo.engagement.id)
            .values(title="含控制字符\x1b的名称")
        )
        assert "engagement" in written
        found = fuzz.stored_illegal_text(db, written)
        assert [cell.split(":")[0] for cell in found] == ["engagement.title"]
        assert fuzz.stored_illegal_text(db, {"audit_entry"}) == []  # only where it was written
        assert fuzz.stored_illegal_text(db) == found  # every table: the same one cell
    assert fuzz.stored_illegal_text(db) == []  # rolled back


def test_the_write_pattern_names_the_table():
    for statement, table in [
        ('INSERT INTO "user" (id) VALUES (?)', "user"),
        ("INSERT OR IGNORE INTO blob (sha256) VALUES (?)", "blob"),
        ("UPDATE engagement SET title=? WHERE engagement.id = ?", "engagement"),
        ("COPY survey_answer (response_id, key) FROM STDIN", "survey_answer"),
    ]:
        assert fuzz.WRITE.match(statement).group(1) == table
    assert fuzz.WRITE.match("SELECT * FROM engagement") is None
