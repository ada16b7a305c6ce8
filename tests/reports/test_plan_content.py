"""The generated plan is a plan: written or rule standards, planned dates, the team's 职称/资格.

Read back with python-docx from the demo engagement and from one built here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from tests.reports.report_helpers import open_version, sample_engagement
from tests.reports.test_render import cell_text, cells, score_table_rows
from workbench.indicators.models import Indicator
from workbench.reports import services
from workbench.reports.context_plan import PHASE_NAMES
from workbench.reports.services.schedule import save_schedule
from workbench.reports.services.settings import get_setting, setting_version
from workbench.scoring.services import compute

WORKING = ("→", "min(", "手工评定", "得分为", "（进行中）")
# Arithmetic with numbers ("6 × min(…", "3 × 0.8", "= 5.91"); a written "到位率×分值" is a rule.
ARITHMETIC = re.compile(r"\d\s*[×÷]\s*[\d(]|=\s*\d+\.\d\d")
_CN_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def _plan(db, actor, engagement):
    version = services.generate(db, actor=actor, engagement=engagement, kind="plan")
    db.flush()
    return open_version(version)


def _all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def _standards(document) -> dict[str, str]:
    rows = score_table_rows(document)[1:-1]  # header and 合计 left out
    return {cell_text(cells(tr)[2]): cell_text(cells(tr)[-1]) for tr in rows}


def _results(db, engagement) -> list[str]:
    """Actual values and leaf scores of the engagement that would betray a result."""
    _result, rows = compute(db, engagement)
    found = []
    for row in rows:
        actual = (row.indicator.actual or "").strip()
        if len(actual) >= 3 and actual not in (row.indicator.target or ""):
            found.append(actual)
        if row.result.score is not None and row.result.score != row.indicator.weight:
            found.append(f"{row.result.score:.2f}")
    return found


def _assert_no_results(db, engagement, document) -> None:
    text = _all_text(document)
    standards = _standards(document)
    assert len(standards) == len(compute(db, engagement)[1])
    for name, standard in standards.items():
        assert standard, name
        assert not [mark for mark in WORKING if mark in standard], (name, standard)
        assert not ARITHMETIC.search(standard), (name, standard)
    leaked = [value for value in _results(db, engagement) if value in "\n".join(standards.values())]
    assert not leaked, leaked
    assert not [mark for mark in WORKING if mark in text]


def test_demo_plan_prints_standards_and_no_results(ctx, db, demo):
    document = _plan(db, demo.users["demo-lead"], demo.engagement)
    _assert_no_results(db, demo.engagement, document)


def test_built_engagement_plan_prints_rule_sentences_where_no_standard_is_written(ctx, db, demo):
    engagement = sample_engagement(db, demo)
    leaves = db.exec(select(Indicator).where(Indicator.engagement_id == engagement.id)).all()
    for leaf in leaves:  # nothing written: every row must come from the rule
        leaf.standard = ""
        db.add(leaf)
    db.flush()
    document = _plan(db, demo.users["demo-lead"], engagement)
    _assert_no_results(db, engagement, document)
    standards = _standards(document)
    by_rule = {leaf.rule: standards[leaf.name] for leaf in leaves}
    assert by_rule["ratio"].startswith("以实际值与目标值之比乘以分值计分")
    assert by_rule["manual"] == "由评价组根据核查情况在0至分值之间评定，并书面说明评分理由"
    assert by_rule["elements"].startswith("按评价要点计分")
    assert not [s for s in standards.values() if "×" in s or "÷" in s]


def _dates(text: str) -> list[date]:
    return [date(int(y), int(m), int(d)) for y, m, d in _CN_DATE.findall(text)]


def _table(document, first_header: str):
    return next(t for t in document.tables if t.rows[0].cells[0].text == first_header)


def test_demo_plan_schedule_is_the_planned_timetable(ctx, db, demo):
    document = _plan(db, demo.users["demo-lead"], demo.engagement)
    written = get_setting(db, demo.engagement).plan_date
    cover = "\n".join(p.text for p in document.paragraphs[:15])
    assert f"{written.year}年{written.month}月{written.day}日" in cover
    schedule = _table(document, "工作阶段")
    periods = [row.cells[1].text for row in schedule.rows[1:]]
    assert all("进行中" not in p and p != "待定" for p in periods)
    start = demo.engagement.planned_start
    assert periods[0].startswith(f"{start.year}年{start.month}月{start.day}日")
    due = [row.cells[2].text for row in _table(document, "序号").rows[1:]]
    assert all(d >= written for text in due for d in _dates(text)), due


def test_plan_without_a_timetable_says_pending_not_invented_dates(ctx, db, demo):
    engagement = sample_engagement(db, demo)
    engagement.planned_start = date(2025, 3, 1)
    engagement.planned_end = date(2025, 6, 30)
    db.add(engagement)
    db.flush()
    document = _plan(db, demo.users["demo-lead"], engagement)
    periods = [row.cells[1].text for row in _table(document, "工作阶段").rows[1:]]
    assert periods == ["2025年3月1日起", "待定", "待定", "待定", "2025年6月30日前完成"]
    due = [row.cells[2].text for row in _table(document, "序号").rows[1:]]
    assert due == ["待定"] * 6 + ["2025年6月30日"]


def test_saved_timetable_is_printed_and_audited(ctx, db, demo):
    engagement = sample_engagement(db, demo)
    lead = demo.users["demo-lead"]
    first = date(2025, 4, 1)
    save_schedule(
        db,
        actor=lead,
        engagement=engagement,
        version=setting_version(get_setting(db, engagement)),
        plan_date=first,
        windows={"前期准备": (first, first + timedelta(days=9)), "分析评价": (None, None)},
    )
    document = _plan(db, lead, engagement)
    periods = [row.cells[1].text for row in _table(document, "工作阶段").rows[1:]]
    assert periods[0] == "2025年4月1日—4月10日" and periods[2] == "待定"
    assert "2025年4月1日" in "\n".join(p.text for p in document.paragraphs[:15])


def test_timetable_refuses_ends_before_starts_or_the_plan_date(ctx, db, demo):
    from workbench.core.errors import ValidationFailed

    engagement = sample_engagement(db, demo)
    day = date(2025, 4, 10)
    with pytest.raises(ValidationFailed) as error:
        save_schedule(
            db,
            actor=demo.users["demo-lead"],
            engagement=engagement,
            version=0,
            plan_date=day,
            windows={
                PHASE_NAMES[0]: (day - timedelta(days=20), day - timedelta(days=1)),
                PHASE_NAMES[1]: (day + timedelta(days=5), day + timedelta(days=2)),
            },
        )
    messages = [d["message"] for d in error.value.details]
    assert messages == [
        "前期准备的结束日期不能早于方案编制日期",
        "现场评价的结束日期不能早于开始日期",
    ]


def test_team_table_prints_title_qualifications_and_duty(ctx, db, demo):
    lead = demo.users["demo-lead"]
    lead.title = "高级会计师"
    lead.qualifications = "注册会计师\n资产评估师"
    db.add(lead)
    db.flush()
    document = _plan(db, lead, demo.engagement)
    team = next(t for t in document.tables if t.rows[0].cells[0].text == "姓名")
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in team.rows[1:]}
    assert rows["李项目"][1] == "高级会计师；注册会计师、资产评估师"
    assert rows["张评价"][3] == "资料审核、现场核查、问卷调查"
