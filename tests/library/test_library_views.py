"""Library pages over HTTP: search, detail facts (benchmarks, usage, score rates), diff, forms."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from tests.library.library_helpers import content, engagement_indicator
from workbench.core.timeutil import today_local
from workbench.engagements import services as engagements
from workbench.library import services, usage
from workbench.library.models import LibraryIndicator, Status
from workbench.scoring.services import leaf_scores


def _shared(db, demo, **changes) -> LibraryIndicator:
    admin = demo.users["demo-admin"]
    row = services.create_personal(db, actor=admin, data=content(**changes), sector="测试领域")
    services.propose(db, actor=admin, indicator=row, version=row.version)
    services.approve(db, actor=admin, indicator=row, version=row.version)
    db.flush()
    return row


def _engagement(db, demo, title: str):
    return engagements.create(
        db,
        actor=demo.users["demo-lead"],
        data=engagements.EngagementInput(
            title=title, type="project", bureau_id=demo.engagement.bureau_id, budget_year=2024
        ),
    )


def test_search_page_lists_filters_and_pages(login, demo, db):
    client = login("demo-evaluator")
    page = client.get("/library").get_data(as_text=True)
    assert "在职人员控制率" in page and "教育" in page  # common frameworks come first
    project = client.get("/library?type=project&kind=common").get_data(as_text=True)
    assert "立项依据充分性" in project and "在职人员控制率" not in project
    found = client.get("/library?q=满意度&sector=教育").get_data(as_text=True)
    assert "学生满意度" in found and "立项依据充分性" not in found
    tagged = client.get("/library?tag=义务教育").get_data(as_text=True)
    assert "生均公用经费保障率" in tagged and "受益农户满意度" not in tagged
    _rows, total = services.search(db, viewer=demo.users["demo-evaluator"])
    assert total >= 261  # 260 shipped leaves and the demo's proposal
    second = client.get("/library?page=2").get_data(as_text=True)
    assert f"共 {total} 条" in second and "在职人员控制率" not in second
    nothing = client.get("/library?q=不存在的指标名称xyz").get_data(as_text=True)
    assert "没有符合条件的指标" in nothing


def test_who_may_read_the_library(login, demo):
    assert login("demo-expert").get("/library").status_code == 200
    expert_page = login("demo-expert").get("/library").get_data(as_text=True)
    assert "新建个人指标" not in expert_page
    assert login("demo-bureau").get("/library").status_code == 403
    assert login("demo-unit").get("/library").status_code == 403
    assert "指标库" in login("demo-lead").get("/").get_data(as_text=True)  # in the navigation


def test_search_page_query_count_is_bounded(login, demo, db, count_queries):
    for number in range(25):
        _shared(db, demo, name=f"批量指标{number:02d}", tags=(f"批量{number % 3}",))
    client = login("demo-lead")
    client.get("/library?q=批量指标")  # warms the search index
    with count_queries() as short:
        assert client.get("/library?q=率").status_code == 200
    with count_queries() as long:
        assert client.get("/library?q=批量指标&tag=批量1&page=1").status_code == 200
    with count_queries() as plain:
        assert client.get("/library?page=3").status_code == 200
    assert max(short.count, long.count, plain.count) <= 14, long.statements


def test_detail_warns_about_stale_and_missing_benchmarks(login, demo, db, app):
    lead = demo.users["demo-lead"]
    row = _shared(db, demo)
    client = login("demo-lead")
    page = client.get(f"/library/{row.id}").get_data(as_text=True)
    assert "暂无基准值" in page and "行业标准" in page
    old_year = today_local().year - 5
    services.add_benchmark(
        db,
        actor=lead,
        indicator=row,
        value="93.1%",
        year=old_year,
        source="某省统计公报",
        version=row.version,
    )
    db.flush()
    page = client.get(f"/library/{row.id}").get_data(as_text=True)
    assert "基准值已陈旧" in page and f"最新基准值为 {old_year} 年" in page
    assert "93.1%" in page and "某省统计公报" in page
    app.config["BENCHMARK_STALE_YEARS"] = 10
    try:
        page = client.get(f"/library/{row.id}").get_data(as_text=True)
        assert "基准值已陈旧" not in page and f"最新基准值为 {old_year} 年" in page
    finally:
        app.config["BENCHMARK_STALE_YEARS"] = 3
    services.add_benchmark(
        db,
        actor=lead,
        indicator=row,
        value="95.0%",
        year=today_local().year - 1,
        source="新公报",
        version=row.version,
    )
    db.flush()
    page = client.get(f"/library/{row.id}").get_data(as_text=True)
    assert "基准值已陈旧" not in page and "新公报" in page
    old = client.get(f"/library/{row.id}?v=2").get_data(as_text=True)
    assert "基准值已陈旧" in old and "正在查看第 2 版" in old


def _used_in_engagements(db, demo, row) -> None:
    """The indicator scored 60%, 80% and 100% of its weight in three engagements (one NA)."""
    version = services.current_version(db, row.id)
    for number, score in enumerate(["3.00", "4.00", "5.00"]):
        engagement = demo.engagement if number == 0 else _engagement(db, demo, f"使用项目{number}")
        engagement_indicator(
            db,
            engagement,
            name=f"食堂合格率{number}",
            rule="manual",
            weight=Decimal("5.00"),
            score=Decimal(score),
            justification="测试评分",
            library_indicator_id=row.id,
            library_version=version.number,
        )
    engagement_indicator(
        db,
        demo.engagement,
        name="不适用的一条",
        rule="manual",
        weight=Decimal("5.00"),
        score=Decimal("0.50"),
        not_applicable=True,
        na_reason="本项目无食堂",
        library_indicator_id=row.id,
        library_version=version.number,
    )


def test_detail_shows_usage_and_score_rate_distribution(login, demo, db):
    row = _shared(db, demo)
    _used_in_engagements(db, demo, row)
    found = usage.usage(db, indicator_id=row.id)
    assert found.engagements == 3 and found.by_version == {1: 3}
    assert sorted(found.rates) == [Decimal("60.00"), Decimal("80.00"), Decimal("100.00")]
    assert (found.distribution.minimum, found.distribution.median, found.distribution.maximum) == (
        Decimal("60.00"),
        Decimal("80.00"),
        Decimal("100.00"),
    )
    assert dict(found.distribution.histogram) == {
        "< 60%": 0,
        "60%–70%": 1,
        "70%–80%": 0,
        "80%–90%": 1,
        "≥ 90%": 1,
    }
    page = login("demo-reviewer").get(f"/library/{row.id}").get_data(as_text=True)
    assert "已在 3 个项目中使用" in page
    assert "60.00%" in page and "80.00%" in page and "100.00%" in page
    listing = login("demo-reviewer").get("/library?q=校园食堂食品安全").get_data(as_text=True)
    assert ">3</td>" in listing


def test_distribution_prefers_the_scoring_engine(demo, db):
    """A stored score that the inputs no longer give (stale) yields to the engine's figure."""
    row = _shared(db, demo)
    version = services.current_version(db, row.id)
    leaf = engagement_indicator(
        db,
        demo.engagement,
        name="食堂合格率",
        rule="ratio",
        weight=Decimal("5.00"),
        target="100%",
        actual="50%",
        score=Decimal("5.00"),  # stale: 50% of the target gives 5.00 × 0.5
        library_indicator_id=row.id,
        library_version=version.number,
    )
    assert leaf_scores(db, demo.engagement)[leaf.id] == Decimal("2.50")
    found = usage.usage(db, indicator_id=row.id)
    assert found.rates == [Decimal("50.00")]


def test_diff_page_marks_changes(login, demo, db):
    admin = demo.users["demo-admin"]
    row = _shared(db, demo)
    services.edit(
        db,
        actor=admin,
        indicator=row,
        data=content(definition="抽查的学校及托幼机构食堂中检查合格的比例。", target="98%"),
        change_note="扩大范围",
        version=row.version,
    )
    db.flush()
    page = login("demo-lead").get(f"/library/{row.id}/diff?a=1&b=2").get_data(as_text=True)
    assert "第 1 版与第 2 版比较" in page and "扩大范围" in page
    assert "<ins" in page and "及托幼机构" in page and "<del" in page
    assert page.count("已修改") >= 2  # 指标解释 and 目标值
    assert login("demo-lead").get(f"/library/{row.id}/diff?a=1&b=9").status_code == 404


def test_create_edit_propose_and_review_through_pages(login, demo, db):
    client = login("demo-evaluator")
    form = {
        "level1": "产出",
        "level2": "产出质量",
        "name": "",
        "definition": "定义",
        "standard_type": "计划标准",
        "rule": "ratio",
        "weight": "abc",
        "benchmarks": "缺少年份",
        "engagement_types": ["project"],
    }
    page = client.post("/library/new", data=form).get_data(as_text=True)
    assert "请填写指标名称" in page
    form["name"] = "社区食堂覆盖率"
    page = client.post("/library/new", data=form).get_data(as_text=True)
    assert "不是有效数字" in page and "格式应为 数值|年份|来源" in page
    assert (
        db.exec(select(LibraryIndicator).where(LibraryIndicator.name == "社区食堂覆盖率")).first()
        is None
    )
    form.update(weight="3.5", benchmarks="88%|2024|民政统计", tags="养老、社区")
    response = client.post("/library/new", data=form)
    assert response.status_code == 302
    row = db.exec(select(LibraryIndicator).where(LibraryIndicator.name == "社区食堂覆盖率")).one()
    assert row.status == Status.personal and row.owner_id == demo.users["demo-evaluator"].id
    assert login("demo-lead").get(f"/library/{row.id}").status_code == 404  # private
    edit = client.get(f"/library/{row.id}/edit").get_data(as_text=True)
    assert "社区食堂覆盖率" in edit and "88%|2024|民政统计" in edit
    form.update(definition="定义（修订）", change_note="补充", version=str(row.version))
    assert client.post(f"/library/{row.id}/edit", data=form).status_code == 302
    db.refresh(row)
    assert row.current_version == 2
    stale = client.post(
        f"/library/{row.id}/edit", data={**form, "version": "1"}, follow_redirects=True
    )
    assert "已被他人修改" in stale.get_data(as_text=True)
    db.refresh(row)
    assert row.current_version == 2
    client.post(f"/library/{row.id}/propose", data={"version": row.version})
    db.refresh(row)
    assert row.status == Status.proposed
    admin = login("demo-admin")
    queue = admin.get("/library/review").get_data(as_text=True)
    assert "社区食堂覆盖率" in queue and "营养餐供餐食谱达标率" in queue  # and the demo's
    refused = login("demo-lead").post(f"/library/{row.id}/approve", data={})
    db.refresh(row)
    assert refused.status_code == 403 and row.status == Status.proposed
    empty = admin.post(f"/library/{row.id}/reject", data={"reason": ""}, follow_redirects=True)
    db.refresh(row)
    assert "请填写理由" in empty.get_data(as_text=True) and row.status == Status.proposed
    returned = admin.post(
        f"/library/{row.id}/reject", data={"reason": "请补充计算公式", "version": row.version}
    )
    assert returned.headers["Location"].endswith("/library/review")
    db.refresh(row)
    assert row.status == Status.personal and row.status_note == "请补充计算公式"
    assert "审核退回：请补充计算公式" in client.get(f"/library/{row.id}").get_data(as_text=True)
    bare = client.post(f"/library/{row.id}/propose", data={}, follow_redirects=True)
    assert "缺少版本号" in bare.get_data(as_text=True)
    db.refresh(row)
    assert row.status == Status.personal
    client.post(f"/library/{row.id}/propose", data={"version": row.version})
    db.refresh(row)
    admin.post(f"/library/{row.id}/approve", data={"version": row.version})
    db.refresh(row)
    assert row.status == Status.shared
    assert "社区食堂覆盖率" in login("demo-lead").get("/library?q=社区食堂").get_data(as_text=True)


def test_benchmark_form(login, demo, db):
    row = _shared(db, demo)
    client = login("demo-reviewer")
    bad = client.post(
        f"/library/{row.id}/benchmarks",
        data={"value": "90%", "year": "1800", "source": "x"},
        follow_redirects=True,
    )
    db.refresh(row)
    assert "年份不合理" in bad.get_data(as_text=True) and row.current_version == 1
    client.post(
        f"/library/{row.id}/benchmarks",
        data={
            "value": "90%",
            "year": str(today_local().year),
            "source": "年度公报",
            "version": row.version,
        },
    )
    db.refresh(row)
    assert row.current_version == 2
    assert (
        login("demo-expert")
        .post(f"/library/{row.id}/benchmarks", data={"value": "1", "year": "2024", "source": "x"})
        .status_code
        == 403
    )


def test_api_lists_and_shows_library_indicators(client, demo, db, token_for):
    headers = token_for(demo.users["demo-expert"])
    body = client.get("/api/v1/library?q=资金到位率", headers=headers).get_json()
    assert body["total"] >= 1
    item = next(i for i in body["items"] if i["name"] == "资金到位率")
    assert item["weight"] == "3.00" and item["version"] == 1  # common/project.yaml
    detail = client.get(f"/api/v1/library/{item['id']}", headers=headers).get_json()
    assert detail["definition"] and isinstance(detail["points"], list)
    bureau = token_for(demo.users["demo-bureau"])
    assert client.get("/api/v1/library", headers=bureau).status_code == 403
    assert client.get("/api/v1/library?status=nonsense", headers=headers).status_code == 422
