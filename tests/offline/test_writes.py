"""Rows a check-in adds many at a time (workbench/offline/writes.py): each key the one of its row."""

from __future__ import annotations

from sqlmodel import select

from workbench.fieldwork.models import Finding, WorkingPaper
from workbench.offline import scope
from workbench.offline.writes import RecordWriter


def _findings(texts: list[str], paper_id: int) -> list[dict]:
    return [
        {"id": "laptop-1", "paper_id": paper_id, "kind": "observation", "text": t} for t in texts
    ]


def test_rows_added_together_each_get_the_key_of_their_own_row(app, db, demo, count_queries):
    paper = db.exec(
        select(WorkingPaper).where(WorkingPaper.engagement_id == demo.engagement.id)
    ).first()
    writer = RecordWriter(db, demo.engagement.id, batched=True)
    tbl = scope.table("paper_finding")
    first = writer.insert_many(tbl, _findings(["甲", "乙", "丙"], paper.id))
    # the newest row removed: the next rows take ids after the largest left, none twice
    db.delete(db.get(Finding, int(first[-1])))
    db.flush()
    texts = [f"第{n}条" for n in range(40)]
    with count_queries() as inserts:
        keys = writer.insert_many(tbl, _findings(texts, paper.id))

    assert inserts.count <= 2  # not one statement per row (SQLite's RETURNING has no order)

    assert len(set(keys)) == 40 and not set(keys) & set(first[:2])
    db.expire_all()
    assert [db.get(Finding, int(k)).text for k in keys] == texts
    assert [db.get(Finding, int(k)).text for k in first[:2]] == ["甲", "乙"]
