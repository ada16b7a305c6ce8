"""`workbench demo --scale`: the bulk copies of the demo engagement, through the same code path."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import SQLModel

from workbench.demo.scale import CODE_PREFIX, SCALES, Scale, _share, existing, populate

SMALL = Scale(engagements=3, indicators=7, answers=10, papers=5, evidence_per_paper=2, batch=2)


def _count(db, name: str, **where) -> int:
    table = SQLModel.metadata.tables[name]
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(column(table) if callable(column) else table.c[column] == value)
    return db.execute(query).scalar_one()


def _scaled_ids(db) -> list[int]:
    table = SQLModel.metadata.tables["engagement"]
    query = select(table.c.id).where(table.c.code.like(f"{CODE_PREFIX}%")).order_by(table.c.id)
    return list(db.execute(query).scalars())


def test_share_splits_evenly():
    assert [_share(10, 3, i) for i in range(3)] == [4, 3, 3]
    assert sum(_share(1_000_000, 10_000, i) for i in range(10_000)) == 1_000_000


def test_reference_and_large_sizes():
    reference, large = SCALES["reference"], SCALES["large"]
    assert (reference.indicators, reference.answers, reference.papers) == (80, 2_000, 60)
    assert (large.engagements, large.answers, large.papers) == (10_000, 1_000_000, 500_000)


def test_small_scale_counts(db, demo):
    messages: list[str] = []
    counts = populate(db, scale=SMALL, echo=messages.append)
    ids = _scaled_ids(db)
    assert len(ids) == counts["engagements"] == 3
    assert existing(db) == 3
    indicator = SQLModel.metadata.tables["indicator"]
    per_engagement = [
        db.execute(
            select(func.count()).select_from(indicator).where(indicator.c.engagement_id == e)
        ).scalar_one()
        for e in ids
    ]
    assert per_engagement == [7, 7, 7] and counts["indicators"] == 21
    # members are copied, so the demo team sees the copies
    member = SQLModel.metadata.tables["engagement_member"]
    demo_members = db.execute(
        select(func.count()).select_from(member).where(member.c.engagement_id == demo.engagement.id)
    ).scalar_one()
    copied = db.execute(
        select(func.count()).select_from(member).where(member.c.engagement_id.in_(ids))
    ).scalar_one()
    assert copied == 3 * demo_members > 0
    # progress printed per batch (2 + 1 engagements)
    progress = [m for m in messages if m.startswith("已写入")]
    assert len(progress) == 2 and progress[-1].startswith("已写入 3/3 个项目")
    if counts["answers"]:
        survey = SQLModel.metadata.tables["survey"]
        response = SQLModel.metadata.tables["survey_response"]
        rows = db.execute(
            select(func.count())
            .select_from(response.join(survey, survey.c.id == response.c.survey_id))
            .where(survey.c.engagement_id.in_(ids))
        ).scalar_one()
        assert rows == counts["answers"] == 10
    else:
        assert any("问卷" in m for m in messages)
    if counts["papers"]:
        paper = SQLModel.metadata.tables["working_paper"]
        rows = db.execute(
            select(func.count()).select_from(paper).where(paper.c.engagement_id.in_(ids))
        ).scalar_one()
        assert rows == counts["papers"] == 5
        evidence = SQLModel.metadata.tables["evidence"]
        attached = db.execute(
            select(func.count())
            .select_from(evidence)
            .where(evidence.c.engagement_id.in_(ids), evidence.c.paper_id.is_not(None))
        ).scalar_one()
        assert attached == counts["evidence"] in {0, 10}
    else:
        assert any("底稿" in m for m in messages)


def test_second_run_creates_nothing(db, demo):
    populate(db, scale=SMALL, echo=lambda _m: None)
    messages: list[str] = []
    again = populate(db, scale=SMALL, echo=messages.append)
    assert again["engagements"] == 0 and messages == ["规模数据已存在，未重复创建"]
    assert existing(db) == 3


def test_scaled_engagement_pages_render(db, demo, login):
    populate(db, scale=SMALL, echo=lambda _m: None)
    engagement_id = _scaled_ids(db)[0]
    client = login("demo-lead")
    for path in (f"/engagements/{engagement_id}", f"/engagements/{engagement_id}/indicators"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "规模测试1" in response.get_data(as_text=True)
    dashboard = client.get("/?q=规模测试").get_data(as_text=True)
    assert "规模测试3" in dashboard
