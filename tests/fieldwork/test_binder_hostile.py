"""The binder's Excel index with hostile stored text: no formula, the index always opens."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from io import BytesIO

from sqlalchemy import update

from tests.core.spreadsheet_files import FORMULA_TEXTS, assert_safe_export, illegal_texts
from tests.fieldwork.helpers import PDF, SITE_VALUES, paper
from workbench.core.timeutil import today_local
from workbench.fieldwork import evidence, requests
from workbench.fieldwork.binder import write_binder
from workbench.fieldwork.models import Evidence, RequestItem

F = FORMULA_TEXTS


def test_binder_index_keeps_hostile_text_as_text(db, demo, app):
    evaluator, lead = demo.users["demo-evaluator"], demo.users["demo-lead"]
    created = paper(db, demo, values=dict(SITE_VALUES), title=F[0])
    with app.test_request_context():
        uploaded = evidence.upload(
            db, actor=evaluator, engagement=demo.engagement, paper=created,
            files=[("+cmd.pdf", PDF), ("@SUM(1).pdf", PDF + b"2")], max_mb=5, source=F[2],
        )  # fmt: skip
    listed = requests.create_request(
        db, actor=lead, engagement=demo.engagement, title=F[1],
        items=[requests.ItemInput(name=F[3], due_date=today_local() + timedelta(days=3)),
               requests.ItemInput(name="普通资料")],
    )  # fmt: skip
    db.flush()
    legacy = illegal_texts(db)  # stored before such text was refused: past the ORM's checks
    db.exec(update(Evidence).where(Evidence.id == uploaded[1].id).values(source=legacy[-1]))
    db.exec(
        update(RequestItem)
        .where(RequestItem.request_id == listed.id, RequestItem.name == "普通资料")
        .values(name="".join(legacy))
    )
    db.expire_all()
    out = BytesIO()
    write_binder(db, engagement=demo.engagement, out=out)
    archive = zipfile.ZipFile(out)
    index = next(name for name in archive.namelist() if name.endswith("底稿索引.xlsx"))
    assert_safe_export(
        archive.read(index), [F[0], "+cmd.pdf", "@SUM(1).pdf", F[2], F[1], F[3], *legacy]
    )
