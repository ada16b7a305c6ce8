"""Substring search over library indicators, in the database (never a Python loop).

SQLite: an FTS5 table with the trigram tokenizer over `library_indicator.search_text` (external
content, kept in sync by triggers) answers terms of three characters or more; shorter terms use
LIKE on the indexed `search_text` column. PostgreSQL: LIKE on the lower-cased `search_text`
(what ILIKE would match, several times faster to scan), served by the pg_trgm GIN index the
migration creates for terms of three characters or more.

The FTS5 table is created after `workbench db upgrade` (and on first use by a unit of work that
writes), not by the migration: Alembic would see its virtual and shadow tables as unknown tables and
propose dropping them. A reading request never creates it (it would write after reading, which
SQLite refuses under concurrent writers): without the table it searches with LIKE alone.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import Integer, and_, column, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from workbench import db as database
from workbench.library.models import LibraryIndicator

FTS_TABLE = "library_fts"
TRIGRAM = 3
# The trigram tokenizer arrived in SQLite 3.34.
FTS_MIN_VERSION = (3, 34, 0)

_FTS_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_text, content='library_indicator', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS library_fts_ai AFTER INSERT ON library_indicator BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS library_fts_ad AFTER DELETE ON library_indicator BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS library_fts_au AFTER UPDATE OF search_text "
    f"ON library_indicator BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
)


def fts_supported(db: Session) -> bool:
    """Whether this database is SQLite with the FTS5 trigram tokenizer."""
    return db.get_bind().dialect.name == "sqlite" and sqlite3.sqlite_version_info >= FTS_MIN_VERSION


def ensure_search_index(db: Session) -> bool:
    """Create the SQLite FTS5 table and its triggers when missing (filled from the table)."""
    if not fts_supported(db):
        return False
    if not _index_exists(db):
        for statement in _FTS_DDL:
            db.exec(text(statement))
        db.exec(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))
    return True


def _index_answers(db: Session) -> bool:
    """Whether the FTS table can answer: it exists, or this unit of work writes and creates it."""
    if not fts_supported(db):
        return False
    if database.takes_write_lock():
        return ensure_search_index(db)
    return _index_exists(db)


def _index_exists(db: Session) -> bool:
    return (
        db.exec(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
            params={"name": FTS_TABLE},
        ).first()
        is not None
    )


def drop_search_index(db: Session) -> None:
    """Remove the SQLite FTS5 table and triggers (tests, and before a downgrade)."""
    if db.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("library_fts_ai", "library_fts_ad", "library_fts_au"):
        db.exec(text(f"DROP TRIGGER IF EXISTS {trigger}"))
    db.exec(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))


def terms(query: str) -> list[str]:
    """The query's whitespace-separated terms, lower-cased, duplicates dropped."""
    found: list[str] = []
    for term in query.lower().split():
        if term not in found:
            found.append(term)
    return found[:8]


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(term: str) -> str:
    # A quoted FTS5 string is matched as a phrase: with trigrams, as a substring.
    return '"' + term.replace('"', '""') + '"'


def match_condition(db: Session, query: str) -> ColumnElement[bool] | None:
    """A WHERE clause matching every term in name, definition or tags; None for no terms."""
    words = terms(query)
    if not words:
        return None
    document = col(LibraryIndicator.search_text)
    if db.get_bind().dialect.name == "postgresql":
        # search_text and the terms are both lower-cased, so LIKE finds what ILIKE would, through
        # the same trigram index, without folding the case of every character it scans.
        return and_(*(document.like(_like_pattern(word), escape="\\") for word in words))
    long_words = [word for word in words if len(word) >= TRIGRAM]
    short_words = [word for word in words if len(word) < TRIGRAM]
    conditions: list[ColumnElement[bool]] = []
    if long_words and _index_answers(db):
        expression = " AND ".join(_fts_phrase(word) for word in long_words)
        conditions.append(
            col(LibraryIndicator.id).in_(
                text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_query")
                .bindparams(fts_query=expression)
                .columns(column("rowid", Integer))
            )
        )
    else:
        short_words = words
    # search_text is stored lower-cased, so a plain LIKE is case-insensitive beyond ASCII too.
    conditions += [document.like(_like_pattern(word), escape="\\") for word in short_words]
    return and_(*conditions)
