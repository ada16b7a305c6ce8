"""要素计分 with no element judged is not scored: rule, library copy, scoring page and score sheet."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.indicators.helpers import new_engagement
from tests.reports.report_helpers import open_version
from workbench.indicators import library_link
from workbench.reports import services as reports
from workbench.scoring import rules
from workbench.scoring.params import ParamError
from workbench.scoring.services import compute

D = Decimal


def test_no_element_judged_is_not_scored():
    with pytest.raises(ParamError, match="评价要点均未评定达成度，未评分"):
        rules.score_elements(weight=D(6), items=[(D(1) / 3, None)] * 3)


@pytest.mark.parametrize(
    ("rule", "params", "copied"),
    [
        ("elements", "1/3:1; 1/3:1; 1/3:1", "1/3; 1/3; 1/3"),
        ("要素", "25%：1；75%：0.5", "25%; 75%"),
        ("ratio", "floor=60%", "floor=60%"),
    ],
)
def test_library_copy_keeps_shares_and_drops_example_mets(rule, params, copied):
    assert library_link.unjudged(rule, params) == copied


@pytest.fixture()
def ex_ante(db, demo):
    engagement = new_engagement(db, demo, title="2026年度食堂改造项目事前绩效评估")
    engagement.type = "ex_ante"
    db.add(engagement)
    db.flush()
    library_link.start_from_framework(db, actor=demo.users["demo-lead"], engagement=engagement)
    return engagement


def test_framework_elements_leaves_start_unscored(db, ex_ante):
    result, rows = compute(db, ex_ante)
    elements = [row for row in rows if row.indicator.rule == "elements"]
    assert len(elements) > 10
    assert all(row.result.score is None for row in elements)
    assert result.total is None
    assert all("未评分" in row.result.explanation for row in elements)


def test_scoring_page_and_score_sheet_say_not_scored(ctx, db, demo, ex_ante, login):
    page = login("demo-lead").get(f"/engagements/{ex_ante.id}/scoring").get_data(as_text=True)
    assert "评价要点均未评定达成度，未评分" in page
    version = reports.generate(
        db, actor=demo.users["demo-lead"], engagement=ex_ante, kind="score_sheet"
    )
    document = open_version(version)
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "一级指标")
    policy = next(row for row in table.rows if row.cells[2].text == "政策相符性")
    assert [policy.cells[3].text, policy.cells[4].text] == ["6.00", "未评分"]  # not full marks
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith("被评估单位：") for t in texts)
    assert any(t.startswith("评估机构：") for t in texts)
    assert "评价" not in "".join(texts).replace("绩效评价咨询", "")
    assert any(row.cells[0].text == "评估等级" for row in table.rows)
