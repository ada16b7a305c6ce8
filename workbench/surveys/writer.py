"""Writing imported answers: new rows only (survey + source key), in chunks, one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from workbench.core.errors import Conflict
from workbench.core.timeutil import CST, utcnow
from workbench.surveys.imports import ParsedResponse
from workbench.surveys.models import Channel, Survey, SurveyResponse

CHUNK = 2000
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
    existing = set(
        db.exec(
            select(SurveyResponse.source_key).where(SurveyResponse.survey_id == survey.id)
        ).all()
    )
    seen: dict[str, int] = {}
    rows, skipped = [], 0
    now = utcnow()
    for r in responses:
        key = r.source_key
        if key.startswith("row:"):
            # Identical rows of a table without 序号 are different respondents: number them.
            seen[key] = seen.get(key, 0) + 1
            key = key if seen[key] == 1 else f"{key}#{seen[key]}"
        if key in existing:
            skipped += 1
            continue
        existing.add(key)
        rows.append(_row(survey.id, key, r, channel, import_id, now))
    table = SurveyResponse.__table__
    try:
        for start in range(0, len(rows), CHUNK):
            db.execute(insert(table), rows[start : start + CHUNK])
            if progress is not None:
                progress(min(start + CHUNK, len(rows)))
    except IntegrityError:
        raise Conflict("同一份答卷正被同时导入（可能有他人在导入同一文件），请刷新后查看") from None
    db.flush()
    return len(rows), skipped
