"""The archive package sealed at 完成归档 and re-exported with a post-archive addendum whose
manifest chains to the original (issue 15 item 2); the page, the CLI and the API agree."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from tests.review.test_archive import complete  # noqa: F401, F811 - the fixture
from tests.review.test_followup_after_archive import PDF
from workbench.core import storage
from workbench.engagements.archive_hooks import archive
from workbench.finance import services as finance
from workbench.reports.models import DeliverableVersion
from workbench.review import rectification, unit_followup
from workbench.review.manifest import ADDENDUM_MANIFEST, MANIFEST, verify_zip
from workbench.review.models import ArchiveSeal
from workbench.review.seal import export_package, seal_of


@pytest.fixture()
def archived(complete, db, people):  # noqa: F811
    rectification.create_items(
        db, actor=people.lead, engagement=complete, text="资金拨付不及时 | 建立拨付时限制度"
    )
    archive(db, actor=people.lead, engagement=complete)
    db.flush()
    return complete


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _sealed_members(sha256: str) -> dict[str, bytes]:
    with storage.open(sha256) as packed:
        return _members(packed)


def _after_archive_work(db, engagement, people) -> None:
    finance.add_entry(
        db, actor=people.admin, engagement=engagement, kind="invoiced",
        amount=Decimal("288000.00"), entry_date=date(2027, 1, 10), instalment=1, note="第二期开票",
    )  # fmt: skip
    [item] = rectification.items_of(db, engagement)
    unit_followup.report(
        db, actor=people.unit, engagement=engagement, item_id=item.id, kind="feedback",
        text="已印发拨付时限制度", files=[("拨付制度.pdf", PDF)], version=item.version,
    )  # fmt: skip


def test_the_package_is_sealed_at_the_archive(archived, db):
    sealed = seal_of(db, archived)
    assert sealed is not None and storage.verify(sealed.sha256)
    original = _sealed_members(sealed.sha256)
    assert hashlib.sha256(original[MANIFEST]).hexdigest() == sealed.manifest_sha256
    manifest = json.loads(original[MANIFEST])
    assert manifest["engagement"]["archived_at"]  # sealed once locked
    assert ADDENDUM_MANIFEST not in original


def test_a_re_export_keeps_the_original_and_adds_the_addendum(archived, db, people, tmp_path):
    sealed = seal_of(db, archived)
    original = _sealed_members(sealed.sha256)
    _after_archive_work(db, archived, people)
    path, addendum = export_package(db, archived)
    try:
        assert addendum
        again = _members(path)
        result = verify_zip(path)
    finally:
        path.unlink()
    # Every original file (its manifest included) is byte-identical: its hashes still verify.
    assert {k: again[k] for k in original} == original
    assert result.ok, result.problems
    manifest = json.loads(again[ADDENDUM_MANIFEST])
    assert manifest["format"] == "workbench-archive-addendum/1"
    assert manifest["previous"]["sha256"] == hashlib.sha256(original[MANIFEST]).hexdigest()
    assert manifest["previous"]["package_sha256"] == sealed.sha256
    records = json.loads(again["addendum/records.json"])["tables"]
    assert [e["note"] for e in records["finance_entry"] if e["kind"] == "invoiced"][-1] == (
        "第二期开票"
    )
    assert records["rectification_report"][0]["text"] == "已印发拨付时限制度"
    actions = {e["action"] for e in records["audit_entry"]}
    assert {"finance.entry.invoiced", "review.rectification_unit_report"} <= actions
    [evidence] = [f for f in manifest["files"] if f.get("table") == "rectification_evidence"]
    assert again[evidence["path"]] == PDF and evidence["sha256"] == hashlib.sha256(PDF).hexdigest()

    # Tampering with the original manifest breaks the chain; with an addendum file, its hash.
    for name, change in [(MANIFEST, b" "), (evidence["path"], b"x")]:
        target = tmp_path / "changed.zip"
        with zipfile.ZipFile(target, "w") as zf:
            for member, data in again.items():
                zf.writestr(member, data + change if member == name else data)
        problems = verify_zip(target).problems
        assert problems, name
        if name == MANIFEST:
            assert any("哈希链不符" in p for p in problems)
        else:
            assert any("已被篡改" in p and name in p for p in problems)


def test_page_and_api_give_the_same_package_after_the_archive(
    archived, db, login, token_for, people
):  # noqa: E501
    _after_archive_work(db, archived, people)
    page = login("demo-lead").get(f"/engagements/{archived.id}/archive/export")
    assert page.status_code == 200
    page_data = page.data
    page.close()
    before = db.exec(
        select(DeliverableVersion).where(DeliverableVersion.engagement_id == archived.id)
    ).all()
    api = login("demo-lead").post(
        f"/api/v1/engagements/{archived.id}/documents/archive",
        headers=token_for(people.lead),
        json={},
    )
    assert api.status_code == 200, api.get_data(as_text=True)
    api_data = api.data
    api.close()
    assert api.headers["X-Archive-Addendum"] == "1" and "X-Deliverable-Version" not in api.headers
    with zipfile.ZipFile(io.BytesIO(api_data)) as a, zipfile.ZipFile(io.BytesIO(page_data)) as p:
        assert a.read(MANIFEST) == p.read(MANIFEST)
        assert sorted(a.namelist()) == sorted(p.namelist())
    after = db.exec(
        select(DeliverableVersion).where(DeliverableVersion.engagement_id == archived.id)
    ).all()
    assert len(after) == len(before)  # nothing written into the archived engagement
    # Other documents still answer 409 with the reason.
    report = login("demo-lead").post(
        f"/api/v1/engagements/{archived.id}/documents/report", headers=token_for(people.lead)
    )
    assert report.status_code == 409 and "项目已归档" in report.get_json()["error"]


def test_an_unsealed_archived_engagement_exports_as_before(archived, db):
    db.delete(seal_of(db, archived))
    db.flush()
    assert (
        db.exec(select(ArchiveSeal).where(ArchiveSeal.engagement_id == archived.id)).first() is None
    )
    path, addendum = export_package(db, archived)
    try:
        assert not addendum and verify_zip(path).ok
    finally:
        path.unlink()
