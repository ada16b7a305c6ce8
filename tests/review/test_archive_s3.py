"""The archive package with the files in an S3 bucket: the export streams every file from the
bucket with its hash, the checklist and manifest find a lost object, the sealed package is kept in
the bucket and re-exported from it; the fieldwork binder packs the bucket's evidence."""

from __future__ import annotations

import hashlib
import json
import zipfile
from io import BytesIO

import pytest
from sqlmodel import select

from tests.fieldwork.helpers import PDF
from tests.review.test_archive import complete, evidence  # noqa: F401 - the fixtures
from workbench.core import storage
from workbench.engagements.archive_hooks import archive
from workbench.fieldwork import evidence as fieldwork_evidence
from workbench.fieldwork.binder import write_binder
from workbench.reports.models import DeliverableVersion
from workbench.review.archive import export_zip
from workbench.review.archive_checklist import checklist
from workbench.review.manifest import ADDENDUM_MANIFEST, MANIFEST, verify_zip
from workbench.review.seal import export_package, seal_of


@pytest.fixture()
def on_bucket(on_s3, app):
    """Everything the test stores goes to the bucket (the fixture comes first in the test)."""
    return on_s3


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_the_export_streams_every_file_from_the_bucket(on_bucket, app, complete, evidence, db):  # noqa: F811
    bucket = storage.backend()
    assert bucket.url.startswith(on_bucket) and bucket.exists(evidence.sha256)
    path = export_zip(db, complete)
    try:
        members = _members(path)
        manifest = json.loads(members[MANIFEST])
        files = {f["path"]: f for f in manifest["files"]}
        shot = next(p for p in files if p.startswith("files/evidence/"))
        assert members[shot] == "现场核查照片".encode()
        for name, entry in files.items():
            assert hashlib.sha256(members[name]).hexdigest() == entry["sha256"]
        assert manifest["missing"] == [] and verify_zip(path).ok
    finally:
        path.unlink()
    assert {i.key: i.ok for i in checklist(db, complete)}["files"]


def test_a_lost_object_shows_in_the_checklist_and_the_manifest(on_bucket, complete, db):  # noqa: F811
    version = db.exec(
        select(DeliverableVersion).where(
            DeliverableVersion.kind == "plan", DeliverableVersion.engagement_id == complete.id
        )
    ).one()
    bucket = storage.backend()
    bucket.client.delete_object(Bucket=bucket.bucket, Key=bucket.key(version.sha256))
    item = {i.key: i for i in checklist(db, complete)}["files"]
    assert not item.ok and version.sha256[:12] in item.detail
    path = export_zip(db, complete)
    try:
        manifest = json.loads(_members(path)[MANIFEST])
        assert [m["path"] for m in manifest["missing"]] == ["deliverables/plan/v01-plan-第1版.docx"]
    finally:
        path.unlink()


def test_the_sealed_package_is_kept_in_the_bucket(on_bucket, complete, db, people):  # noqa: F811
    archive(db, actor=people.lead, engagement=complete)
    db.flush()
    sealed = seal_of(db, complete)
    assert sealed is not None and storage.verify(sealed.sha256)
    with storage.open(sealed.sha256) as packed:
        original = _members(packed)
    assert hashlib.sha256(original[MANIFEST]).hexdigest() == sealed.manifest_sha256
    path, addendum = export_package(db, complete)
    try:
        again = _members(path)
        assert addendum and ADDENDUM_MANIFEST in again
        assert all(again[name] == data for name, data in original.items())
        assert verify_zip(path).ok
    finally:
        path.unlink()


def test_the_binder_packs_the_evidence_from_the_bucket(on_bucket, app, db, demo):
    evaluator = demo.users["demo-evaluator"]
    with app.test_request_context():
        fieldwork_evidence.upload(
            db, actor=evaluator, engagement=demo.engagement, max_mb=5,
            files=[("桶中的照片.pdf", PDF + b"bucket")],
        )  # fmt: skip
    db.flush()
    out = BytesIO()
    with app.app_context():
        write_binder(db, engagement=demo.engagement, out=out)
    with zipfile.ZipFile(out) as binder:
        [name] = [n for n in binder.namelist() if n.endswith("桶中的照片.pdf")]
        assert binder.read(name) == PDF + b"bucket"
        assert binder.getinfo(name).external_attr >> 16 == 0o644
