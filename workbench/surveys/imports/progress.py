"""Whether a running survey import still shows life: the progress its worker publishes, and when
it was last heard of. The confirming request (service.py) and the job (jobs.py) both read
this, so it sits below them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from workbench.core import job_rows
from workbench.core.timeutil import utcnow
from workbench.surveys.models import ImportStatus, SurveyImport

SILENT = timedelta(minutes=30)  # no sign of life for this long: the import was interrupted


def progress_name(job_id: int) -> str:
    """The key under which the import's worker publishes its progress."""
    return f"survey-import:{job_id}"


def progress_of(job_id: int) -> dict[str, Any] | None:
    """{stage, done, total} of a running import, as its worker last said, from any process."""
    return job_rows.progress(progress_name(job_id))


def last_sign(job: SurveyImport) -> datetime | None:
    """When the running import last showed life: queued, an attempt begun, progress reported."""
    found = progress_of(job.id)
    said = utcnow() - timedelta(seconds=found["age"]) if found else None
    times = [t if t.tzinfo else t.replace(tzinfo=UTC)
             for t in (job.started_at, job.next_attempt_at, said) if t]  # fmt: skip
    return max(times) if times else None


def stale(job: SurveyImport, now: datetime | None = None) -> bool:
    """A running import with no sign of life for 30 minutes was interrupted (nothing was written)."""
    if job.status != ImportStatus.running:
        return False
    sign = last_sign(job)
    return sign is None or (now or utcnow()) - sign > SILENT
