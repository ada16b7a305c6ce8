"""Background generation for the pages: a job row is written and committed with the request, the document is
rendered by a thread with its own session, and the page polls the job.

The API generates synchronously (it returns the file); pages would otherwise wait 1–2 s on a
cold process (charts), so they show "正在生成…" and reload when the job is done.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import DomainError, NotFound, ValidationFailed
from workbench.core.permissions import authorize
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import ensure_writable, require_cleared
from workbench.reports import services
from workbench.reports.models import KIND_NAMES, GenerationJob

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
    if label and label not in services.LABELS:
        raise ValidationFailed(
            "版本说明无效",
            details=[{"field": "label", "message": f"请选择：{'、'.join(services.LABELS)}"}],
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
    return job


def run_generation(db: Session, *, job_id: int) -> GenerationJob | None:
    """Render the job's document as its requester; a refusal is kept as the job's error."""
    job = db.get(GenerationJob, job_id)
    if job is None or job.status != "pending":
        return job
    engagement = db.get(Engagement, job.engagement_id)
    actor = db.get(User, job.requested_by_id)
    try:
        with db.begin_nested():
            version = services.generate(
                db, actor=actor, engagement=engagement, kind=job.kind, label=job.label
            )
    except DomainError as error:
        details = "；".join(
            d if isinstance(d, str) else d.get("message", "") for d in error.details
        )
        job.status, job.error = (
            "failed",
            (error.message + (f"：{details}" if details else ""))[:1000],
        )
    else:
        job.status, job.version_id = "done", version.id
    job.finished_at = utcnow()
    db.add(job)
    db.flush()
    return job


def fail(db: Session, *, job_id: int, message: str = "生成失败（服务器内部错误），请重试") -> None:
    """Record that a job's worker died, so that the polling page stops and says so."""
    job = db.get(GenerationJob, job_id)
    if job is not None and job.status == "pending":
        job.status, job.error, job.finished_at = "failed", message, utcnow()
        db.add(job)


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
