"""A 问卷星 import with the files in an S3 bucket: the uploaded file is kept in the bucket and read
back (through a verified local copy) for the mapping page and the confirmation."""

from __future__ import annotations

from tests.surveys.helpers import EXPECTED, FILES, count_responses, make_survey, sample
from tests.surveys.test_imports_http import base, figures, job_of, upload
from workbench.core import storage


def test_an_import_reads_its_file_back_from_the_bucket(on_s3, app, login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    r = upload(c, demo, survey, sample(FILES[0]), FILES[0])
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    job = job_of(db, survey)
    with app.app_context():
        bucket = storage.backend()
        assert bucket.exists(job.sha256) and bucket.url.startswith(on_s3)
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="mapping-form"' in page
    r = c.post(f"{base(demo, survey)}/imports/{job.id}/confirm", data={})
    assert "导入完成：新增 240 份答卷" in c.get(r.headers["Location"]).get_data(as_text=True)
    assert count_responses(db, survey) == 240
    assert figures(c.get(f"{base(demo, survey)}/stats").get_data(as_text=True)) == EXPECTED
