"""The archive: computed checklist and gate, the zip with its manifest, and `archive verify`."""

import hashlib
import io
import json
import zipfile
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlmodel import select

from tests.review.conftest import PLAN_SECTIONS, make_version
from tests.review.test_rating import FULL
from workbench.core import storage
from workbench.fieldwork.request_models import Evidence
from workbench.reports import services as report_services
from workbench.review import rating
from workbench.review.archive import export_zip
from workbench.review.archive_checklist import checklist
from workbench.review.cli import archive as archive_cli
from workbench.review.gates import archive_gate, bureau_review_gate
from workbench.review.manifest import MANIFEST, verify_zip


@pytest.fixture()
def evidence(engagement, db, people):
    """An evidence file of the engagement (fieldwork's table), to prove other domains' files go in."""
    blob = storage.store(db, "现场核查照片".encode(), mime="image/jpeg")
    row = Evidence(
        engagement_id=engagement.id, sha256=blob.sha256, name="../现场照片 1.jpg",
        mime="image/jpeg", size=blob.size, extension="jpg",
    )  # fmt: skip
    db.add(row)
    db.flush()
    return row


@pytest.fixture()
def complete(approved, db, engagement, people):
    """Plan and report versions, the final report approved and rated."""
    make_version(db, engagement, kind="plan", sections=PLAN_SECTIONS, user=people.lead)
    rating.record(db, actor=people.bureau, engagement=engagement, scores=FULL)
    return engagement


def _items(db, engagement) -> dict:
    return {i.key: i for i in checklist(db, engagement)}


def test_checklist_is_computed_from_the_records(engagement, files, db, demo):
    items = _items(db, engagement)
    assert items["contract"].ok  # the demo contract (finance)
    assert not items["plan"].ok and items["plan"].detail == "尚未生成评价工作方案"
    assert not items["reports"].ok
    assert not items["bureau_decision"].ok and not items["rating"].ok
    assert items["rating"].link == f"/engagements/{engagement.id}/review/rating"
    blockers = archive_gate(db, engagement)
    assert "评价工作方案：尚未生成评价工作方案" in [b.text for b in blockers]
    assert all(b.link for b in blockers)


def test_checklist_after_the_review_loop(complete, db):
    items = _items(db, complete)
    for key in ("plan", "reports", "review_records", "bureau_decision", "rating", "files"):
        assert items[key].ok, (key, items[key].detail)
    assert items["rating"].detail == "85.00 分"


def test_bureau_review_gate(engagement, submitted, db, demo, people):
    texts = [b.text for b in bureau_review_gate(db, engagement)]
    assert texts == ["正式评价报告正在委托方审核中", "委托方尚未完成质量考核"]
    from workbench.review import decisions

    decisions.decide(
        db,
        actor=people.bureau,
        engagement=engagement,
        submission=submitted,
        decision="approve",
    )
    assert [b.text for b in bureau_review_gate(db, engagement)] == ["委托方尚未完成质量考核"]
    rating.record(db, actor=people.bureau, engagement=engagement, scores=FULL)
    assert bureau_review_gate(db, engagement) == []


def _read(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_export_holds_every_file_with_its_hash_and_verifies(engagement, complete, evidence, db):
    path = export_zip(db, complete)
    try:
        members = _read(path)
        manifest = json.loads(members[MANIFEST])
        assert manifest["format"] == "workbench-archive/1"
        assert manifest["engagement"]["code"] == complete.code
        assert manifest["engagement"]["bureau"] == "示例市财政局"
        paths = {f["path"]: f for f in manifest["files"]}
        assert "records.json" in paths
        assert "deliverables/report/v01-report-第1版.docx" in paths
        assert "deliverables/plan/v01-plan-第1版.docx" in paths
        shot = next(p for p in paths if p.startswith("files/evidence/"))
        assert shot.endswith("-_现场照片 1.jpg") and "/../" not in shot
        assert members[shot] == "现场核查照片".encode()
        for name, entry in paths.items():
            assert hashlib.sha256(members[name]).hexdigest() == entry["sha256"]
            assert len(members[name]) == entry["size"]
        records = json.loads(members["records.json"])
        assert records["engagement"]["id"] == complete.id
        assert [s["status"] for s in records["tables"]["review_submission"]] == ["approved"]
        assert records["tables"]["quality_rating"][0]["total"] == "85.00"
        assert "notification" not in records["tables"]
        assert any(p["role"] == "lead" for p in records["people"])
        assert manifest["missing"] == []
        result = verify_zip(path)
        assert result.ok and result.checked == len(paths)
    finally:
        path.unlink()


def _rewrite(source, target, *, change=None, drop=None, add=None, append=None):
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            if info.filename == drop:
                continue
            data = src.read(info.filename)
            if info.filename == change:
                data = data + b" tampered"
            dst.writestr(info.filename, data)
        if add:
            dst.writestr(add, b"extra")
    if append:
        with zipfile.ZipFile(target, "a") as dst, pytest.warns(UserWarning, match="Duplicate"):
            dst.writestr(append, b"replaced")


def test_verify_catches_tampered_missing_and_extra_files(complete, db, tmp_path):
    path = export_zip(db, complete)
    report = "deliverables/report/v01-report-第1版.docx"
    cases = {
        "changed": ({"change": report}, f"已被篡改（SHA-256 不符）：{report}"),
        "dropped": ({"drop": report}, f"缺失：{report}"),
        "extra": ({"add": "files/x.bin"}, "清单之外的文件：files/x.bin"),
        "records": ({"change": "records.json"}, "已被篡改（SHA-256 不符）：records.json"),
        "appended": ({"append": report}, f"文件名重复（可能被追加篡改）：{report}"),
        "no manifest": ({"drop": MANIFEST}, "缺少清单文件 manifest.json"),
    }
    try:
        for name, (how, problem) in cases.items():
            target = tmp_path / f"{name}.zip"
            _rewrite(path, target, **how)
            result = verify_zip(target)
            assert not result.ok and problem in result.problems, (name, result.problems)
        runner = CliRunner()
        ok = runner.invoke(archive_cli, ["verify", str(path)])
        assert ok.exit_code == 0 and "档案包完好" in ok.output
        bad = runner.invoke(archive_cli, ["verify", str(tmp_path / "changed.zip")])
        assert bad.exit_code == 1 and f"已被篡改（SHA-256 不符）：{report}" in bad.output
        (tmp_path / "junk.zip").write_bytes(b"not a zip")
        junk = runner.invoke(archive_cli, ["verify", str(tmp_path / "junk.zip")])
        assert junk.exit_code == 1 and "无法打开档案包" in junk.output
        absent = runner.invoke(archive_cli, ["verify", str(tmp_path / "absent.zip")])
        assert absent.exit_code == 1 and "找不到文件" in absent.output
    finally:
        path.unlink()


def test_a_lost_file_shows_in_the_checklist_and_the_manifest(complete, db, demo):
    from workbench.reports.models import DeliverableVersion

    version = db.exec(
        select(DeliverableVersion).where(
            DeliverableVersion.kind == "plan", DeliverableVersion.engagement_id == complete.id
        )
    ).one()
    target = storage.local_path(version.sha256)  # the suite runs on the local folder
    saved = target.read_bytes()
    target.unlink()
    try:
        item = _items(db, complete)["files"]
        assert not item.ok and version.sha256[:12] in item.detail
        path = export_zip(db, complete)
        manifest = json.loads(_read(path)[MANIFEST])
        assert [m["path"] for m in manifest["missing"]] == ["deliverables/plan/v01-plan-第1版.docx"]
        assert verify_zip(path).ok  # what the zip holds is intact; the loss is recorded
        path.unlink()
    finally:
        target.write_bytes(saved)


def test_archive_pages(complete, login, demo):
    lead = login("demo-lead")
    page = lead.get(f"/engagements/{complete.id}/archive").get_data(as_text=True)
    assert 'data-key="rating" data-ok="yes"' in page and "导出档案包" in page
    response = lead.get(f"/engagements/{complete.id}/archive/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    response.close()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert MANIFEST in zf.namelist()
    for user in ("demo-bureau", "demo-unit", "demo-expert"):
        refused = login(user).get(f"/engagements/{complete.id}/archive/export")
        assert refused.status_code in (403, 404) and refused.headers["X-Permission-Denied"]


def test_cli_export(complete, app, db, tmp_path, monkeypatch):
    """`workbench archive export` writes the same zip (the command runs its own session)."""
    from workbench.review import cli

    target = tmp_path / "a.zip"
    made = export_zip(db, complete)

    class Scope:
        def __enter__(self):
            return app

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr("workbench.cli._app_scope", lambda: Scope())
    with app.app_context():
        result = CliRunner().invoke(cli.archive, ["export", str(complete.id), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert verify_zip(target).ok
    made.unlink()
    missing = CliRunner().invoke(cli.archive, ["export", "999999", "--out", str(target)])
    assert missing.exit_code == 2 and "项目不存在" in missing.output
    assert Decimal("85.00") == rating.get(db, complete).total


def test_the_documents_api_stores_the_archive_as_a_version(complete, db, people, tmp_path):
    version = report_services.generate(db, actor=people.lead, engagement=complete, kind="archive")
    assert version.kind == "archive" and version.mime == "application/zip"
    stored = tmp_path / "stored.zip"
    stored.write_bytes(storage.read(version.sha256))
    assert verify_zip(stored).ok
    again = export_zip(db, complete)
    try:
        names = set(_read(again))
        assert not any(n.startswith("deliverables/archive/") for n in names)  # never nested
        records = json.loads(_read(again)["records.json"])
        assert [v["kind"] for v in records["tables"]["deliverable_version"]].count("archive") == 1
    finally:
        again.unlink()
