"""The return package: written on the export page with the checkout's passphrase, holding the
laptop's records, the files added offline (not those it brought) and the laptop's audit log."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from io import BytesIO
from urllib.parse import unquote

import pytest
from sqlmodel import Session

from tests.offline.laptop_helpers import DEVICE, PASSPHRASE, open_return, rows
from workbench.core import storage
from workbench.core.audit import AuditEntry
from workbench.core.errors import ValidationFailed
from workbench.core.timeutil import today_local
from workbench.db import ENGINE_KEY
from workbench.offline import laptop

PHOTO = f"现场记录：食堂操作间，2026-12-11。编号 {os.urandom(8).hex()}".encode()


@pytest.fixture()
def worked(laptop_client, checkout_file, interview):
    """The evaluator's day offline: paper D-05-01 written up, a new file on it."""
    engagement_id = checkout_file[1]["engagement_id"]
    evaluator = laptop_client("demo-evaluator")
    base = f"/engagements/{engagement_id}/papers/{interview['id']}"
    edited = evaluator.post(
        f"{base}/edit",
        data={
            "title": "学校后勤主任访谈（现场）",
            "version": str(interview["version"]),
            "assignee_id": interview["assignee_id"],
            "f-interviewee": "示例市第一中心小学后勤主任",
            "f-interview_date": "2026-12-02",
            "f-summary": "食堂账目未单独核算；补助资金按月拨付。",
        },
    )
    assert edited.status_code == 302, edited.get_data(as_text=True)
    uploaded = evaluator.post(
        f"{base}/evidence",
        data={"files": (BytesIO(PHOTO), "现场记录.txt"), "note": "离线上传"},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    return evaluator


def test_the_page_shows_what_will_go_back(worked, checkout_file):
    page = worked.get("/offline/export")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    records = checkout_file[2]["merged"]
    papers = text.split('data-table="working_paper"><td>底稿</td><td class="text-end">')[1]
    assert papers.startswith(str(len(records["working_paper"])))
    evidence = text.split('data-table="evidence"><td>证据</td><td class="text-end">')[1]
    assert evidence.startswith(str(len(records["evidence"]) + 1))
    assert '<td class="text-end" id="export-files">1（' in text
    assert (
        'type="password"' in text
        and 'name="passphrase"' in text
        and DEVICE in text
        and "张三" in text
    )


def test_a_wrong_passphrase_writes_nothing(worked, laptop_folder):
    answer = worked.post("/offline/export", data={"passphrase": "不是这个口令"})
    assert answer.status_code == 422
    assert "口令与检出时设定的口令不一致" in answer.get_data(as_text=True)
    assert not list((laptop_folder / "exports").glob("*.wbpkg"))
    assert worked.post("/offline/export", data={"passphrase": ""}).status_code == 422


def test_the_return_package_carries_the_work_the_new_file_and_the_audit_log(
    worked, laptop_client, checkout_file, laptop_folder, interview, tmp_path
):
    _path, checkout, _records = checkout_file
    answer = worked.post("/offline/export", data={"passphrase": PASSPHRASE})
    assert answer.status_code == 200 and answer.mimetype == "application/octet-stream"
    disposition = unquote(answer.headers["Content-Disposition"])
    assert f"离线回传-笔记本_X-{today_local():%Y%m%d}.wbpkg" in disposition
    path = tmp_path / "return.wbpkg"
    path.write_bytes(answer.data)
    answer.close()
    (kept,) = (laptop_folder / "exports").glob("*.wbpkg")
    assert kept.read_bytes() == answer.data

    got = open_return(path, tmp_path / "open")
    manifest, header = got["manifest"], got["header"]
    assert header["kind"] == "return" and header["package_id"] == manifest["export_id"]
    for name in ("checkout", "token", "engagement_id", "issued_at", "device"):
        assert manifest[name] == checkout[name], name
    assert manifest["kind"] == "return" and manifest["format"] == 1
    evaluator = next(u for u in _records["reference"]["user"] if u["username"] == "demo-evaluator")
    assert manifest["exported_by"] == evaluator["display_name"]
    assert datetime.fromisoformat(manifest["exported_at"]).utcoffset() is not None

    merged = got["records"]["merged"]
    (paper,) = [p for p in merged["working_paper"] if p["id"] == interview["id"]]
    assert paper["title"] == "学校后勤主任访谈（现场）"
    assert paper["values"]["summary"] == "食堂账目未单独核算；补助资金按月拨付。"
    sha = hashlib.sha256(PHOTO).hexdigest()
    (added,) = [e for e in merged["evidence"] if e["sha256"] == sha]
    assert added["paper_id"] == interview["id"] and added["name"] == "现场记录.txt"
    assert got["files"] == {sha: PHOTO}  # the files the checkout brought stay out
    assert set(checkout["blobs"]).isdisjoint(got["files"])

    audit = got["records"]["audit"]
    actions = [entry["action"] for entry in audit]
    assert {"user.login", "working_paper.update", "evidence.upload", "offline.export"} <= set(
        actions
    )
    assert actions[-1] == "offline.export" and {e["device"] for e in audit} == {DEVICE}
    assert [e["id"] for e in audit] == sorted(e["id"] for e in audit)
    (export,) = rows(laptop_client.app, AuditEntry, AuditEntry.action == "offline.export")
    assert export.after["export_id"] == manifest["export_id"] and export.device == DEVICE


def test_the_laptops_audit_page_and_export_name_the_device(worked, checkout_file):
    from openpyxl import load_workbook

    from workbench.core.audit_view import DEVICE_HEADER, HEADERS

    engagement_id = checkout_file[1]["engagement_id"]
    page = worked.get(f"/engagements/{engagement_id}/audit").get_data(as_text=True)
    assert f'<i class="bi bi-laptop"></i> {DEVICE}</span>' in page
    answer = worked.get(f"/engagements/{engagement_id}/audit.xlsx")
    sheet = load_workbook(BytesIO(answer.data)).active
    answer.close()
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == [*HEADERS, DEVICE_HEADER]
    assert {row[-1] for row in table[1:]} == {DEVICE}


def test_the_service_refuses_a_wrong_passphrase_and_exports_by_command_line(
    laptop_client, laptop_folder, tmp_path
):
    app = laptop_client.app
    offline = app.config["OFFLINE"]
    with app.app_context(), Session(app.extensions[ENGINE_KEY]) as session:
        with pytest.raises(ValidationFailed) as refused:
            laptop.export(
                session,
                offline=offline,
                store=storage.backend(),
                actor=None,
                passphrase="错的",
                out=tmp_path / "x.wbpkg",
            )
        assert refused.value.details == [
            {"field": "passphrase", "message": "口令与检出时设定的口令不一致"}
        ]
        done = laptop.export(
            session,
            offline=offline,
            store=storage.backend(),
            actor=None,
            passphrase=PASSPHRASE,
            out=tmp_path / "cli.wbpkg",
        )
        session.commit()
    assert not (tmp_path / "x.wbpkg").exists()
    assert done.contents.new_files == [] and done.size == (tmp_path / "cli.wbpkg").stat().st_size
    got = open_return(done.path, tmp_path / "open")
    assert got["manifest"]["exported_by"] == "命令行" and got["files"] == {}
    assert got["records"]["audit"][-1]["actor_name"] == "命令行"
