"""Reading a version's sections in the browser, and the pure statuses and timeline."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

from workbench.review import reading
from workbench.review.states import (
    OVERDUE_FEEDBACK,
    OVERDUE_RECTIFY,
    ReviewKind,
    can_move,
    follow_up_state,
    parse_review_kind,
    review_kinds_of,
    timeline,
)


def test_html_is_sanitized_and_cut_into_top_level_blocks():
    found = reading.paragraphs(
        '<p onclick="x()">甲 <script>alert(1)</script><b>乙</b></p><ul><li>一</li><li>二</li></ul>'
        'loose <em>text</em><br>more &amp; x<table><tr><td colspan="2">1</td></tr></table>'
        '<a href="javascript:evil()">link</a><p>  </p><img src=x onerror=alert(1)>'
    )
    assert found == [
        "<p>甲 <b>乙</b></p>",
        "<ul><li>一</li><li>二</li></ul>",
        "<p>loose <em>text</em></p>",
        "<p>more &amp; x</p>",
        '<table><tbody><tr><td colspan="2">1</td></tr></tbody></table>',
        "<p>link</p>",
    ]
    assert all("script" not in p and "onclick" not in p and "href" not in p for p in found)


def test_plain_text_is_escaped_one_paragraph_per_line():
    assert reading.paragraphs("第一段\n\n第二段 <二> & 3 < 4\n") == [
        "<p>第一段</p>",
        "<p>第二段 &lt;二&gt; &amp; 3 &lt; 4</p>",
    ]


def test_snapshot_values_may_carry_their_title():
    found = reading.sections(
        {"overview": {"title": "（一）项目概况", "html": "<p>甲</p><p>乙</p>"}, "x": None},
        {"x": "标题X"},
    )
    assert [(s.key, s.title, len(s.paragraphs)) for s in found] == [
        ("overview", "（一）项目概况", 2),
        ("x", "标题X", 0),
    ]


def test_problems_are_extracted_without_numbering():
    snapshot = {
        "overview": {"title": "项目概况", "html": "<p>存在的问题不在此节</p>"},
        "problems": {
            "title": "（二）存在的问题及原因分析",
            "html": "<p>主要问题如下：</p><ol><li>（一）资金拨付不及时，部分学校延迟两个月</li>"
            "<li>2. 绩效目标设置不够细化量化</li></ol><p>三、部分学校食堂台账不全</p>",
        },
    }
    assert reading.extract_problems(snapshot) == [
        "资金拨付不及时，部分学校延迟两个月",
        "绩效目标设置不够细化量化",
        "部分学校食堂台账不全",
    ]
    assert reading.extract_problems(None) == []


def test_review_kinds():
    assert parse_review_kind("report", stage="bureau_review") == ReviewKind.final_report
    assert parse_review_kind("report", stage="report") == ReviewKind.draft_report
    assert parse_review_kind("plan") == ReviewKind.plan
    assert parse_review_kind("score_sheet") is None
    assert review_kinds_of("report") == [ReviewKind.draft_report, ReviewKind.final_report]
    assert review_kinds_of("plan") == [ReviewKind.plan]


def test_timeline_submitted_returned_resubmitted_approved():
    t = [datetime(2026, 1, d, tzinfo=UTC) for d in range(1, 5)]
    rows = [
        SimpleNamespace(id=2, round=2, version_number=3, submitted_at=t[2], status="approved", decided_at=t[3]),
        SimpleNamespace(id=1, round=1, version_number=1, submitted_at=t[0], status="returned", decided_at=t[1]),
    ]  # fmt: skip
    events = timeline(rows, {1: 2})
    assert [(e.label, e.detail) for e in events] == [
        ("提交审核", "第 1 版"),
        ("委托方退回", "2 条审核意见"),
        ("第 2 次提交（修改后重新提交）", "第 3 版"),
        ("委托方审核通过", "第 3 版"),
    ]
    assert [e.at for e in events] == t


def test_follow_up_overdue_is_derived_from_the_dates():
    feedback, rectify = date(2026, 3, 21), date(2026, 4, 20)
    assert follow_up_state("open", feedback, rectify, date(2026, 3, 21)) == "open"
    assert follow_up_state("open", feedback, rectify, date(2026, 3, 22)) == OVERDUE_FEEDBACK
    assert follow_up_state("feedback_received", feedback, rectify, date(2026, 4, 1)) == (
        "feedback_received"
    )
    assert follow_up_state("feedback_received", feedback, rectify, date(2026, 4, 21)) == (
        OVERDUE_RECTIFY
    )
    assert follow_up_state("rectified", feedback, rectify, date(2027, 1, 1)) == "rectified"
    assert can_move("open", "rectified") and can_move("feedback_received", "rectified")
    assert not can_move("rectified", "open") and not can_move("open", "bogus")
