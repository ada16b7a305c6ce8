"""clean text holding characters no text may hold (NUL, C0 controls, U+FFFE/U+FFFF, surrogates)

Since this revision forms, the API and the public survey refuse or strip these characters before
they are stored; rows written before may still hold some, and every .docx/.xlsx written from them
would break. Every text column of every table (and every JSON column, whose strings end up in the
same documents) is cleaned in place, on SQLite and PostgreSQL. No audit entry is written: nobody
changed the content, it is made readable.

Revision ID: 202612061615_clean_text
Revises: 202611282000_surveys
Create Date: 2026-12-06 16:15:00
"""

import json
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "202612061615_clean_text"
down_revision: str | None = "202611282000_surveys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy of workbench.core.hygiene.ILLEGAL as it is today: a migration must not change meaning
# when the application's rule does later.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# PostgreSQL text holds neither NUL nor surrogates; its regular expressions read these escapes.
PG_ILLEGAL = r"[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
# How json.dumps writes the characters above (ensure_ascii): where a JSON cell may hold one.
JSON_ESCAPES = ("\\u000", "\\u001", "\\ud8", "\\ud9", "\\uda", "\\udb", "\\udc", "\\udd")
JSON_ESCAPES += ("\\ude", "\\udf", "\\ufffe", "\\uffff")


def _clean(value):
    """The value with every string in it cleaned (JSON cells hold lists and dicts)."""
    if isinstance(value, str):
        return ILLEGAL.sub("", value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {_clean(key): _clean(item) for key, item in value.items()}
    return value


def _has_illegal(value) -> int:
    return int(isinstance(value, str) and ILLEGAL.search(value) is not None)


def _tables(bind) -> list[sa.Table]:
    """The tables as they are at this revision (reflected, not today's models)."""
    metadata = sa.MetaData()
    metadata.reflect(bind)
    return [t for t in metadata.sorted_tables if t.name != "alembic_version"]


def _clean_text_columns(bind, table: sa.Table) -> None:
    for column in table.columns:
        if not isinstance(column.type, sa.String):
            continue
        if bind.dialect.name == "postgresql":
            has = column.regexp_match(PG_ILLEGAL)
            cleaned = sa.func.regexp_replace(column, PG_ILLEGAL, "", "g")
        else:  # SQLite: the Python functions registered in upgrade()
            has = sa.func.wb_has_illegal(column) == 1
            cleaned = sa.func.wb_strip_illegal(column)
        bind.execute(sa.update(table).where(has).values({column.name: cleaned}))


def _clean_json_columns(bind, table: sa.Table) -> None:
    keys = list(table.primary_key.columns)
    if len(keys) != 1:  # no table of this schema holds JSON without a single-column key
        return
    key = keys[0]
    for column in table.columns:
        if not isinstance(column.type, sa.JSON):
            continue
        text = sa.cast(column, sa.Text)
        maybe = sa.or_(*(text.contains(escape, autoescape=True) for escape in JSON_ESCAPES))
        rows = bind.execute(sa.select(key, text).where(maybe)).all()
        for row_id, raw in rows:
            value = json.loads(raw)
            cleaned = _clean(value)
            if cleaned != value:
                bind.execute(sa.update(table).where(key == row_id).values({column.name: cleaned}))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        raw = bind.connection.driver_connection
        raw.create_function("wb_has_illegal", 1, _has_illegal, deterministic=True)
        raw.create_function("wb_strip_illegal", 1, _clean, deterministic=True)
    for table in _tables(bind):
        _clean_text_columns(bind, table)
        _clean_json_columns(bind, table)


def downgrade() -> None:
    # Nothing to undo: the removed characters were never valid text, cannot be told apart from
    # one another afterwards, and the schema is unchanged.
    pass
