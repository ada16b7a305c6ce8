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


# --- `workbench demo --scale department`: one large 部门整体 engagement ------------------------


def test_department_leaves_follow_the_framework():
    from collections import Counter
    from decimal import Decimal

    from workbench.demo import department_data as data

    leaves = data.leaves()
    assert len(leaves) == 300
    assert len({(x.level1, x.level2, x.name) for x in leaves}) == 300
    assert sum(x.weight for x in leaves) == Decimal("100.00")
    for level1, points in data.LEVEL1_POINTS.items():
        assert sum(x.weight for x in leaves if x.level1 == level1) == points
    assert [x.level1 for x in leaves] == sorted(
        (x.level1 for x in leaves), key=list(data.LEVEL1_POINTS).index
    )
    rules = Counter(x.rule for x in leaves)
    assert set(rules) == {"elements", "ratio", "inverse_ratio", "linear", "bands", "deduction",
                          "qualitative", "boolean", "satisfaction", "manual"}  # fmt: skip
    assert rules["satisfaction"] == 21 and all(x.survey is not None for x in leaves
                                               if x.rule == "satisfaction")  # fmt: skip
    assert [data.share(20_000, s) for s in range(3)] == [9000, 6000, 5000]


def test_department_scale(db, demo, login, app):
    from decimal import Decimal

    from workbench.demo import department
    from workbench.engagements.models import Engagement
    from workbench.reports import collect, context_report
    from workbench.reports.services import checkups
    from workbench.scoring.services import compute

    messages: list[str] = []
    with app.app_context():
        counts = department.populate(db, echo=messages.append)
    assert counts == {"engagements": 1, "indicators": 300, "answers": 20_000, "papers": 400,
                      "surveys": 3}  # fmt: skip
    engagement = db.execute(
        select(Engagement).where(Engagement.code == department.CODE)
    ).scalar_one()
    assert engagement.type == "department" and engagement.title == department.TITLE
    indicator = SQLModel.metadata.tables["indicator"]
    weights = db.execute(
        select(func.count(), func.sum(indicator.c.weight)).where(
            indicator.c.engagement_id == engagement.id
        )
    ).one()
    assert weights[0] == 300 and Decimal(str(weights[1])).quantize(Decimal("0.01")) == 100
    survey = SQLModel.metadata.tables["survey"]
    response = SQLModel.metadata.tables["survey_response"]
    per_survey = db.execute(
        select(survey.c.title, func.count(response.c.id))
        .join(response, response.c.survey_id == survey.c.id)
        .where(survey.c.engagement_id == engagement.id)
        .group_by(survey.c.id, survey.c.title)
        .order_by(survey.c.id)
    ).all()
    assert [n for _t, n in per_survey] == [9000, 6000, 5000]
    paper = SQLModel.metadata.tables["working_paper"]
    indexes = list(
        db.execute(select(paper.c.index_no).where(paper.c.engagement_id == engagement.id)).scalars()
    )
    assert len(indexes) == len(set(indexes)) == 400
    assert {"A-01-01", "D-04-60", "D-08-01", "D-08-246", "F-01-01"} <= set(indexes)
    # every leaf scores; the lead has signed; the 报告体检 finds nothing wrong with the data
    result, rows = compute(db, engagement)
    assert [r.indicator.name for r in rows if r.result.score is None] == []
    assert (result.total, result.grade) == (Decimal("92.64"), "优")
    with app.app_context():
        check = checkups.run(db, engagement)
        inputs = collect.inputs(db, engagement, deliverable="report")
    assert [f"{f.where}：{f.message}" for f in check.errors] == []
    assert inputs.scores_signed
    assert [s.title for s in context_report.chart_specs(inputs)] == [
        "一级指标得分率", "二级指标得分率", "学生家长满意度调查满意度分布",
        "学校教职工满意度调查满意度分布", "社会公众满意度调查满意度分布", "各项调查总体满意率",
    ]  # fmt: skip
    # the lead opens the large engagement's pages
    client = login("demo-lead")
    for path in ("indicators", "scoring"):
        page = client.get(f"/engagements/{engagement.id}/{path}")
        assert page.status_code == 200, path
        assert "社会公众或服务对象满意度" in page.get_data(as_text=True)
    # a second run creates nothing
    again: list[str] = []
    assert department.populate(db, echo=again.append)["engagements"] == 0
    assert again == ["部门整体规模数据已存在，未重复创建"]
