"""The ex-ante conclusion on the report page: derived from the signed score, never picked by hand."""

from __future__ import annotations

from tests.reports.report_helpers import ex_ante_engagement
from workbench.indicators import services as indicators
from workbench.scoring import services as scoring


def test_the_page_shows_the_band_conclusion_only_after_the_lead_signs(db, demo, login):
    engagement = ex_ante_engagement(db, demo, [12, 13, 14, 13, 12])  # 64 → 调整后支持
    client = login("demo-lead")
    page = client.get(f"/engagements/{engagement.id}/report").get_data(as_text=True)
    assert "评估结论：<strong>待定</strong>" in page
    assert "尚未经项目负责人签字确认，评估结论待定" in page
    assert 'name="ex_ante_conclusion"' not in page  # nothing to pick
    indicators.confirm(db, actor=demo.users["demo-lead"], engagement=engagement)
    scoring.sign(db, actor=demo.users["demo-lead"], engagement=engagement)
    page = client.get(f"/engagements/{engagement.id}/report").get_data(as_text=True)
    assert "评估结论：<strong>调整后支持</strong>" in page
    assert "80分及以上予以支持，60分及以上不足80分调整后支持，不足60分不予支持" in page


def test_a_posted_choice_has_no_route_and_changes_nothing(db, demo, login):
    engagement = ex_ante_engagement(db, demo, [10, 10, 10, 10, 10])  # 50 → 不予支持
    indicators.confirm(db, actor=demo.users["demo-lead"], engagement=engagement)
    scoring.sign(db, actor=demo.users["demo-lead"], engagement=engagement)
    client = login("demo-lead")
    answer = client.post(
        f"/engagements/{engagement.id}/report/conclusion", data={"ex_ante_conclusion": "予以支持"}
    )
    assert answer.status_code == 404
    page = client.get(f"/engagements/{engagement.id}/report").get_data(as_text=True)
    assert "评估结论：<strong>不予支持</strong>" in page


def test_a_project_engagement_has_no_conclusion_card(db, demo, login):
    page = login("demo-lead").get(f"/engagements/{demo.engagement.id}/report")
    assert 'id="ex-ante-conclusion"' not in page.get_data(as_text=True)
