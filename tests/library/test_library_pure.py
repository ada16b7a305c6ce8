"""Pure library modules: content validation and digests, statistics, diffs, YAML checks."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import col, func, select

from tests.library.library_helpers import BASE, content
from workbench.library import content as leaf_content
from workbench.library import stats, yaml_check
from workbench.library.content import BenchmarkValue


def test_digest_follows_content_not_object_identity():
    assert content().digest() == content().digest()
    assert content(weight=Decimal("4")).digest() == content(weight=Decimal("4.00")).digest()
    assert content(target="95%").digest() != BASE.digest()
    assert content(tags=("学校食堂", "食品安全")).digest() != BASE.digest()  # order matters
    assert leaf_content.from_columns(BASE.columns()) == BASE


def test_search_document_is_lower_case_name_definition_and_tags():
    document = content(name="ABC率", definition="Def", tags=("X标签",)).search_document()
    assert document == "abc率\ndef\nx标签"


def test_split_helpers():
    assert leaf_content.split_lines(" 一 \r\n\n二\n") == ("一", "二")
    assert leaf_content.split_tags("教育、 学前，教育;资助") == ("教育", "学前", "资助")
    values, errors = leaf_content.parse_benchmarks("95%|2023|公报\n坏行\n90%|二〇二三|x")
    assert values == (BenchmarkValue("95%", 2023, "公报"),)
    assert len(errors) == 2 and "第2行" in errors[0] and "第3行" in errors[1]


def test_validation_messages_name_the_field():
    assert leaf_content.validate(BASE) == []
    problems = leaf_content.validate(
        content(
            level1="",
            rule="elements",
            params="1/2:1",
            points=("一", "二", "三"),
            weight=Decimal("120"),
            tags=("a、b",),
            benchmarks=[("", 1800, "")],
        )
    )
    by_field: dict[str, str] = {}
    for item in problems:
        by_field[item["field"]] = by_field.get(item["field"], "") + item["message"]
    assert by_field["level1"] == "一级指标不能为空"
    assert "与评价要点条数（3）不一致" in by_field["params"]
    assert "不超过100" in by_field["weight"]
    assert "顿号" in by_field["tags"]
    assert "缺少数值" in by_field["benchmarks"]
    bands = leaf_content.validate(content(rule="bands", params=">=95%:1; 坏"))
    assert bands and bands[0]["field"] == "params"


def test_benchmark_age():
    none = stats.benchmark_age([], current_year=2026, stale_years=3)
    assert none.missing and not none.stale
    items = [
        {"value": "1", "year": 2020, "source": "a"},
        {"value": "2", "year": 2023, "source": "b"},
    ]
    assert stats.benchmark_age(items, current_year=2026, stale_years=3) == stats.BenchmarkAge(
        2023, False, 3
    )
    assert stats.benchmark_age(items, current_year=2027, stale_years=3).stale
    assert not stats.benchmark_age(items, current_year=2027, stale_years=4).stale


def test_rate_and_distribution():
    assert stats.rate(Decimal("3.84"), Decimal("4")) == Decimal("96.00")
    assert stats.rate(Decimal("2"), Decimal("3")) == Decimal("66.67")
    assert stats.rate(Decimal("1"), Decimal("0")) is None
    empty = stats.distribution([])
    assert empty.count == 0 and empty.median is None and empty.peak == 0
    values = [Decimal(v) for v in ("90", "59.99", "60", "100", "85.5", "70")]
    found = stats.distribution(values)
    assert (found.minimum, found.median, found.maximum) == (
        Decimal("59.99"),
        Decimal("77.75"),
        Decimal("100"),
    )
    assert found.histogram == (
        ("< 60%", 1),
        ("60%–70%", 1),
        ("70%–80%", 1),
        ("80%–90%", 1),
        ("≥ 90%", 2),
    )
    assert stats.distribution([Decimal("1"), Decimal("2"), Decimal("4")]).median == Decimal("2")


def test_diff_segments_and_fields():
    segments = stats.text_segments("资金到位率", "资金按时到位率")
    assert segments == (("equal", "资金"), ("insert", "按时"), ("equal", "到位率"))
    fields = stats.diff_fields(
        {"name": "甲", "points": ["一"], "benchmarks": []},
        {
            "name": "甲",
            "points": ["一", "二"],
            "benchmarks": [{"value": "9", "year": 2024, "source": "s"}],
        },
        {"name": "名称", "points": "要点", "benchmarks": "基准值"},
    )
    assert [f.changed for f in fields] == [False, True, True]
    assert fields[1].new == "一\n二" and fields[2].new == "9｜2024年｜s"


def test_duplicate_yaml_keys_are_found_with_their_line():
    text = "key: a\nname: 甲\nindicators:\n  - name: 乙\n    name: 丙\n    children: []\nkey: b\n"
    assert yaml_check.duplicate_keys(text) == [
        "第5行：字段「name」在同一层级重复出现",
        "第7行：字段「key」在同一层级重复出现",
    ]
    assert yaml_check.duplicate_keys("a: [unclosed") == []
    assert yaml_check.looks_like_text("key: 值".encode()) is None
    assert "UTF-8" in yaml_check.looks_like_text("key: 水利".encode("gbk"))


def test_demo_fills_the_library_and_a_proposal(db, demo):
    from workbench.library.demo import DEMO_PROPOSAL
    from workbench.library.models import LibraryIndicator, Status

    packed = db.exec(select(func.count()).where(col(LibraryIndicator.pack_key).is_not(None))).one()
    assert packed == 260
    proposal = db.exec(
        select(LibraryIndicator).where(LibraryIndicator.name == DEMO_PROPOSAL.name)
    ).one()
    assert proposal.status == Status.proposed
    assert proposal.owner_id == demo.users["demo-evaluator"].id
