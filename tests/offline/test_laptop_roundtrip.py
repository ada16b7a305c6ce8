"""The whole trip with the server's own services: checked out here, opened and worked on by the
laptop's app, exported on its page, checked in here."""

from __future__ import annotations

from io import BytesIO

from sqlmodel import select

from tests.conftest import PASSWORD
from tests.offline.laptop_helpers import DEVICE, laptop_app
from workbench.core import storage
from workbench.core.audit import AuditEntry
from workbench.db import ENGINE_KEY
from workbench.fieldwork.models import Evidence, WorkingPaper
from workbench.offline import checkin, checkout, laptop

PASSPHRASE = "往返口令-2026"
NOTE = "现场记录：回访第二中心小学，食堂账目已单独核算。".encode()


def test_checked_out_worked_on_offline_and_checked_in(db, demo, ctx, tmp_path):
    paper = db.exec(select(WorkingPaper).where(WorkingPaper.index_no == "D-05-01")).one()
    package_path = tmp_path / "checkout.wbpkg"
    checkout.checkout(
        db,
        actor=demo.users["demo-evaluator"],
        engagement=demo.engagement,
        device=DEVICE,
        passphrase=PASSPHRASE,
        repeat=PASSPHRASE,
        out=package_path,
    )
    db.flush()

    folder = laptop.unpack(package_path, passphrase=PASSPHRASE, directory=tmp_path / "laptop")
    app = laptop_app(folder)
    try:
        client = app.test_client()
        client.post("/login", data={"username": "demo-evaluator", "password": PASSWORD})
        base = f"/engagements/{demo.engagement.id}/papers/{paper.id}"
        edited = client.post(
            f"{base}/edit",
            data={
                "title": "学校后勤主任访谈（现场）",
                "version": str(paper.version),
                "assignee_id": paper.assignee_id or 0,
                "f-interviewee": "示例市第一中心小学后勤主任",
                "f-interview_date": "2026-12-02",
                "f-summary": "食堂账目已单独核算。",
            },
        )
        assert edited.status_code == 302, edited.get_data(as_text=True)
        uploaded = client.post(
            f"{base}/evidence",
            data={"files": (BytesIO(NOTE), "回访记录.txt")},
            content_type="multipart/form-data",
        )
        assert uploaded.status_code == 302
        answer = client.post("/offline/export", data={"passphrase": PASSPHRASE})
        assert answer.status_code == 200
        returned = tmp_path / "return.wbpkg"
        returned.write_bytes(answer.data)
        answer.close()
    finally:
        app.extensions[ENGINE_KEY].dispose()

    checkin.checkin(
        db, actor=demo.users["demo-lead"], path=returned, passphrase=PASSPHRASE, finish=True
    )
    db.flush()
    db.refresh(paper)
    assert paper.title == "学校后勤主任访谈（现场）"
    assert paper.values["summary"] == "食堂账目已单独核算。"
    (added,) = db.exec(select(Evidence).where(Evidence.name == "回访记录.txt")).all()
    assert storage.read(added.sha256) == NOTE
    offline_entries = db.exec(select(AuditEntry).where(AuditEntry.device == DEVICE)).all()
    assert {"working_paper.update", "evidence.upload", "offline.export"} <= {
        e.action for e in offline_entries
    }
