"""Rectification follow-up: items from the approved report, due dates, progress by lead and bureau."""

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from workbench.core.errors import Conflict, NotAllowed, ValidationFailed
from workbench.core.timeutil import local, today_local
from workbench.review import rectification
from workbench.review.models import Notification, RectificationItem

LINES = "资金拨付不及时 | 建立拨付时限制度\n\n绩效目标不够细化\n"


def _items(db, engagement) -> int:
    return db.exec(
        select(func.count())
        .select_from(RectificationItem)
        .where(RectificationItem.engagement_id == engagement.id)
    ).one()


def _create(db, engagement, people, text=LINES, **kwargs):
    return rectification.create_items(
        db, actor=people.lead, engagement=engagement, text=text, **kwargs
    )


def test_items_wait_for_the_approved_final_report(engagement, submitted, db, demo, people):
    with pytest.raises(Conflict, match="经委托方审核通过后"):
        _create(db, engagement, people)
    assert rectification.candidates(db, engagement) == []


def test_candidates_come_from_the_problems_section(engagement, approved, db, demo):
    assert rectification.candidates(db, engagement) == [
        "资金拨付不及时，部分学校延迟两个月到账",
        "绩效目标设置不够细化量化",
    ]


def test_items_get_default_due_dates_and_notify_the_bureau(engagement, approved, db, demo, people):
    first, second = _create(db, engagement, people)
    approved_on = local(approved.decided_at).date()
    assert (first.problem, first.requirement) == ("资金拨付不及时", "建立拨付时限制度")
    assert (second.problem, second.requirement) == ("绩效目标不够细化", "")
    assert first.feedback_due == approved_on + timedelta(days=20)
    assert first.rectify_due == approved_on + timedelta(days=50)
    assert first.submission_id == approved.id and first.status == "open"
    notes = db.exec(
        select(Notification).where(
            Notification.kind == "review.rectification", Notification.engagement_id == engagement.id
        )
    ).all()
    by_user = {n.user_id: n for n in notes}
    assert set(by_user) == {people.bureau.id, people.unit.id}
    assert "2 项" in by_user[people.bureau.id].title
    # The unit is asked to report, and led to its own page (it cannot see the agency's).
    unit = by_user[people.unit.id]
    assert unit.title.endswith("请按期反馈 2 项问题的整改情况")
    assert unit.link == f"/engagements/{engagement.id}/rectification/unit"


def test_configurable_periods(engagement, approved, app, db, demo, people, monkeypatch):
    monkeypatch.setitem(app.config, "RECTIFICATION_FEEDBACK_DAYS", 15)
    monkeypatch.setitem(app.config, "RECTIFICATION_DAYS", 60)
    [item] = _create(db, engagement, people, text="问题甲", base_date=date(2026, 1, 1))
    assert (item.feedback_due, item.rectify_due) == (date(2026, 1, 16), date(2026, 3, 17))
    [other] = _create(
        db,
        engagement,
        people,
        text="问题乙",
        base_date=date(2026, 1, 1),
        feedback_days=10,
        rectify_days=5,
    )
    assert (other.feedback_due, other.rectify_due) == (date(2026, 1, 11), date(2026, 1, 16))
    assert other.position == 2


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("  \n ", {}, "请至少填写一个问题"),
        ("| 只有要求", {}, "第 1 行缺少问题描述"),
        ("甲\n" + "长" * 2001, {}, "第 2 行超过 2000 字"),
        ("甲", {"feedback_days": 0}, "反馈期限须为 1–365 天"),
        ("甲", {"rectify_days": 400}, "整改期限须为 1–365 天"),
    ],
)
def test_bad_input_creates_nothing(engagement, approved, db, demo, people, text, kwargs, message):
    with pytest.raises(ValidationFailed) as caught:
        _create(db, engagement, people, text=text, **kwargs)
    assert any(message in d["message"] for d in caught.value.details)
    assert _items(db, engagement) == 0


def test_progress_by_bureau_and_lead(engagement, approved, db, demo, people):
    item, _ = _create(db, engagement, people)
    engagement = engagement

    def move(user, status, note="", version=None):
        return rectification.record_progress(
            db, actor=user, engagement=engagement, item_id=item.id, status=status, note=note,
            version=item.version if version is None else version,
        )  # fmt: skip

    with pytest.raises(NotAllowed):
        move(people.unit, "feedback_received")
    with pytest.raises(Conflict, match="已被他人修改"):
        move(people.bureau, "feedback_received", version=item.version + 5)
    with pytest.raises(ValidationFailed, match="状态无效"):
        move(people.bureau, "closed")
    move(people.bureau, "feedback_received", "已印发评价结果通知")
    assert item.status == "feedback_received" and item.feedback_note == "已印发评价结果通知"
    with pytest.raises(ValidationFailed, match="请说明整改情况"):
        move(people.lead, "rectified")
    move(people.lead, "rectified", "单位已建立拨付时限制度")
    assert item.status == "rectified" and item.rectified_at is not None
    with pytest.raises(Conflict, match="不能改为"):
        move(people.bureau, "feedback_received", "x")
    with pytest.raises(Conflict, match="已登记进展的整改事项不能删除"):
        rectification.delete_item(db, actor=people.lead, engagement=engagement, item_id=item.id)


def test_lead_edits_and_deletes_items(engagement, approved, db, demo, people):
    item, other = _create(db, engagement, people)
    engagement = engagement
    with pytest.raises(NotAllowed):
        rectification.update_item(
            db, actor=people.bureau, engagement=engagement, item_id=item.id, problem="x",
            requirement="", feedback_due=date(2026, 1, 1), rectify_due=date(2026, 2, 1),
            version=item.version,
        )  # fmt: skip
    with pytest.raises(ValidationFailed, match="整改事项有误") as caught:
        rectification.update_item(
            db, actor=people.lead, engagement=engagement, item_id=item.id, problem="x",
            requirement="", feedback_due=date(2026, 3, 1), rectify_due=date(2026, 2, 1),
            version=item.version,
        )  # fmt: skip
    assert caught.value.details[0]["message"] == "整改期限不能早于反馈期限"
    rectification.update_item(
        db, actor=people.lead, engagement=engagement, item_id=item.id, problem="资金拨付严重滞后",
        requirement="三十日内拨付到位", feedback_due=date(2026, 1, 1), rectify_due=date(2026, 2, 1),
        version=item.version,
    )  # fmt: skip
    assert (item.problem, item.rectify_due) == ("资金拨付严重滞后", date(2026, 2, 1))
    rectification.delete_item(db, actor=people.lead, engagement=engagement, item_id=other.id)
    assert _items(db, engagement) == 1


def test_page_shows_derived_overdue_to_lead_and_bureau(
    engagement, approved, db, demo, people, login
):
    late, fine = _create(db, engagement, people)
    late.feedback_due = today_local() - timedelta(days=1)
    db.add(late)
    db.flush()
    url = f"/engagements/{engagement.id}/review/rectification"
    for user in ("demo-lead", "demo-bureau"):
        page = login(user).get(url).get_data(as_text=True)
        assert f'id="item-{late.id}" data-state="overdue_feedback"' in page
        assert f'id="item-{fine.id}" data-state="open"' in page and "逾期未反馈" in page
        assert ("建立整改事项" in page) == (user == "demo-lead")
    for user in ("demo-unit", "demo-expert", "demo-bureau2"):
        assert login(user).get(url).status_code in (403, 404)
    bureau = login("demo-bureau")
    response = bureau.post(
        f"{url}/{fine.id}/progress",
        data={"status": "feedback_received", "note": "已反馈", "version": fine.version},
    )
    assert response.status_code == 302
    db.refresh(fine)
    assert fine.status == "feedback_received"
    assert (
        bureau.post(f"{url}/{fine.id}/edit", data={"problem": "x"}).headers["X-Permission-Denied"]
        == "403"
    )


def test_lead_creates_items_through_the_page(engagement, approved, db, demo, login):
    lead = login("demo-lead")
    url = f"/engagements/{engagement.id}/review/rectification"
    page = lead.get(url).get_data(as_text=True)
    assert "资金拨付不及时，部分学校延迟两个月到账" in page  # prefilled from the report
    response = lead.post(
        f"{url}/new",
        data={"problems": "问题一\n问题二 | 要求", "feedback_days": 20, "rectify_days": 30},
    )
    assert response.status_code == 302 and _items(db, engagement) == 2
    bad = lead.post(f"{url}/new", data={"problems": "x", "feedback_days": 0}, follow_redirects=True)
    assert "反馈期限须为 1–365 天" in bad.get_data(as_text=True) and _items(db, engagement) == 2
