"""The last door before the database: no flush stores text holding a character no text may hold.

Forms, the API and the public survey catch these characters earlier (a field error, a 422, silent
removal); this guard covers every other way in: views that read request.form themselves,
imports, the command line. On PostgreSQL a NUL would otherwise fail the statement (a 500); on
SQLite it would be stored and break the .docx/.xlsx written from it later.
"""

from __future__ import annotations

from sqlalchemy import String, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from workbench.core.errors import ValidationFailed
from workbench.core.hygiene import ILLEGAL_MESSAGE, has_illegal

MESSAGE = f"提交的内容{ILLEGAL_MESSAGE}，未保存"


def is_text(type_) -> bool:
    """Whether a column type stores text (SQLModel's AutoString decorates String)."""
    return isinstance(type_.impl if isinstance(type_, TypeDecorator) else type_, String)


def _refuse_illegal_text(session: Session, _flush_context, _instances) -> None:
    for obj in (*session.new, *session.dirty):
        state = sa_inspect(obj)
        loaded = state.dict  # only values already in memory: checking must not load rows
        for attr in state.mapper.column_attrs:
            value = loaded.get(attr.key)
            if isinstance(value, str) and is_text(attr.columns[0].type) and has_illegal(value):
                raise ValidationFailed(
                    MESSAGE, details=[{"field": attr.key, "message": ILLEGAL_MESSAGE}]
                )


def install() -> None:
    """Check every flush of every session (idempotent: one listener per process)."""
    if not event.contains(Session, "before_flush", _refuse_illegal_text):
        event.listen(Session, "before_flush", _refuse_illegal_text)
