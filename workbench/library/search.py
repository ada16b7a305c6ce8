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

A term of two or more Latin letters is also looked for, with LIKE, in `search_pinyin` (the pinyin
initials and full pinyin of the name and tags, stored with the content: see pinyin.py): "ybjj",
"yb" and "yibao" find 医保基金…. The column is short, so a scan of it stays cheap on SQLite.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import Integer, and_, column, or_, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from workbench import db as database
from workbench.library import pinyin
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
    # Remembered for the session once seen: a browse page builds the search condition per facet.
    if db.info.get(FTS_TABLE):
        return True
    found = (
        db.exec(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
            params={"name": FTS_TABLE},
        ).first()
        is not None
    )
    db.info[FTS_TABLE] = found
    return found


def drop_search_index(db: Session) -> None:
    """Remove the SQLite FTS5 table and triggers (tests, and before a downgrade)."""
    if db.get_bind().dialect.name != "sqlite":
        return
    db.info.pop(FTS_TABLE, None)
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
    """A WHERE clause matching every term in name, definition or tags; None for no terms.

    A term of Latin letters ("ybjj", "yibao") also matches the pinyin of the name and tags.
    """
    words = terms(query)
    if not words:
        return None
    document = col(LibraryIndicator.search_text)
    if db.get_bind().dialect.name == "postgresql":
        # search_text and the terms are both lower-cased, so LIKE finds what ILIKE would, through
        # the same trigram index, without folding the case of every character it scans.
        return and_(
            *(_or_pinyin(word, document.like(_like_pattern(word), escape="\\")) for word in words)
        )
    use_fts = _index_answers(db) if any(len(word) >= TRIGRAM for word in words) else False
    conditions: list[ColumnElement[bool]] = []
    for word in words:
        if use_fts and len(word) >= TRIGRAM:
            name = f"fts_{len(conditions)}"  # one parameter per term
            in_text = col(LibraryIndicator.id).in_(
                text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :{name}")
                .bindparams(**{name: _fts_phrase(word)})
                .columns(column("rowid", Integer))
            )
        else:
            # search_text is stored lower-cased, so a plain LIKE is case-insensitive beyond ASCII.
            in_text = document.like(_like_pattern(word), escape="\\")
        conditions.append(_or_pinyin(word, in_text))
    return and_(*conditions)


def _or_pinyin(word: str, in_text: ColumnElement[bool]) -> ColumnElement[bool]:
    """The text condition, or also the pinyin one when the term may be pinyin."""
    if not pinyin.is_pinyin_term(word):
        return in_text
    in_pinyin = col(LibraryIndicator.search_pinyin).like(_like_pattern(word), escape="\\")
    return or_(in_text, in_pinyin)
