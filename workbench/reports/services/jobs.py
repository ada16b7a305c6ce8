"""Background work on documents for the pages: generating one, converting a version to PDF.

The request writes a job row (GenerationJob) and the job is queued when the request commits; the
queue's worker (`workbench serve`'s own, or `workbench worker` processes) renders the document and
stores it, in one transaction with the job's completion, so a version row never exists without
its file, and a job run twice makes one version. The page polls the job. Claims, retries with
backoff (a database that is briefly away, LibreOffice crashing or timing out), the time limit and
the sweep that queues again what a killed worker lost are workbench/core/job_rows.py's; a refusal
(the engagement not ready, no LibreOffice) is the job's outcome at once, with its message.

The API generates synchronously (it returns the file).
"""

from __future__ import annotations

import logging

from huey import crontab
from sqlmodel import Session, col, select

from workbench import db as database
from workbench.accounts.models import User
from workbench.core import audit, job_rows, jobs
from workbench.core.errors import DomainError, NotFound, ValidationFailed
from workbench.core.permissions import authorize
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared
from workbench.reports.models import KIND_NAMES, PDF_JOB, DeliverableVersion, GenerationJob
from workbench.reports.services import generation

log = logging.getLogger(__name__)
OPEN = ("pending",)
INTERNAL = "生成失败（服务器内部错误），请重试"
PAGE_KINDS = ("plan", "report", "score_sheet", "opinion_table")


def request_generation(
    db: Session, *, actor: User, engagement: Engagement, kind: str, label: str = ""
) -> GenerationJob:
    """Check what can be checked now and queue the generation."""
    ensure_writable(engagement)
    authorize(actor, "engagement.team", engagement, message="只有本项目工作组成员可以生成成果文件")
    require_cleared(db, engagement, actor)
    if kind not in PAGE_KINDS:
        raise NotFound(f"没有“{kind}”这种可在页面生成的成果文件")
    label = (label or "").strip()
    if label and label not in generation.LABELS:
        raise ValidationFailed(
            "版本说明无效",
            details=[{"field": "label", "message": f"请选择：{'、'.join(generation.LABELS)}"}],
        )
    job = GenerationJob(
        engagement_id=engagement.id, kind=kind, label=label, requested_by_id=actor.id
    )
    db.add(job)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="deliverable.request",
        obj=job,
        engagement_id=engagement.id,
        after={"kind": kind, "label": label},
        summary=f"申请生成{KIND_NAMES.get(kind, kind)}{label}",
    )
    jobs.enqueue_after_commit(db, report_job, job.id)
    return job


def request_pdf(
    db: Session, *, actor: User, engagement: Engagement, version: DeliverableVersion
) -> GenerationJob:
    """Mark the version for conversion and queue the conversion."""
    generation.request_pdf(db, actor=actor, engagement=engagement, version=version)
    job = GenerationJob(
        engagement_id=engagement.id, kind=PDF_JOB, version_id=version.id, requested_by_id=actor.id
    )
    db.add(job)
    db.flush()
    jobs.enqueue_after_commit(db, report_job, job.id)
    return job


def _message(error: DomainError) -> str:
    details = "；".join(d if isinstance(d, str) else d.get("message", "") for d in error.details)
    return (error.message + (f"：{details}" if details else ""))[:1000]


def run_generation(db: Session, *, job_id: int, attempt: int | None = None) -> GenerationJob | None:
    """Render the job's document as its requester; a refusal is kept as the job's error.

    `attempt` is the claimed attempt (None: no claim, as in a test): the version is kept only if
    that attempt still holds the job (job_rows.Superseded otherwise, which rolls it back).
    """
    job = db.get(GenerationJob, job_id)
    if job is None or job.status not in OPEN:
        return job
    if job.kind == PDF_JOB:
        return _run_pdf(db, job, attempt)
    engagement = db.get(Engagement, job.engagement_id)
    actor = db.get(User, job.requested_by_id)
    jobs.fault_pause("generation")
    try:
        with db.begin_nested():
            version = generation.generate(
                db, actor=actor, engagement=engagement, kind=job.kind, label=job.label
            )
    except DomainError as error:
        job_rows.finish(db, GenerationJob, job_id, attempt, status="failed", error=_message(error))
    else:
        job_rows.finish(db, GenerationJob, job_id, attempt, status="done", version_id=version.id)
    db.refresh(job)
    return job


def _run_pdf(db: Session, job: GenerationJob, attempt: int | None) -> GenerationJob:
    """Convert the job's version (LibreOffice crashing or timing out raises jobs.Transient)."""
    version = generation.run_pdf(db, version_id=job.version_id, actor_id=job.requested_by_id)
    failed = version is None or version.pdf_status == "failed"
    outcome = {"status": "failed", "error": version.pdf_error if version else "版本不存在"}
    job_rows.finish(
        db, GenerationJob, job.id, attempt, **(outcome if failed else {"status": "done"})
    )
    db.refresh(job)
    return job


def fail(db: Session, *, job_id: int, message: str = INTERNAL) -> None:
    """Record that a job could not be done, so that the polling page stops and says so."""
    job = db.get(GenerationJob, job_id)
    if job is None or job.status not in OPEN:
        return
    job_rows.finish(db, GenerationJob, job_id, None, status="failed", error=message[:1000])
    if job.kind == PDF_JOB and job.version_id is not None:
        generation.fail_pdf(db, version_id=job.version_id, message=message)


def _fail(job_id: int, message: str) -> None:
    with database.session_scope() as db:
        fail(db, job_id=job_id, message=message)


@jobs.job()
def report_job(job_id: int) -> None:
    """The queued job: claim an attempt, do the work; retry a transient fault later."""
    attempt = job_rows.claim(GenerationJob, job_id, open_statuses=OPEN)
    if attempt is None:
        return
    if attempt > job_rows.max_attempts():
        _fail(job_id, "后台任务多次中断（超时或进程退出），请重试")
        return
    try:
        with database.session_scope() as db:
            run_generation(db, job_id=job_id, attempt=attempt)
    except job_rows.Superseded:
        log.warning("report job %s: attempt %s ran past the time limit, dropped", job_id, attempt)
    except jobs.TRANSIENT as error:
        wait = job_rows.retry_later(GenerationJob, job_id, attempt)
        if wait is None:
            _fail(job_id, f"多次尝试仍失败：{_transient_reason(error)}")
        else:
            log.warning("report job %s: %r, retry in %ss", job_id, error, wait)
            report_job.schedule((job_id,), delay=wait)
    except Exception:
        log.exception("report job %s failed", job_id)
        _fail(job_id, INTERNAL)


def _transient_reason(error: BaseException) -> str:
    if isinstance(error, jobs.Transient):
        return str(error)
    return "数据库或网络暂时不可用"


@jobs.periodic(crontab(minute="*"), at_start=True)
def sweep() -> None:
    """Every minute in the worker, and as it starts: queue again what a killed worker lost."""
    for job_id in job_rows.lost_ids(GenerationJob, open_statuses=OPEN):
        report_job(job_id)


def get_job(db: Session, engagement: Engagement, job_id: int) -> GenerationJob:
    job = db.get(GenerationJob, job_id)
    if job is None or job.engagement_id != engagement.id:
        raise NotFound("生成任务不存在")
    return job


def open_jobs(db: Session, engagement: Engagement, kinds: tuple[str, ...]) -> list[GenerationJob]:
    """Jobs still running, and the failures of the last ones, for the page's status area."""
    rows = db.exec(
        select(GenerationJob)
        .where(GenerationJob.engagement_id == engagement.id, col(GenerationJob.kind).in_(kinds))
        .order_by(col(GenerationJob.id).desc())
        .limit(5)
    ).all()
    return [j for j in rows if j.running or (j.status == "failed" and j is rows[0])]
