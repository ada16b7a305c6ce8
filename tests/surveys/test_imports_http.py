"""Imports through the page: upload → mapping shown → confirm; the README figures on the stats page."""

import io
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.surveys.helpers import (
    EXPECTED,
    FILES,
    count_imports,
    count_responses,
    make_survey,
    sample,
)
from workbench.core.audit import AuditEntry
from workbench.core.timeutil import utcnow
from workbench.surveys.imports import jobs as import_jobs
from workbench.surveys.imports import progress as import_progress
from workbench.surveys.models import ImportStatus, SurveyImport
from workbench.surveys.statistics import verdicts


def base(demo, survey) -> str:
    return f"/engagements/{demo.engagement.id}/surveys/{survey.id}"


def upload(c, demo, survey, data: bytes, name: str, kind: str = "auto"):
    return c.post(
        f"{base(demo, survey)}/imports",
        data={"file": (io.BytesIO(data), name), "kind": kind},
        content_type="multipart/form-data",
    )


def figures(html: str) -> dict:
    """{item: (n, rate, score)} read from the stats page's item table ('—' when none)."""
    found = {}
    for chunk in html.split('<tr data-item="')[1:]:
        chunk = chunk[: chunk.index("</tr>")]
        label = re.search(r"<td>(.*?)(?: <span|</td>)", chunk).group(1)
        n = re.search(r'item-n">(\d+)<', chunk).group(1)
        rate = re.search(r'item-rate">([^<%]+)%?<', chunk).group(1)
        score = re.search(r'item-score">([^<]+)<', chunk).group(1)
        found[label] = (int(n), rate, score)
    return found


def job_of(db, survey) -> SurveyImport:
    db.expire_all()  # the request changed it through its own session
    return db.exec(
        select(SurveyImport)
        .where(SurveyImport.survey_id == survey.id)
        .order_by(SurveyImport.id.desc())
    ).first()


@pytest.mark.parametrize("name", FILES)
def test_mapping_is_shown_before_anything_is_stored_then_confirm_gives_readme_figures(
    login, db, demo, name
):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    r = upload(c, demo, survey, sample(name), name)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    job = job_of(db, survey)
    assert (job.status, job.row_count, job.kind) == ("pending", 240, "wjx")
    assert count_responses(db, survey) == 0
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="mapping-form"' in page and 'id="confirm-import"' in page
    assert page.count('data-role="answer"') == (13 if "code" in name else 9)
    assert 'value="r:q4:0" selected' in page and 'value="meta:serial" selected' in page
    r = c.post(f"{base(demo, survey)}/imports/{job.id}/confirm", data={})
    assert r.status_code == 302
    assert "导入完成：新增 240 份答卷，跳过已导入的 0 份" in c.get(r.headers["Location"]).get_data(
        as_text=True
    )
    assert count_responses(db, survey) == 240
    judged = verdicts.current(db, survey)  # the answers arrive judged: no page judges them all
    assert (judged.collected, judged.excluded) == (240, 0)
    stats = c.get(f"{base(demo, survey)}/stats").get_data(as_text=True)
    assert figures(stats) == EXPECTED
    assert "回收 240 份，有效 240 份（有效率 100.00%）" in stats
    # Re-importing the same file adds nothing.
    upload(c, demo, survey, sample(name), name)
    again = job_of(db, survey)
    r = c.post(f"{base(demo, survey)}/imports/{again.id}/confirm", data={})
    assert "新增 0 份答卷，跳过已导入的 240 份" in c.get(r.headers["Location"]).get_data(
        as_text=True
    )
    assert count_responses(db, survey) == 240


def test_text_and_code_stats_pages_are_identical(login, db, demo):
    c = login("demo-evaluator")
    pages = []
    for name in ("wjx_satisfaction_text.xls", "wjx_satisfaction_code.xls"):
        survey = make_survey(db, demo, title="同一问卷")
        upload(c, demo, survey, sample(name), name)
        c.post(f"{base(demo, survey)}/imports/{job_of(db, survey).id}/confirm", data={})
        html = c.get(f"{base(demo, survey)}/stats").get_data(as_text=True)
        body = html[html.index('id="stats-basis"') : html.index('id="text-answers"')]
        body = re.sub(r"/surveys/\d+/", "/surveys/N/", body)
        # The code variant carries no 〖〗 “other” texts (as in the pure test).
        pages.append(re.sub(r"<details class=\"small mb-3\">.*?</details>", "", body, flags=re.S))
    assert pages[0] == pages[1]
    assert "卡方检验" in pages[0] and "Cronbach" in pages[0]


def test_an_unmatched_column_must_be_decided_before_import(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    text = sample("wjx_satisfaction_text_gbk.csv").decode("gbk").splitlines()
    text = [line + (",家庭人口" if i == 0 else ",4") for i, line in enumerate(text)]
    r = upload(c, demo, survey, "\n".join(text).encode("gbk"), "extra.csv")
    job = job_of(db, survey)
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert 'class="table-danger" data-role="unmatched"' in page
    assert '<option value="?" selected>' in page
    form = {f"col-{col['column']}": "" for col in job.mapping["columns"]}
    for col in job.mapping["columns"]:
        if col["role"] == "meta":
            form[f"col-{col['column']}"] = f"meta:{col['meta']}"
        elif col["role"] == "answer":
            value = f"q:{col['question_key']}"
            if col["row"]:
                rows = [
                    "补助资金发放及时性",
                    "补助标准合理性",
                    "申请流程便捷性",
                    "政策宣传到位程度",
                ]
                value = f"r:q4:{rows.index(col['row'])}"
            form[f"col-{col['column']}"] = value
    form["col-15"] = "?"
    r = c.post(f"{base(demo, survey)}/imports/{job.id}/confirm", data={**form, "mapping": "1"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "P列（家庭人口）" in html and "请在列对应中为其选择题目，或确认忽略该列" in html
    assert count_responses(db, survey) == 0
    form["col-15"] = ""  # the user decides: ignore this column
    r = c.post(f"{base(demo, survey)}/imports/{job.id}/confirm", data={**form, "mapping": "1"})
    assert r.status_code == 302
    assert count_responses(db, survey) == 240
    assert job_of(db, survey).mapping["columns"][15]["role"] == "ignore"


def test_generic_table_mapped_by_hand(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    rows = [
        ["编号", "身份", "区域", "总体评价", "建议"],
        ["1", "教师", "城区", "满意", "无"],
        ["2", "学生家长", "农村", "非常满意", ""],
        ["3", "其他", "乡镇", "一般", "多宣传"],
    ]
    data = "\n".join(",".join(r) for r in rows).encode("utf-8")
    r = upload(c, demo, survey, data, "表格.csv", kind="generic")
    job = job_of(db, survey)
    assert job.kind == "generic"
    assert [col["role"] for col in job.mapping["columns"]] == ["unmatched"] * 5
    form = {
        "mapping": "1",
        "col-0": "",
        "col-1": "q:q1",
        "col-2": "q:q2",
        "col-3": "q:q5",
        "col-4": "q:q6",
    }
    r = c.post(f"{base(demo, survey)}/imports/{job.id}/confirm", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    assert count_responses(db, survey) == 3
    stats = c.get(f"{base(demo, survey)}/stats").get_data(as_text=True)
    assert figures(stats)["总体而言，您对本项目是否满意"] == (3, "66.67", "80.00")
    # The same file again: identical content keys, nothing added.
    upload(c, demo, survey, data, "表格.csv", kind="generic")
    c.post(f"{base(demo, survey)}/imports/{job_of(db, survey).id}/confirm", data=form)
    assert count_responses(db, survey) == 3


def test_cancel_keeps_nothing_and_a_cancelled_import_cannot_be_confirmed(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    upload(c, demo, survey, sample(FILES[2]), FILES[2])
    job = job_of(db, survey)
    assert c.post(f"{base(demo, survey)}/imports/{job.id}/cancel").status_code == 302
    assert job_of(db, survey).status == "cancelled"
    r = c.post(f"{base(demo, survey)}/imports/{job.id}/confirm", data={})
    assert r.status_code == 302
    assert count_responses(db, survey) == 0
    actions = db.exec(
        select(AuditEntry.action).where(AuditEntry.object_type == "survey_import")
    ).all()
    assert {"survey.import_upload", "survey.import_cancel"} <= set(actions)


def test_large_file_runs_in_the_background_with_progress(
    app, login, db, demo, monkeypatch, run_jobs
):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    monkeypatch.setitem(app.config, "SURVEY_IMPORT_BACKGROUND_ROWS", 100)
    upload(c, demo, survey, sample(FILES[2]), FILES[2])
    job = job_of(db, survey)
    c.post(f"{base(demo, survey)}/imports/{job.id}/confirm", data={})
    assert job_of(db, survey).status == "running" and count_responses(db, survey) == 0
    progress = c.get(f"{base(demo, survey)}/imports/{job.id}/progress").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in progress and "正在读取并校验文件（240 行）" in progress
    # A second confirmation while it runs is refused.
    again = c.post(f"{base(demo, survey)}/imports/{job.id}/confirm", data={})
    assert again.status_code == 302 and count_responses(db, survey) == 0
    seen = []  # what the page shows while the worker writes (the worker reports each chunk)
    monkeypatch.setattr(
        import_jobs.jobs, "fault_pause",
        lambda point: seen.append(import_progress.progress_of(job.id)) if point == "import" else None,
    )  # fmt: skip
    assert run_jobs() == 1
    assert [(p["stage"], p["done"], p["total"]) for p in seen] == [("write", 240, 240)]
    done = db.get(SurveyImport, job.id)
    assert (done.status, done.imported, done.skipped, done.processed) == ("done", 240, 0, 240)
    assert (done.attempts, done.next_attempt_at) == (1, None)
    assert count_responses(db, survey) == 240 and import_progress.progress_of(job.id) is None
    progress = c.get(f"{base(demo, survey)}/imports/{job.id}/progress").get_data(as_text=True)
    assert "hx-trigger" not in progress and "新增 240 份答卷" in progress


def test_background_failure_is_reported_and_nothing_written(
    app, login, db, demo, monkeypatch, run_jobs
):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    monkeypatch.setitem(app.config, "SURVEY_IMPORT_BACKGROUND_ROWS", 1)
    rows = sample("wjx_satisfaction_text_gbk.csv").decode("gbk").splitlines()
    rows[5] = rows[5].replace("非常满意", "很满意", 1)
    upload(c, demo, survey, "\n".join(rows).encode("utf-8"), "bad.csv")
    job = job_of(db, survey)
    c.post(f"{base(demo, survey)}/imports/{job.id}/confirm", data={})
    assert run_jobs() == 1  # a problem in the file fails at once: no retry
    failed = db.get(SurveyImport, job.id)
    assert failed.status == "failed"
    assert (
        failed.errors[0]["row"] == 6 and "“很满意”不在问卷的选项中" in failed.errors[0]["message"]
    )
    assert count_responses(db, survey) == 0
    page = c.get(f"{base(demo, survey)}/imports/{job.id}").get_data(as_text=True)
    assert "导入失败，未写入任何答卷" in page and "很满意" in page


def test_interrupted_import_is_detected_and_can_be_confirmed_again(login, db, demo):
    c = login("demo-evaluator")
    survey = make_survey(db, demo)
    upload(c, demo, survey, sample(FILES[2]), FILES[2])
    job = job_of(db, survey)
    job.status = ImportStatus.running.value
    job.started_at = utcnow() - timedelta(hours=2)
    db.add(job)
    db.flush()
    page = c.get(f"{base(demo, survey)}/imports/{job.id}").get_data(as_text=True)
    assert "导入已中断" in page and 'id="confirm-import"' in page
    assert c.post(f"{base(demo, survey)}/imports/{job.id}/confirm", data={}).status_code == 302
    assert count_responses(db, survey) == 240 and count_imports(db, survey) == 1


def test_survey_created_from_an_export_then_imported(login, db, demo):
    c = login("demo-evaluator")
    r = c.post(
        f"/engagements/{demo.engagement.id}/surveys/detect",
        data={"title": "识别的问卷", "file": (io.BytesIO(sample(FILES[2])), FILES[2])},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "识别的问卷" in page and 'id="confirm-import"' in page
    c.post(r.headers["Location"] + "/confirm", data={})
    html = c.get(r.headers["Location"].split("/imports/")[0] + "/stats").get_data(as_text=True)
    assert figures(html) == EXPECTED
