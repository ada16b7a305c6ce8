"""Writing imported answers: new rows only (survey + source key), in chunks, one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from psycopg.errors import UniqueViolation
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from workbench.core.errors import Conflict
from workbench.core.timeutil import CST, utcnow
from workbench.surveys.imports import ParsedResponse
from workbench.surveys.models import Channel, Survey, SurveyResponse, mark_answers_changed

CHUNK = 2000
# pg_advisory_xact_lock(space, survey id): the key space of survey imports (any fixed number).
IMPORT_LOCK = {"space": 1807}
Progress = Callable[[int], None]


def _stored_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """JSON has no Decimal: number answers are kept as exact text."""
    return {k: format(v, "f") if isinstance(v, Decimal) else v for k, v in answers.items()}


def _utc(value: datetime | None) -> datetime | None:
    """问卷星 times are Beijing time without a zone; stored as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=CST)
    return value.astimezone(UTC)


def _cut(value: Any, size: int) -> str | None:
    return None if value is None else str(value)[:size]


def _row(
    survey_id: int,
    key: str,
    r: ParsedResponse,
    channel: Channel,
    import_id: int | None,
    now: datetime,
) -> dict:
    return {
        "survey_id": survey_id,
        "source_key": key[:120],
        "channel": channel.value,
        "serial": r.serial,
        "submitted_at": _utc(r.submitted_at),
        "duration_seconds": r.duration_seconds,
        "ip": _cut(r.ip, 64),
        "ip_location": _cut(r.ip_location, 120),
        "origin": _cut(r.source, 200),
        "origin_detail": _cut(r.source_detail, 200),
        "answers": _stored_answers(r.answers),
        "missing": dict(r.missing),
        "other_text": dict(r.other_text),
        "extra": dict(r.extra),
        "import_id": import_id,
        "override_reason": "",
        "created_at": now,
    }


def write_responses(
    db: Session,
    *,
    survey: Survey,
    responses: Sequence[ParsedResponse],
    channel: Channel,
    import_id: int | None,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Insert the rows whose source key the survey does not hold yet; (imported, skipped)."""
    writer = ResponseWriter(db, survey=survey, channel=channel, import_id=import_id)
    for start in range(0, len(responses), CHUNK):
        writer.write(responses[start : start + CHUNK])
        if progress is not None:
            progress(writer.imported)
    writer.finish()
    return writer.imported, writer.skipped


class ResponseWriter:
    """Writes parsed rows chunk by chunk in the session's transaction, new source keys only.

    PostgreSQL takes the rows with COPY (psycopg 3) on the session's own connection; other
    databases get batched INSERTs. Memory does not grow with the rows written: the keys the
    survey already holds are looked up per chunk (only when it holds any).
    """

    def __init__(
        self,
        db: Session,
        *,
        survey: Survey,
        channel: Channel,
        import_id: int | None,
        use_copy: bool | None = None,
    ):
        self.db, self.survey, self.channel, self.import_id = db, survey, channel, import_id
        self.imported = self.skipped = 0
        self.now = utcnow()
        self._seen: dict[str, int] = {}
        dialect = db.get_bind().dialect
        if dialect.name == "postgresql":
            # Two imports into one survey take turns (till commit): the second then finds the
            # first's answers stored and skips them, where both would have written the same keys
            # and one been refused. Respondents' answers do not wait on this lock.
            db.execute(
                text("SELECT pg_advisory_xact_lock(:space, :survey)"),
                IMPORT_LOCK | {"survey": survey.id},
            )
        self._holds_answers = (
            db.exec(
                select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id).limit(1)
            ).first()
            is not None
        )
        self.copies = dialect.name == "postgresql" if use_copy is None else use_copy
        self._json = dialect._json_serializer or json.dumps  # what the INSERT path stores

    def write(self, responses: Sequence[ParsedResponse]) -> None:
        """Write one chunk's new rows (duplicates of stored answers are counted as skipped)."""
        keyed = []
        for r in responses:
            key = r.source_key
            if key.startswith("row:"):
                # Identical rows of a table without 序号 are different respondents: number them.
                self._seen[key] = self._seen.get(key, 0) + 1
                key = key if self._seen[key] == 1 else f"{key}#{self._seen[key]}"
            keyed.append((key[:120], r))
        stored = self._stored_keys([k for k, _ in keyed]) if self._holds_answers else set()
        rows = [
            _row(self.survey.id, key, r, self.channel, self.import_id, self.now)
            for key, r in keyed
            if key not in stored
        ]
        self.skipped += len(keyed) - len(rows)
        if not rows:
            return
        try:
            if self.copies:
                self._copy(rows)
            else:
                table = SurveyResponse.__table__
                for start in range(0, len(rows), CHUNK):
                    self.db.execute(insert(table), rows[start : start + CHUNK])
        except (IntegrityError, UniqueViolation):
            raise Conflict(
                "同一份答卷正被同时导入（可能有他人在导入同一文件），请刷新后查看"
            ) from None
        self.imported += len(rows)

    def finish(self) -> None:
        """After the last chunk: the survey's answers stamp moves (the rows bypassed the flush).

        Once, at the end, so that on PostgreSQL the survey row is locked from here to the commit
        rather than through a long import (a respondent's answer waits on that lock).
        """
        if self.imported:
            mark_answers_changed(self.db, [self.survey.id])

    def _stored_keys(self, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            found.update(
                self.db.exec(
                    select(SurveyResponse.source_key).where(
                        SurveyResponse.survey_id == self.survey.id,
                        SurveyResponse.source_key.in_(keys[start : start + 500]),
                    )
                ).all()
            )
        return found

    def _copy(self, rows: list[dict]) -> None:
        """COPY on the session's connection (same transaction); values as the INSERT sends them."""
        connection = self.db.connection()
        raw = connection.connection.driver_connection
        zone = _session_zone(raw)
        jsons = {"answers", "missing", "other_text", "extra"}
        names = list(rows[0])
        sql = f"COPY survey_response ({', '.join(names)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(
                    [
                        self._json(value)
                        if name in jsons
                        else _wall_time(value, zone)
                        if isinstance(value, datetime)
                        else value
                        for name, value in row.items()
                    ]
                )


def _session_zone(raw: Any) -> ZoneInfo:
    """The connection's TimeZone: an aware datetime becomes this zone's wall time when
    PostgreSQL stores it in a `timestamp without time zone` column, as the INSERT path does."""
    name = raw.info.parameter_status("TimeZone") or "UTC"
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return ZoneInfo("UTC")


def _wall_time(value: datetime, zone: ZoneInfo) -> datetime:
    return value if value.tzinfo is None else value.astimezone(zone).replace(tzinfo=None)
