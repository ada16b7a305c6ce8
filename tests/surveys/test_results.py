"""Answers and validity: filters per survey, manual re-inclusion/exclusion, figures that say how
many answers they use; the Excel 问卷统计表 and the working paper."""

import io
from decimal import Decimal

import openpyxl
from sqlmodel import select

from tests.surveys.helpers import make_survey
from workbench.core.audit import AuditEntry
from workbench.surveys.collection import responses
from workbench.surveys.models import Survey, SurveyResponse
from workbench.surveys.statistics.service import compute


def demo_survey(db) -> Survey:
    db.expire_all()
    return db.exec(select(Survey).where(Survey.title == "学生家长满意度调查")).one()


def url(demo, survey, tail="") -> str:
    return f"/engagements/{demo.engagement.id}/surveys/{survey.id}{tail}"


def test_thirty_second_filter_excludes_eleven_and_they_stay_listed(login, db, demo):
    survey = demo_survey(db)
    c = login("demo-evaluator")
    html = c.get(url(demo, survey, "/responses?show=excluded")).get_data(as_text=True)
    assert "共 240 份答卷，有效 229 份，剔除 11 份。" in html
    assert html.count('class="table-warning"') == 11
    assert "答题用时 9 秒，少于 30 秒" in html and "用时过短：11 份" in html
    stats = c.get(url(demo, survey, "/stats")).get_data(as_text=True)
    assert "回收 240 份，有效 229 份（有效率 95.42%）" in stats
    assert "筛选规则：答题用时少于 30 秒" in stats


def test_manual_reinclusion_and_exclusion_are_audited_and_change_the_figures(login, db, demo):
    survey = demo_survey(db)
    result = compute(db, survey)
    fast = next(v for v in result.validity.results if v.excluded)
    kept = next(v for v in result.validity.results if not v.excluded)
    c = login("demo-evaluator")
    r = c.post(url(demo, survey, f"/responses/{fast.id}/override"), data={"decision": "include"})
    assert "请说明理由" in c.get(r.headers["Location"]).get_data(as_text=True)
    c.post(
        url(demo, survey, f"/responses/{fast.id}/override"),
        data={"decision": "include", "reason": "电话回访确认为本人认真填写"},
    )
    c.post(
        url(demo, survey, f"/responses/{kept.id}/override"),
        data={"decision": "exclude", "reason": "同一家长重复填写"},
    )
    result = compute(db, demo_survey(db))
    verdicts = {v.id: v for v in result.validity.results}
    assert not verdicts[fast.id].excluded and verdicts[fast.id].override is True
    assert verdicts[kept.id].excluded and "人工排除" in verdicts[kept.id].reasons
    assert result.stats.valid == 229
    html = c.get(url(demo, survey, "/responses?show=all&page=1")).get_data(as_text=True)
    assert "电话回访确认为本人认真填写" in html and "恢复按规则判定" in html
    c.post(url(demo, survey, f"/responses/{fast.id}/override"), data={"decision": "auto"})
    assert compute(db, demo_survey(db)).stats.valid == 228
    actions = db.exec(
        select(AuditEntry.summary).where(AuditEntry.action == "survey.response_override")
    ).all()
    assert len(actions) == 3 and any("人工排除" in a for a in actions)


def test_rules_are_per_survey_and_switching_them_off_restores_all(login, db, demo):
    survey = demo_survey(db)
    c = login("demo-evaluator")
    data = {"top_k": "2", "version": str(survey.version)}
    assert c.post(url(demo, survey, "/rules"), data=data).status_code == 302
    assert compute(db, demo_survey(db)).stats.valid == 240
    data = {"min_duration_seconds": "10", "top_k": "1", "version": str(demo_survey(db).version)}
    c.post(url(demo, survey, "/rules"), data=data)
    result = compute(db, demo_survey(db))
    assert result.stats.valid == 233  # 7 answers took 9 seconds
    item = next(i for i in result.stats.items if i.question.startswith("总体"))
    assert item.n == 233 and item.rate == Decimal(100 * item.distribution[0].count / 233).quantize(
        Decimal("0.01")
    )
    bad = {"min_duration_seconds": "0", "top_k": "9", "version": str(demo_survey(db).version)}
    r = c.post(url(demo, survey, "/rules"), data=bad)
    text = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "答题用时下限应在 1–3600 秒之间" in text and "满意等级数应在 1–4 之间" in text
    assert demo_survey(db).rules["min_duration_seconds"] == 10


def test_straightlining_duplicate_ip_and_required_filters(db, demo):
    survey = make_survey(db, demo)
    evaluator = demo.users["demo-evaluator"]
    same = {"r.0.q4": "1", "r.1.q4": "1", "r.2.q4": "1", "r.3.q4": "1", "a.q5": "1"}
    for form in (same, {**same, "r.3.q4": "2"}, {"a.q1": "1"}):
        responses.enter_paper(
            db, actor=evaluator, engagement=demo.engagement, survey=survey, form=form
        )
    responses.set_rules(
        db,
        actor=evaluator,
        engagement=demo.engagement,
        survey=survey,
        data=responses.RulesInput(straightlining_min_rows=4, require_answers=True),
        version=survey.version,
    )
    result = compute(db, survey)
    reasons = [v.reasons for v in result.validity.results]
    assert reasons[0] == ["矩阵题“您对以下方面的满意程度”的 4 行全部选择“非常满意”（直线作答）"]
    assert reasons[1] == []
    assert reasons[2] == ["必答题未作答：总体而言，您对本项目是否满意"]
    assert result.validity.counts == {"straightlining": 1, "missing_required": 1}


def test_stats_page_figures_say_how_many_answers_they_use(login, db, demo):
    survey = demo_survey(db)
    html = login("demo-expert").get(url(demo, survey, "/stats")).get_data(as_text=True)
    assert '<div class="fs-4" id="overall-rate">80.44%</div>' in html
    assert "n = 229，5 个满意度题目" in html and "1145 个回答" in html
    assert html.count('item-n">229<') == 5
    assert "您的身份" in html and "卡方检验" in html and "p 值" in html
    assert 'id="survey-chart-data"' in html and "echarts.min.js" in html
    assert "<script>" not in html  # no inline script: the chart data is a JSON block
    assert "学校通知" in html and "村委会广播" in html


def test_excel_statistics_table(login, db, demo):
    survey = demo_survey(db)
    r = login("demo-evaluator").get(url(demo, survey, "/export.xlsx"))
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(r.data))
    assert book.sheetnames == ["汇总", "分项统计", "频数", "交叉分析", "文本意见", "无效答卷"]
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["回收问卷（份）"] == 240 and summary["有效问卷（份）"] == 229
    assert summary["有效率（%）"] == 95.42 and summary["抽样方案要求的有效问卷（份）"] == 193
    items = list(book["分项统计"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in items][-1] == "总体而言，您对本项目是否满意"
    assert items[-1][1] == 229 and items[-1][-6] == 82.1
    assert book["无效答卷"].max_row == 12
    texts = compute(db, survey).stats.text_answers[0].answers
    assert [r[1] for r in book["文本意见"].iter_rows(min_row=2, values_only=True)] == texts


def test_working_paper_from_the_statistics(login, db, demo):
    from workbench.fieldwork.models import PaperIndicator, WorkingPaper

    survey = demo_survey(db)
    c = login("demo-evaluator")
    r = c.post(url(demo, survey, "/paper"))
    assert r.status_code == 302 and "/papers/" in r.headers["Location"]
    paper = db.exec(select(WorkingPaper).where(WorkingPaper.template_key == "survey_stats")).one()
    assert paper.index_no == "E-01-01" and paper.title == "问卷统计表——学生家长满意度调查"
    values = paper.values
    assert (values["survey_name"], values["collected"], values["valid"]) == (
        "学生家长满意度调查",
        "240",
        "229",
    )
    assert values["items"][-1] == {
        "item": "总体而言，您对本项目是否满意",
        "n": "229",
        "satisfied": "188",
        "score": "83.14",
    }
    linked = db.exec(select(PaperIndicator).where(PaperIndicator.paper_id == paper.id)).all()
    assert len(linked) == 1


def test_responses_page_is_paged(login, db, demo):
    survey = demo_survey(db)
    html = (
        login("demo-evaluator").get(url(demo, survey, "/responses?page=5")).get_data(as_text=True)
    )
    assert html.count('<tr id="response-') == 40
    first = db.exec(
        select(SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyResponse.id)
    ).all()
    assert f'id="response-{first[200]}"' in html
