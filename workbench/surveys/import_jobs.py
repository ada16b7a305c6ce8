"""Large imports run in a background thread so the page can show progress while they run.

The thread reads the file chunk by chunk (20,000 rows), parsing each and writing its new rows in
ONE transaction (a savepoint rolled back if any row has a problem, so nothing is written then).
Progress (rows read) lives in this process (`PROGRESS`) and, on PostgreSQL, also in the
import row through a separate short transaction per chunk; SQLite allows one writer at a time,
so there the row only changes when the import starts and ends. An import whose thread died
(the process was restarted) is detected as stale and can simply be confirmed again: its single
transaction was rolled back, so nothing half-written remains.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from flask import Flask
from sqlalchemy import update

from workbench import db
from workbench.accounts.models import User
from workbench.core.errors import DomainError, ValidationFailed
from workbench.core.timeutil import utcnow
from workbench.db import BIND_KEY
from workbench.engagements.models import Engagement
from workbench.surveys.models import ImportStatus, Survey, SurveyImport

log = logging.getLogger(__name__)
PROGRESS: dict[int, dict[str, Any]] = {}
_lock = threading.Lock()


def is_active(job_id: int | None) -> bool:
    with _lock:
        return job_id in PROGRESS


def progress_of(job_id: int) -> dict[str, Any] | None:
    """{stage, done, total} of an import running in this process."""
    with _lock:
        found = PROGRESS.get(job_id)
        return dict(found) if found else None


def _set(job_id: int, **values: Any) -> None:
    with _lock:
        PROGRESS.setdefault(job_id, {"stage": "parse", "done": 0, "total": 0}).update(values)


def background_threshold(app: Flask) -> int:
    """Files with at least this many rows are imported in the background."""
    return int(app.config.get("SURVEY_IMPORT_BACKGROUND_ROWS", 5000))


def mark_running(job: SurveyImport, values: Mapping[int, str] | None) -> None:
    """In the confirming request: the import is claimed; the thread starts after the commit."""
    job.status = ImportStatus.running.value
    job.started_at = utcnow()
    job.finished_at = None
    job.processed = 0
    job.errors = []
    if values is not None:
        job.mapping = {**(job.mapping or {}), "edited": {str(k): v for k, v in values.items()}}
    _set(job.id, stage="queued", total=job.row_count)


def start(app: Flask, job_id: int, actor_id: int) -> threading.Thread:
    """Run the import of `job_id` in a daemon thread (call once the claim is committed)."""
    thread = threading.Thread(
        target=run, args=(app, job_id, actor_id), name=f"survey-import-{job_id}", daemon=True
    )
    thread.start()
    return thread


def _report(app: Flask, job_id: int, done: int) -> None:
    _set(job_id, stage="write", done=done)
    engine = db.engine()
    if engine.dialect.name == "sqlite" or app.extensions.get(BIND_KEY) is not None:
        return  # one writer at a time: the row is updated when the import ends
    with engine.begin() as connection:
        connection.execute(
            update(SurveyImport.__table__).where(SurveyImport.id == job_id).values(processed=done)
        )


def _fail(job_id: int, errors: list[dict]) -> None:
    with db.session_scope() as session:
        job = session.get(SurveyImport, job_id)
        if job is not None:
            job.status = ImportStatus.failed.value
            job.errors = errors[:200]
            job.finished_at = utcnow()
            session.add(job)


def run(app: Flask, job_id: int, actor_id: int) -> None:
    """Parse and write chunk by chunk in one transaction; the outcome (or the errors) lands on
    the import row."""
    from workbench.surveys.imports_service import edited_mapping, import_rows, job_stream
    from workbench.surveys.questionnaire import questions_of

    with app.app_context():
        try:
            with db.session_scope() as session:
                job = session.get(SurveyImport, job_id)
                survey = session.get(Survey, job.survey_id)
                edited = (job.mapping or {}).get("edited")
                values = {int(k): v for k, v in edited.items()} if edited else None
                _set(job_id, stage="parse", total=job.row_count)
                stream = job_stream(job)
                mapping = edited_mapping(job, questions_of(survey), stream.head, values)
                if mapping.errors:
                    raise ValidationFailed("文件有误", details=[dict(e) for e in mapping.errors])
                job.mapping = mapping.to_dict()
                import_rows(
                    session,
                    actor=session.get(User, actor_id),
                    engagement=session.get(Engagement, survey.engagement_id),
                    survey=survey,
                    job=job,
                    stream=stream,
                    mapping=mapping,
                    progress=lambda done: _report(app, job_id, done),
                )
        except ValidationFailed as error:
            details = [dict(d) for d in error.details or []]
            _fail(job_id, details or [{"row": None, "column": None, "message": error.message}])
        except DomainError as error:
            _fail(job_id, [{"row": None, "column": None, "message": error.message}])
        except Exception:  # the page must say the import failed, not spin forever
            log.exception("survey import %s failed", job_id)
            _fail(
                job_id,
                [
                    {
                        "row": None,
                        "column": None,
                        "message": "导入时发生内部错误，未写入任何答卷，请重试或联系管理员",
                    }
                ],
            )
        finally:
            with _lock:
                PROGRESS.pop(job_id, None)
