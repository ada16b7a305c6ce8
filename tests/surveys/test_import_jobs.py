"""A large import as a queued job: retried after a transient fault, queued again by the sweep
when its worker was lost, interrupted when no worker answers; its progress read from the queue."""

from datetime import timedelta

from sqlalchemy.exc import OperationalError

from tests.surveys.helpers import FILES, count_responses, make_survey, sample
from tests.surveys.test_imports_http import base, job_of, upload
from workbench.core import job_rows
from workbench.core.timeutil import utcnow
from workbench.surveys.imports import jobs as import_jobs
from workbench.surveys.imports import progress as import_progress
from workbench.surveys.imports import service as imports_service
from workbench.surveys.models import SurveyImport


def _confirmed(app, login, db, demo, monkeypatch) -> tuple[object, SurveyImport]:
    monkeypatch.setitem(app.config, "SURVEY_IMPORT_BACKGROUND_ROWS", 1)
    client = login("demo-evaluator")
    survey = make_survey(db, demo)
    upload(client, demo, survey, sample(FILES[2]), FILES[2])
    job = job_of(db, survey)
    client.post(f"{base(demo, survey)}/imports/{job.id}/confirm", data={})
    return survey, job_of(db, survey)


def test_a_transient_fault_is_retried_and_the_import_done_once(
    app, login, db, demo, monkeypatch, run_jobs
):
    survey, job = _confirmed(app, login, db, demo, monkeypatch)
    assert import_progress.progress_of(job.id)["stage"] == "queued"
    real, calls = imports_service.import_rows, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT …", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(imports_service, "import_rows", flaky)
    assert run_jobs() == 2  # the retry is due at once in tests
    done = db.get(SurveyImport, job.id)
    assert (done.status, done.attempts, done.imported) == ("done", 2, 240)
    assert count_responses(db, survey) == 240 and import_progress.progress_of(job.id) is None


def test_a_lost_import_is_queued_again_by_the_sweep(
    app, ctx, login, db, demo, monkeypatch, run_jobs
):
    survey, job = _confirmed(app, login, db, demo, monkeypatch)
    assert job_rows.claim(SurveyImport, job.id, open_statuses=import_jobs.OPEN) == 1
    db.refresh(job)
    assert not imports_service.stale(job)  # a worker holds it
    job.started_at = utcnow() - timedelta(seconds=app.config["JOB_TIME_LIMIT"] + 1)
    db.add(job)
    db.flush()  # ...and was killed
    import_jobs.sweep.call_local()
    assert run_jobs() == 2  # what the page queued (now held by nobody) and what the sweep queued
    done = db.get(SurveyImport, job.id)
    assert (done.status, done.attempts) == ("done", 2) and count_responses(db, survey) == 240


def test_an_import_no_worker_takes_shows_as_interrupted(app, ctx, login, db, demo, monkeypatch):
    _survey, job = _confirmed(app, login, db, demo, monkeypatch)
    assert job.status == "running" and not imports_service.stale(job)
    later = utcnow() + import_progress.SILENT + timedelta(minutes=1)
    assert imports_service.stale(job, now=later)
