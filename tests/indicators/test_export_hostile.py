"""The indicator sheet export with hostile stored text: no formula, and it re-imports identically."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update

from tests.core.spreadsheet_files import FORMULA_TEXTS, assert_safe_export, illegal_texts
from tests.indicators.helpers import indicators_of, new_engagement
from workbench.core.spreadsheet import clean_text
from workbench.indicators import services, transfer
from workbench.indicators.models import Indicator
from workbench.indicators.tree import IndicatorInput

F = FORMULA_TEXTS
FIELDS = ("level1", "level2", "name", "weight", "definition", "standard", "note", "points",
          "evidence_sources", "target", "rule")  # fmt: skip


def _fields(items) -> list[tuple]:
    return [tuple(getattr(item, name) for name in FIELDS) for item in items]


def test_export_keeps_hostile_text_and_reimports_it(login, db, demo):
    lead = demo.users["demo-lead"]
    engagement = new_engagement(db, demo)
    for data in (
        IndicatorInput(
            level1=F[0], level2=F[1], name=F[2], weight=Decimal(60), rule="manual",
            definition=F[3], standard=F[1], note=F[0], points=f"{F[2]}\n要点二",
            evidence_sources=F[3], target=F[3],
        ),
        IndicatorInput(
            level1=F[0], level2="产出数量", name="-5", weight=Decimal(40), rule="manual",
            definition=F[4], standard="普通", note="",
        ),
    ):  # fmt: skip
        services.create_indicator(db, actor=lead, engagement=engagement, data=data)
    db.flush()
    second = indicators_of(db, engagement)[1]
    legacy = illegal_texts(db)  # stored before such text was refused: past the ORM's checks
    db.exec(update(Indicator).where(Indicator.id == second.id).values(note=legacy[-1]))
    db.exec(update(Indicator).where(Indicator.id == second.id).values(definition="".join(legacy)))
    db.expire_all()
    stored = indicators_of(db, engagement)
    r = login("demo-lead").get(f"/engagements/{engagement.id}/indicators/export")
    assert r.status_code == 200
    texts = [v for row in _fields(stored) for v in row[:-1] if isinstance(v, str) and v]
    assert_safe_export(r.data, texts)

    again = new_engagement(db, demo, title="再导入")
    transfer.import_sheet(db, actor=lead, engagement=again, filename="导出.xlsx", data=r.data)
    db.flush()
    cleaned = [
        tuple(clean_text(v) if isinstance(v, str) else v for v in row) for row in _fields(stored)
    ]
    assert _fields(indicators_of(db, again)) == cleaned
