"""Large imports are a queued job, so the page shows their progress while they run.

The job reads the file chunk by chunk (20,000 rows), parsing each and writing its new rows in ONE
transaction (a savepoint rolled back if any row has a problem, so nothing is written then).
Progress (rows read of the total) is published in the queue's key-value storage
(core/job_rows.put_progress): the queue's own SQLite file in the embedded mode, so it never waits
for the database's single writer that the import holds, and Redis on a cluster, so the page shows
it whichever process or node serves it. The import row records the outcome.

A worker killed mid-import rolls its transaction back: nothing half-written remains. The sweep
queues the import again once its attempt is past the time limit (JOB_TIME_LIMIT); a database that
is briefly away is retried with backoff; a problem in the file fails the import at once, with the
rows at fault. An import silent for long (no worker at all) shows as interrupted and can be
confirmed again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask
from huey import crontab
from sqlmodel import Session

from workbench import db
from workbench.accounts.models import User
from workbench.core import job_rows, jobs
from workbench.core.errors import DomainError, ValidationFailed
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.surveys.design.questionnaire import questions_of
from workbench.surveys.imports import ImportIssue, service
from workbench.surveys.imports.progress import progress_name
from workbench.surveys.models import ImportStatus, Survey, SurveyImport

log = logging.getLogger(__name__)
OPEN = (ImportStatus.running.value,)
INTERNAL = "导入时发生内部错误，未写入任何答卷，请重试或联系管理员"


def background_threshold(app: Flask) -> int:
    """Files with at least this many rows are imported in the background."""
    return int(app.config.get("SURVEY_IMPORT_BACKGROUND_ROWS", 5000))


def start(
    session: Session, *, job: SurveyImport, values: Mapping[int, str] | None, actor: User
) -> None:
    """In the confirming request (claimed already): mark the import running and queue it for
    when the request commits."""
    job.status = ImportStatus.running.value
    job.attempts, job.started_at, job.next_attempt_at = 0, None, utcnow()
    job.finished_at = None
    job.processed = 0
    job.errors = []
    job.mapping = {**(job.mapping or {}), "confirmed_by": actor.id}
    if values is not None:
        job.mapping["edited"] = {str(k): v for k, v in values.items()}
    session.add(job)
    session.flush()
    job_rows.put_progress(progress_name(job.id), stage="queued", done=0, total=job.row_count)
    jobs.enqueue_after_commit(session, import_survey, job.id)


def _fail(job_id: int, errors: list[dict]) -> None:
    with db.session_scope() as session:
        job = session.get(SurveyImport, job_id)
        if job is not None and job.status in OPEN:
            job_rows.finish(
                session, SurveyImport, job_id, None, status=ImportStatus.failed.value,
                errors=errors[:200],
            )  # fmt: skip


def _message(text: str) -> list[dict]:
    return [ImportIssue(text, row=None, column=None).as_dict()]


def run(job_id: int, attempt: int | None = None) -> None:
    """Parse and write chunk by chunk in one transaction; the outcome lands on the import row."""

    name = progress_name(job_id)
    with db.session_scope() as session:
        job = session.get(SurveyImport, job_id)
        if job is None or job.status not in OPEN:
            return
        survey = session.get(Survey, job.survey_id)
        edited = (job.mapping or {}).get("edited")
        values = {int(k): v for k, v in edited.items()} if edited else None
        actor_id = (job.mapping or {}).get("confirmed_by") or job.created_by_id
        job_rows.put_progress(name, stage="parse", done=0, total=job.row_count)
        stream = service.job_stream(job)
        mapping = service.edited_mapping(job, questions_of(survey), stream.head, values)
        if mapping.errors:
            raise ValidationFailed("文件有误", details=mapping.errors)
        job.mapping = mapping.to_dict()

        def report(done: int) -> None:
            job_rows.put_progress(name, stage="write", done=done, total=job.row_count)
            jobs.fault_pause("import")

        service.import_rows(
            session,
            actor=session.get(User, actor_id),
            engagement=session.get(Engagement, survey.engagement_id),
            survey=survey,
            job=job,
            stream=stream,
            mapping=mapping,
            progress=report,
        )
        job_rows.finish(session, SurveyImport, job_id, attempt)


@jobs.job()
def import_survey(job_id: int) -> None:
    """The queued job: claim an attempt, import; retry a transient fault later."""
    attempt = job_rows.claim(SurveyImport, job_id, open_statuses=OPEN)
    if attempt is None:
        return
    if attempt > job_rows.max_attempts():
        _fail(job_id, _message("导入多次中断（超时或进程退出），未写入任何答卷，请重试"))
        return
    keep_progress = False  # a retry, or a newer attempt, still reports it
    try:
        run(job_id, attempt)
    except job_rows.Superseded:
        keep_progress = True
        log.warning("survey import %s: attempt %s ran past the time limit", job_id, attempt)
    except ValidationFailed as error:
        _fail(job_id, [d.as_dict() for d in error.details] or _message(error.message))
    except DomainError as error:
        _fail(job_id, _message(error.message))
    except jobs.TRANSIENT as error:
        wait = job_rows.retry_later(SurveyImport, job_id, attempt)
        if wait is None:
            _fail(job_id, _message("数据库暂时不可用，多次尝试未能导入，未写入任何答卷，请重试"))
        else:
            log.warning("survey import %s: %r, retry in %ss", job_id, error, wait)
            keep_progress = True
            import_survey.schedule((job_id,), delay=wait)
    except Exception:  # the page must say the import failed, not spin forever
        log.exception("survey import %s failed", job_id)
        _fail(job_id, _message(INTERNAL))
    finally:
        if not keep_progress:
            job_rows.drop_progress(progress_name(job_id))


@jobs.periodic(crontab(minute="*"), at_start=True)
def sweep() -> None:
    """Every minute in the worker, and as it starts: queue again what a killed worker lost."""
    for job_id in job_rows.lost_ids(SurveyImport, open_statuses=OPEN):
        import_survey(job_id)
