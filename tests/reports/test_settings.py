"""The plan's sampling settings and the ex-ante conclusion: validation, conflicts, locks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from workbench.core.errors import Conflict, Locked, NotAllowed, ValidationFailed
from workbench.reports import locks
from workbench.reports.models import ReportSetting
from workbench.reports.services import settings


def _row(db, demo) -> ReportSetting:
    return db.exec(
        select(ReportSetting).where(ReportSetting.engagement_id == demo.engagement.id)
    ).one()


def test_demo_settings_and_strata_parsing(db, demo):
    row = _row(db, demo)
    assert (row.population, row.target) == (12000, 400)
    assert row.strata == [
        {"name": "城区学校家长", "population": 4200},
        {"name": "乡镇学校家长", "population": 7800},
    ]
    assert settings.parse_strata("城区，4,000\n\n农村\t6000") == [
        {"name": "城区", "population": 4000},
        {"name": "农村", "population": 6000},
    ]
    with pytest.raises(ValidationFailed) as error:
        settings.parse_strata("城区,4000\n农村\n郊区,-3")
    assert [d["message"] for d in error.value.details] == [
        "第2行应为“类别,总体数量”（数量为正整数）：农村",
        "第3行应为“类别,总体数量”（数量为正整数）：郊区,-3",
    ]


def test_bad_values_stale_versions_and_roles_change_nothing(db, demo):
    row = _row(db, demo)
    lead, version = demo.users["demo-lead"], row.version
    with pytest.raises(ValidationFailed) as error:
        settings.save_setting(
            db, actor=lead, engagement=demo.engagement, version=version,
            values={"margin": Decimal("0.7"), "confidence": Decimal("0.2"), "population": 0},
        )  # fmt: skip
    assert {d["field"] for d in error.value.details} == {"margin", "confidence", "population"}
    with pytest.raises(Conflict, match="请刷新后重试"):
        settings.save_setting(db, actor=lead, engagement=demo.engagement, version=version - 1,
                              values={"target": 500})  # fmt: skip
    with pytest.raises(NotAllowed):
        settings.save_setting(db, actor=demo.users["demo-expert"], engagement=demo.engagement,
                              version=version, values={"target": 500})  # fmt: skip
    db.refresh(row)
    assert (row.version, row.target, row.margin) == (version, 400, Decimal("0.0500"))
    settings.save_setting(db, actor=lead, engagement=demo.engagement, version=version,
                          values={"target": 500})  # fmt: skip
    assert row.target == 500 and row.version == version + 1


def test_plan_settings_refused_while_the_plan_is_under_review(db, demo, monkeypatch):
    monkeypatch.setattr(
        locks, "CHECKS", [lambda _db, _e, kind: "方案审核中" if kind == "plan" else None]
    )
    row = _row(db, demo)
    with pytest.raises(Locked, match="方案审核中"):
        settings.save_setting(db, actor=demo.users["demo-lead"], engagement=demo.engagement,
                              version=row.version, values={"target": 450})  # fmt: skip


def test_settings_form_messages_are_chinese(db, demo, login):
    client = login("demo-lead")
    row = _row(db, demo)
    page = client.post(
        f"/engagements/{demo.engagement.id}/plan/settings",
        data={"population": "一万", "confidence": "0.95", "margin": "五", "proportion": "0.5",
              "target": "", "strata": "", "version": row.version},
        follow_redirects=True,
    ).get_data(as_text=True)  # fmt: skip
    assert "调查总体数量应为正整数" in page and "允许误差应为数字" in page
    db.refresh(row)
    assert row.population == 12000
    ok = client.post(
        f"/engagements/{demo.engagement.id}/plan/settings",
        data={"population": "1,000", "confidence": "0.95", "margin": "5%", "proportion": "0.5",
              "target": "", "strata": "", "version": row.version},
        follow_redirects=True,
    ).get_data(as_text=True)  # fmt: skip
    assert "抽样设置已保存" in ok
    db.refresh(row)
    assert (row.population, row.margin, row.target, row.strata) == (1000, Decimal("0.05"), None, [])
