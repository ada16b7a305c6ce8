"""The review pages over HTTP: submit, read sections, comment, decide, answer, inbox, rubrics."""

from sqlmodel import func, select

from tests.review.conftest import make_version
from workbench.review.models import QualityRubric, ReviewComment, Submission


def _base(engagement) -> str:
    return f"/engagements/{engagement.id}/review"


def test_lead_submits_from_the_review_tab(engagement, version, db, demo, login):
    lead = login("demo-lead")
    page = lead.get(_base(engagement)).get_data(as_text=True)
    assert 'id="submit-form"' in page and "report 第 1 版" not in page
    assert "评价报告 第 1 版（送审稿）" in page
    response = lead.post(
        f"{_base(engagement)}/submit", data={"kind": "final_report", "version_id": 0}
    )
    row = db.exec(select(Submission).where(Submission.engagement_id == engagement.id)).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/review/submissions/{row.id}"
    )
    again = lead.post(
        f"{_base(engagement)}/submit", data={"kind": "final_report", "version_id": version.id},
        follow_redirects=True,
    )  # fmt: skip
    assert "正在等待委托方审核" in again.get_data(as_text=True)
    assert (
        db.exec(
            select(func.count())
            .select_from(Submission)
            .where(Submission.engagement_id == engagement.id)
        ).one()
        == 1
    )


def test_bureau_reads_comments_and_returns(engagement, submitted, db, demo, login):
    bureau = login("demo-bureau")
    url = f"{_base(engagement)}/submissions/{submitted.id}"
    page = bureau.get(url).get_data(as_text=True)
    assert "<script>" not in page.split("<main")[1].split("</main>")[0]
    assert "资金来源为市级财政。" in page and 'data-paragraph="2"' in page
    assert 'id="decision"' in page and 'id="comment-form"' in page
    # Returning without a comment is refused with the reason.
    refused = bureau.post(f"{url}/decision", data={"decision": "return"}, follow_redirects=True)
    assert "退回修改须至少填写一条审核意见" in refused.get_data(as_text=True)
    bad = bureau.post(
        f"{url}/comments", data={"section": "overview", "paragraph": 9, "body": "x"},
        follow_redirects=True,
    )  # fmt: skip
    assert "段落序号须在 1–2 之间" in bad.get_data(as_text=True)
    assert (
        db.exec(
            select(func.count())
            .select_from(ReviewComment)
            .where(ReviewComment.engagement_id == engagement.id)
        ).one()
        == 0
    )
    added = bureau.post(
        f"{url}/comments", data={"section": "overview", "paragraph": 2, "body": "请注明资金文号"}
    )
    assert added.status_code == 302 and "#comment-" in added.headers["Location"]
    assert (
        bureau.post(f"{url}/decision", data={"decision": "return", "note": "请修改"}).status_code
        == 302
    )
    db.refresh(submitted)
    assert submitted.status == "returned"
    page = bureau.get(url).get_data(as_text=True)
    assert "请注明资金文号" in page and 'id="decision"' not in page
    assert "（一）项目概况 第 2 段" in page


def test_agency_answers_and_resubmits(engagement, submitted, db, demo, people, login):
    from tests.review.conftest import comment
    from workbench.review import decisions

    row = comment(db, engagement, people, submitted)
    decisions.decide(
        db, actor=people.bureau, engagement=engagement, submission=submitted, decision="return"
    )
    db.flush()
    url = f"{_base(engagement)}/submissions/{submitted.id}"
    evaluator = login("demo-evaluator")
    page = evaluator.get(url).get_data(as_text=True)
    assert 'class="mt-1 answer-form"' in page
    empty = evaluator.post(
        f"{url}/comments/{row.id}/answer", data={"answer": ""}, follow_redirects=True
    )
    assert "请填写回复" in empty.get_data(as_text=True)
    saved = evaluator.post(
        f"{url}/comments/{row.id}/answer", data={"answer": "已补充数据来源", "version": row.version}
    )
    assert saved.status_code == 302
    db.refresh(row)
    assert row.answer == "已补充数据来源" and row.answered_by_id == people.evaluator.id
    stale = evaluator.post(
        f"{url}/comments/{row.id}/answer", data={"answer": "再改", "version": 1},
        follow_redirects=True,
    )  # fmt: skip
    assert "已被他人修改" in stale.get_data(as_text=True)
    overview = login("demo-lead").get(_base(engagement)).get_data(as_text=True)
    assert "意见已全部回复，可生成新版本后重新提交" in overview
    make_version(db, engagement, user=people.lead)
    lead = login("demo-lead")
    assert (
        lead.post(
            f"{_base(engagement)}/submit", data={"kind": "final_report", "version_id": 0}
        ).status_code
        == 302
    )
    newest = db.exec(
        select(Submission)
        .where(Submission.engagement_id == engagement.id)
        .order_by(Submission.id.desc())
    ).first()
    assert (newest.round, newest.version_number) == (2, 2)
    old_page = lead.get(url).get_data(as_text=True)
    assert "该版本之后已重新提交" in old_page and "answer-form" not in old_page
    new_page = lead.get(f"{_base(engagement)}/submissions/{newest.id}").get_data(as_text=True)
    assert "此前各轮的意见与回复" in new_page and "已补充数据来源" in new_page
    timeline = lead.get(_base(engagement)).get_data(as_text=True)
    assert "委托方退回" in timeline and "第 2 次提交（修改后重新提交）" in timeline


def test_inbox_lists_submissions_with_bounded_queries(
    engagement, files, db, demo, people, login, count_queries
):
    from workbench.review import submissions

    make_version(db, engagement, kind="plan", user=people.lead)
    make_version(db, engagement, user=people.lead)
    submissions.submit(db, actor=people.lead, engagement=engagement, kind="plan")
    submissions.submit(db, actor=people.lead, engagement=engagement, kind="draft_report")
    db.flush()
    bureau = login("demo-bureau")
    with count_queries() as counter:
        page = bureau.get("/review/inbox").get_data(as_text=True)
    assert page.count("table-warning") == 2 and engagement.title in page
    assert counter.count <= 8, counter.statements
    assert "审核收件箱" in bureau.get("/").get_data(as_text=True)  # the nav item
    assert "审核收件箱" not in login("demo-lead").get("/").get_data(as_text=True)


def test_rating_page_for_bureau_and_agency(engagement, approved, db, demo, login):
    url = f"{_base(engagement)}/rating"
    bureau = login("demo-bureau")
    page = bureau.get(url).get_data(as_text=True)
    assert 'name="score_team_competence"' in page and "13-15：" in page
    bad = bureau.post(url, data={"rubric": "builtin:standard", "score_team_competence": "20"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "“项目团队专业能力”的得分须在 0–15 分之间" in text and 'value="20"' in text
    scores = {"score_team_competence": "15", "score_team_stability": "15", "score_communication": "20",
              "score_report_data": "25", "score_conclusions": "24.5"}  # fmt: skip
    saved = bureau.post(url, data={"rubric": "builtin:standard", "comment": "很好", **scores})
    assert saved.status_code == 302
    shown = login("demo-lead").get(url).get_data(as_text=True)
    assert 'id="rating-total">99.50' in shown and "很好" in shown and 'id="deposit"' in shown
    deduction = bureau.get(f"{url}?rubric=builtin:deduction").get_data(as_text=True)
    assert 'name="count_cover_element"' in deduction


def test_admin_edits_rubrics(engagement, db, demo, login):
    admin = login("demo-admin")
    listing = admin.get("/admin/rubrics").get_data(as_text=True)
    assert "质量考核表（百分制，默认）" in listing and "以此为模板新建" in listing
    form = admin.get("/admin/rubrics/new?from=builtin:deduction").get_data(as_text=True)
    assert "cover_element" in form
    bad = admin.post(
        "/admin/rubrics/new",
        data={"name": "坏", "bureau_id": 0, "definition": "items:\n  - {name: 甲, max: 80}\n"},
    )
    assert "满分须为 100 分（当前为 80 分）" in bad.get_data(as_text=True)
    assert db.exec(select(func.count()).select_from(QualityRubric)).one() == 0
    created = admin.post(
        "/admin/rubrics/new",
        data={"name": "市局考核表", "bureau_id": engagement.bureau_id,
              "definition": "items:\n  - {key: all, name: 总体, max: 100}\n"},
    )  # fmt: skip
    assert created.status_code == 302
    row = db.exec(select(QualityRubric)).one()
    assert row.bureau_id == engagement.bureau_id
    edit = admin.get(f"/admin/rubrics/{row.id}/edit").get_data(as_text=True)
    assert "总体" in edit
    stale = admin.post(
        f"/admin/rubrics/{row.id}/edit",
        data={"name": "x", "bureau_id": 0, "definition": "items:\n  - {name: 甲, max: 100}\n",
              "version": 99},
        follow_redirects=True,
    )  # fmt: skip
    assert "已被他人修改" in stale.get_data(as_text=True)
    assert admin.post(f"/admin/rubrics/{row.id}/delete").status_code == 302
    assert db.exec(select(func.count()).select_from(QualityRubric)).one() == 0
    assert admin.get(f"/admin/rubrics/{row.id}/edit").status_code == 404
    refused = login("demo-lead").get("/admin/rubrics/999/edit")
    assert refused.status_code == 404 and refused.headers["X-Permission-Denied"] == "404"


def test_overview_and_notifications_query_counts_are_bounded(
    engagement, files, db, demo, people, login, count_queries
):
    from workbench.review import notifications, submissions

    for kind in ("plan", "report"):
        make_version(db, engagement, kind=kind, user=people.lead)
    submissions.submit(db, actor=people.lead, engagement=engagement, kind="plan")
    submissions.submit(db, actor=people.lead, engagement=engagement, kind="draft_report")
    for i in range(25):
        notifications.notify(
            db, users=[people.lead], engagement=engagement, kind="t", title=f"n{i}"
        )
    db.flush()
    lead = login("demo-lead")
    with count_queries() as counter:
        assert lead.get(_base(engagement)).status_code == 200
    assert counter.count <= 14, counter.statements
    with count_queries() as counter:
        page = lead.get("/notifications").get_data(as_text=True)
    unread = notifications.unread_count(db, people.lead)  # 25 here, plus the demo's own
    assert page.count('data-read="no"') == min(unread, 30) and unread >= 25
    assert counter.count <= 6, counter.statements
