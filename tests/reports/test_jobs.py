"""Report jobs on the queue: queued when the request commits, claimed once, retried after a
transient fault, swept when their worker was lost, and never making a second version."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from workbench.core import job_rows, jobs
from workbench.core.timeutil import utcnow
from workbench.reports.models import DeliverableVersion, GenerationJob
from workbench.reports.services import generation
from workbench.reports.services import jobs as report_jobs


def _url(demo, tail: str) -> str:
    return f"/engagements/{demo.engagement.id}{tail}"


def _versions(db, demo) -> list[DeliverableVersion]:
    return list(
        db.exec(
            select(DeliverableVersion).where(
                DeliverableVersion.engagement_id == demo.engagement.id,
                DeliverableVersion.kind == "score_sheet",
            )
        ).all()
    )


def _requested(db, demo) -> GenerationJob:
    job = report_jobs.request_generation(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, kind="score_sheet"
    )
    db.flush()
    return job


def test_the_page_queues_the_job_when_its_request_commits(ctx, db, demo, login, run_jobs):
    client = login("demo-lead")
    assert jobs.run_pending() == 0
    client.post(_url(demo, "/documents/score_sheet"))
    assert _versions(db, demo) == []
    assert run_jobs() == 1
    job = db.exec(select(GenerationJob)).one()
    assert (job.status, job.attempts, job.next_attempt_at) == ("done", 1, None)
    assert [v.id for v in _versions(db, demo)] == [job.version_id]
    report_jobs.report_job(job.id)  # queued twice (the sweep and a retry): the second does nothing
    assert run_jobs() == 1 and len(_versions(db, demo)) == 1


def test_a_refused_request_queues_nothing(ctx, db, demo, login, run_jobs):
    client = login("demo-unit")
    assert client.post(_url(demo, "/documents/score_sheet")).status_code in (403, 404)
    assert run_jobs() == 0 and db.exec(select(GenerationJob)).all() == []


def test_a_transient_fault_is_retried_with_backoff(app, ctx, db, demo, monkeypatch, run_jobs):
    job = _requested(db, demo)
    real, calls = generation.generate, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT …", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(generation, "generate", flaky)
    monkeypatch.setitem(app.config, "JOB_RETRY_SECONDS", 30)
    report_jobs.report_job(job.id)
    assert run_jobs() == 1
    db.refresh(job)
    assert (job.status, job.attempts, job.started_at) == ("pending", 1, None)
    wait = (job.next_attempt_at - utcnow()).total_seconds()
    assert 25 < wait <= 30 and len(jobs.queue.scheduled()) == 1
    assert job_rows.claim(GenerationJob, job.id, open_statuses=("pending",)) is None  # not due
    monkeypatch.setitem(app.config, "JOB_RETRY_SECONDS", 0)
    job.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.add(job)
    db.flush()
    report_jobs.report_job(job.id)
    assert run_jobs() == 1
    db.refresh(job)
    assert (job.status, job.attempts) == ("done", 2) and len(_versions(db, demo)) == 1


def test_a_job_failing_every_time_gives_up_with_a_message(ctx, db, demo, monkeypatch, run_jobs):
    job = _requested(db, demo)

    def locked(*args, **kwargs):
        raise OperationalError("INSERT …", {}, Exception("database is locked"))

    monkeypatch.setattr(generation, "generate", locked)
    report_jobs.report_job(job.id)
    assert run_jobs() == 3  # JOB_MAX_ATTEMPTS, retried at once in tests
    db.refresh(job)
    assert job.status == "failed" and "多次尝试仍失败" in job.error and not job.running


def test_an_attempt_past_the_time_limit_is_swept_and_its_late_result_dropped(
    app, ctx, db, demo, run_jobs
):
    job = _requested(db, demo)
    assert job_rows.claim(GenerationJob, job.id, open_statuses=("pending",)) == 1
    assert job_rows.lost_ids(GenerationJob, open_statuses=("pending",)) == []
    db.refresh(job)
    job.started_at = utcnow() - timedelta(seconds=app.config["JOB_TIME_LIMIT"] + 1)
    db.add(job)
    db.flush()  # the worker was killed, or the attempt hangs
    assert job_rows.lost_ids(GenerationJob, open_statuses=("pending",)) == [job.id]
    report_jobs.sweep.call_local()
    assert job_rows.claim(GenerationJob, job.id, open_statuses=("pending",)) == 2
    # The first attempt ends late: its version is undone with it.
    with pytest.raises(job_rows.Superseded), jobs_scope() as session:
        report_jobs.run_generation(session, job_id=job.id, attempt=1)
    assert _versions(db, demo) == []
    with jobs_scope() as session:
        report_jobs.run_generation(session, job_id=job.id, attempt=2)
    db.refresh(job)
    assert job.status == "done" and [v.id for v in _versions(db, demo)] == [job.version_id]
    assert run_jobs() == 1  # what the sweep queued finds the job done
    assert len(_versions(db, demo)) == 1


def test_a_job_lost_too_often_fails(app, ctx, db, demo, run_jobs):
    job = _requested(db, demo)
    job.attempts = app.config["JOB_MAX_ATTEMPTS"]
    job.started_at = utcnow() - timedelta(seconds=app.config["JOB_TIME_LIMIT"] + 1)
    db.add(job)
    db.flush()
    report_jobs.sweep.call_local()
    assert run_jobs() == 1
    db.refresh(job)
    assert job.status == "failed" and "多次中断" in job.error and _versions(db, demo) == []


def jobs_scope():
    from workbench import db as database

    return database.session_scope()
