"""The pages and the API over HTTP: tabs, autosave JSON, conflicts, downloads, the unit's page."""

from __future__ import annotations

import io
import re

import docx
from flask import current_app
from sqlmodel import func, select

from tests.reports.report_helpers import section, sign_three
from workbench.core.errors import NOT_FOUND_MESSAGE
from workbench.reports import consultation
from workbench.reports.models import DeliverableVersion, ReportSignoff
from workbench.reports.services import generation
from workbench.scoring.services import compute

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _url(demo, path: str = "") -> str:
    return f"/engagements/{demo.engagement.id}{path}"


def test_tabs_lead_to_the_pages(db, demo, login):
    client = login("demo-lead")
    page = client.get(_url(demo)).get_data(as_text=True)
    for path, label in (
        ("/plan", "评价方案"),
        ("/report", "评价报告"),
        ("/consultation", "征求意见"),
    ):
        assert f'href="{_url(demo, path)}">{label}</a>' in page
    report = client.get(_url(demo, "/report")).get_data(as_text=True)
    assert (
        "（一）项目概况" in report
        and "四、绩效评价指标分析" in report
        and 'id="signoffs"' in report
    )
    plan = client.get(_url(demo, "/plan")).get_data(as_text=True)
    assert "满意度调查抽样参数" in plan and 'value="12000"' in plan


def test_unit_sees_only_its_consultation_page(db, demo, login):
    client = login("demo-unit")
    page = client.get(_url(demo)).get_data(as_text=True)
    assert f'href="{_url(demo, "/feedback")}">征求意见</a>' in page
    assert _url(demo, "/report") not in page and _url(demo, "/plan") not in page
    for path in ("/report", "/plan", "/consultation"):
        assert client.get(_url(demo, path)).status_code == 403
    feedback = client.get(_url(demo, "/feedback")).get_data(as_text=True)
    assert "评价机构尚未发送征求意见稿" in feedback


def test_report_page_query_count_is_bounded(ctx, db, demo, login, count_queries):
    client = login("demo-lead")
    lead = demo.users["demo-lead"]
    generation.generate(db, actor=lead, engagement=demo.engagement, kind="score_sheet")
    db.flush()
    client.get(_url(demo, "/report"))  # creates any missing rows once
    with count_queries() as before:
        assert client.get(_url(demo, "/report")).status_code == 200
    for label in ("初稿", "征求意见稿"):  # a 送审稿 waits for a clean 报告体检
        generation.generate(db, actor=lead, engagement=demo.engagement, kind="report", label=label)
    db.flush()
    with count_queries() as after:
        assert client.get(_url(demo, "/report")).status_code == 200
    assert before.count <= 25, before.statements
    assert after.count == before.count  # more versions, no more queries


def test_autosave_json_conflict_and_bad_input(db, demo, login):
    client = login("demo-evaluator")
    row = section(db, demo.engagement, "purpose")
    url = _url(demo, f"/sections/{row.id}/autosave")
    headers = {"Accept": "application/json"}
    ok = client.post(url, json={"content": "<p>自动<b>保存</b></p>", "version": row.version},
                     headers=headers)  # fmt: skip
    assert ok.status_code == 200
    body = ok.get_json()
    assert body["changed"] and body["version"] == row.version + 1
    stale = client.post(url, json={"content": "<p>旧版本</p>", "version": row.version},
                        headers=headers)  # fmt: skip
    assert stale.status_code == 409
    assert stale.get_json()["error"] == "该章节已被他人修改，请刷新后重试"
    big = client.post(url, json={"content": "字" * 20_001, "version": body["version"]},
                      headers=headers)  # fmt: skip
    assert big.status_code == 422
    assert big.get_json()["errors"][0]["field"] == "content"
    db.refresh(row)
    assert row.html == "<p>自动<strong>保存</strong></p>"


def test_form_save_strips_scripts_and_page_shows_text_safely(db, demo, login):
    client = login("demo-evaluator")
    row = section(db, demo.engagement, "methodology")
    response = client.post(
        _url(demo, f"/sections/{row.id}"),
        data={"content": '<p>方法<img src=x onerror="alert(1)"><script>alert(2)</script></p>',
              "version": row.version},
    )  # fmt: skip
    assert response.status_code == 302
    db.refresh(row)
    assert row.html == "<p>方法</p>"
    page = client.get(_url(demo, f"/sections/{row.id}")).get_data(as_text=True)
    assert "onerror" not in page and "alert(2)" not in page
    assert "&lt;p&gt;方法&lt;/p&gt;" in page  # the editor's textarea holds escaped HTML
    diff = client.get(_url(demo, f"/sections/{row.id}/diff")).get_data(as_text=True)
    assert "第 1 稿 → 第 2 稿" in diff
    assert '<ins class="bg-success-subtle">方</ins>法</td>' in diff  # the script is not in the text
    assert "onerror" not in diff and "alert(" not in diff


def test_expert_reads_but_cannot_write_unassigned_sections(db, demo, login):
    client = login("demo-expert")
    row = section(db, demo.engagement, "overview")
    page = client.get(_url(demo, f"/sections/{row.id}")).get_data(as_text=True)
    assert 'id="section-form"' not in page and 'id="section-text"' in page
    html = row.html
    client.post(_url(demo, f"/sections/{row.id}"), data={"content": "越权", "version": row.version})
    db.refresh(row)
    assert row.html == html
    mine = section(db, demo.engagement, "l1:效益")
    assert 'id="section-form"' in client.get(_url(demo, f"/sections/{mine.id}")).get_data(
        as_text=True
    )


def test_signing_twice_over_http_is_refused(db, demo, login):
    client = login("demo-evaluator")
    url = _url(demo, "/report/signoffs")
    assert client.post(url, data={"level": "prepare"}).status_code == 302
    again = client.post(url, data={"level": "prepare"}, follow_redirects=True)
    assert "您已作为编制人签字，不能重复签字" in again.get_data(as_text=True)
    count = db.exec(select(func.count()).select_from(ReportSignoff)).one()
    assert count == 1


def test_generate_download_and_compare_pages(ctx, db, demo, login, run_jobs):
    client = login("demo-lead")
    response = client.post(_url(demo, "/documents/report"), data={"label": "初稿"})
    assert response.status_code == 302 and response.location.endswith("/report#versions")
    client.post(_url(demo, "/documents/report"), data={"label": "征求意见稿"})
    assert generation.versions(db, demo.engagement, ["report"]) == []  # queued, not yet run
    assert run_jobs() == 2
    versions = generation.versions(db, demo.engagement, ["report"])
    assert [v.label for v in versions] == ["征求意见稿", "初稿"]
    page = client.get(_url(demo, "/report")).get_data(as_text=True)
    assert "第 2 版" in page and "征求意见稿" in page
    stage = demo.engagement.stage_name
    assert f'<td class="small">{stage}</td>' in page  # the stage in Chinese, not its key
    file = client.get(_url(demo, f"/documents/{versions[0].id}/download"))
    assert file.status_code == 200 and file.mimetype == DOCX
    assert "attachment" in file.headers["Content-Disposition"]
    assert docx.Document(io.BytesIO(file.data)).paragraphs[2].text == "（征求意见稿）"
    file.close()
    compare = client.get(
        _url(demo, f"/documents/compare?a={versions[1].id}&b={versions[0].id}")
    ).get_data(as_text=True)
    assert "（一）项目概况" in compare and "未修改" in compare


def test_api_generates_documents_and_lists_versions(ctx, db, demo, token_for):
    headers = token_for(demo.users["demo-lead"])
    base = f"/api/v1/engagements/{demo.engagement.id}/documents"
    api = current_app.test_client()
    response = api.post(f"{base}/score_sheet", headers=headers)
    assert response.status_code == 200 and response.mimetype == DOCX
    assert response.headers["X-Deliverable-Version"] == "1"
    assert docx.Document(io.BytesIO(response.data)).paragraphs[0].text.endswith("绩效评价评分表")
    response.close()
    labelled = api.post(f"{base}/report", headers=headers, json={"label": "征求意见稿"})
    assert labelled.status_code == 200
    labelled.close()
    bad = api.post(f"{base}/summary", headers=headers)
    assert bad.status_code == 404 and bad.get_json() == {"error": NOT_FOUND_MESSAGE}
    wrong = api.post(f"{base}/report", headers=headers, json={"label": "终稿"})
    assert wrong.status_code == 422
    listing = api.get(base, headers=headers).get_json()["items"]
    assert [(v["kind"], v["number"], v["label"]) for v in listing][:2] == [
        ("report", 1, "征求意见稿"),
        ("score_sheet", 1, ""),
    ]
    result, _rows = compute(db, demo.engagement)
    assert listing[0]["total"] == f"{result.total:.2f}" and listing[0]["grade"] == result.grade
    unit = api.post(f"{base}/report", headers=token_for(demo.users["demo-unit"]))
    assert unit.status_code == 403
    other = api.post(f"{base}/report", headers=token_for(demo.users["demo-bureau2"]))
    assert other.status_code == 404
    count = db.exec(
        select(func.count()).select_from(DeliverableVersion).where(
            DeliverableVersion.engagement_id == demo.engagement.id,
            DeliverableVersion.kind.in_(["report", "score_sheet"]))
    ).one()  # fmt: skip
    assert count == 2


def test_unit_downloads_only_the_draft_and_answers_point_by_point(ctx, db, demo, login):
    lead, unit = demo.users["demo-lead"], demo.users["demo-unit"]
    sign_three(db, demo)
    internal = generation.generate(db, actor=lead, engagement=demo.engagement, kind="report",
                                 label="初稿")  # fmt: skip
    draft = generation.generate(db, actor=lead, engagement=demo.engagement, kind="report",
                              label="征求意见稿")  # fmt: skip
    consultation.send(db, actor=lead, engagement=demo.engagement, version_id=draft.id,
                      recipient_id=unit.id)  # fmt: skip
    db.flush()
    client = login("demo-unit")
    home = client.get("/").get_data(as_text=True)
    assert 'id="consultation-panel"' in home and _url(demo, "/feedback") in home
    got = client.get(_url(demo, "/feedback/draft"))
    assert got.status_code == 200 and got.data[:2] == b"PK"
    got.close()
    assert client.get(_url(demo, f"/documents/{internal.id}/download")).status_code == 403
    client.post(_url(demo, "/feedback/opinions"),
                data={"reference": "第8页", "content": "数据应更新为2025年口径。"})  # fmt: skip
    empty = client.post(_url(demo, "/feedback/opinions"), data={"content": ""},
                        follow_redirects=True)  # fmt: skip
    assert "请填写意见内容" in empty.get_data(as_text=True)
    page = client.get(_url(demo, "/feedback")).get_data(as_text=True)
    assert "数据应更新为2025年口径。" in page and "第 1 条" in page
    client.post(_url(demo, "/feedback/complete"))
    agency = login("demo-evaluator").get(_url(demo, "/consultation")).get_data(as_text=True)
    assert "单位已确认反馈完毕" in agency and "第1条意见尚未答复" in agency
    opinion = consultation.opinions(db, consultation.current(db, demo.engagement))[0]
    answered = login("demo-evaluator").post(
        _url(demo, f"/opinions/{opinion.id}/answer"),
        data={"adoption": "部分采纳", "reason": "已补充说明口径。", "version": opinion.version},
    )
    assert answered.status_code == 302
    db.refresh(opinion)
    assert (opinion.adoption, opinion.reason) == ("部分采纳", "已补充说明口径。")
    final = login("demo-unit").get(_url(demo, "/feedback")).get_data(as_text=True)
    assert re.search(r"部分采纳</span> 已补充说明口径。", final)


def test_pdf_conversion_states_and_the_polled_cell(ctx, db, demo, login, monkeypatch, run_jobs):
    from workbench.reports.render import ReportRenderError

    def broken(_data):
        raise ReportRenderError("PDF 转换失败：LibreOffice 未生成文件")

    monkeypatch.setattr(generation, "pdf_available", lambda: True)
    monkeypatch.setattr(generation, "docx_to_pdf", broken)
    version = generation.generate(db, actor=demo.users["demo-lead"], engagement=demo.engagement,
                                kind="score_sheet")  # fmt: skip
    db.flush()
    client = login("demo-lead")
    url = _url(demo, f"/documents/{version.id}")
    client.post(f"{url}/pdf")
    assert run_jobs() == 3  # LibreOffice failed: retried (at once here), given up after 3 tries
    db.refresh(version)
    assert (version.pdf_status, version.pdf_sha256) == ("failed", None)
    assert "LibreOffice 未生成文件" in version.pdf_error
    cell = client.get(f"{url}/pdf-status").get_data(as_text=True)
    assert "PDF 转换失败" in cell and "重新转换" in cell and "hx-get" not in cell

    version.pdf_status, version.pdf_requested_at = "pending", generation.utcnow()
    db.add(version)
    db.flush()
    polling = client.get(f"{url}/pdf-status").get_data(as_text=True)
    assert "正在转换 PDF" in polling and 'hx-trigger="every 2s"' in polling
    busy = client.post(f"{url}/pdf", follow_redirects=True).get_data(as_text=True)
    assert "该版本正在转换为 PDF，请稍候" in busy

    version.pdf_status = "failed"
    db.add(version)
    db.flush()
    monkeypatch.setattr(generation, "docx_to_pdf", lambda _data: b"%PDF-1.4 demo")
    client.post(f"{url}/pdf")
    run_jobs()
    db.refresh(version)
    assert version.pdf_status == "" and version.pdf_sha256
    assert 'class="pdf-link"' in client.get(f"{url}/pdf-status").get_data(as_text=True)
    pdf = client.get(f"{url}/pdf")
    assert (
        pdf.status_code == 200 and pdf.data == b"%PDF-1.4 demo" and pdf.mimetype == generation.PDF
    )
    pdf.close()
    again = client.post(f"{url}/pdf", follow_redirects=True).get_data(as_text=True)
    assert "该版本已有 PDF" in again


def test_generation_jobs_run_and_report_their_state(ctx, db, demo, login, run_jobs):
    from workbench.reports.models import GenerationJob
    from workbench.reports.services import jobs

    lead = demo.users["demo-lead"]
    job = jobs.request_generation(db, actor=lead, engagement=demo.engagement, kind="score_sheet")
    db.flush()
    client = login("demo-lead")
    url = _url(demo, f"/jobs/{job.id}")
    polling = client.get(url)
    assert 'hx-trigger="every 1s"' in polling.get_data(as_text=True)
    assert "正在生成…（评分表）" in polling.get_data(as_text=True)
    assert "score_sheet" not in polling.get_data(as_text=True).split('role="status"')[1]
    assert "HX-Refresh" not in polling.headers
    assert 'id="job-' in client.get(_url(demo, "/report")).get_data(as_text=True)
    jobs.run_generation(db, job_id=job.id)
    db.flush()
    assert job.status == "done" and job.version_id
    done = client.get(url)
    assert done.headers["HX-Refresh"] == "true"
    failing = jobs.request_generation(db, actor=lead, engagement=demo.engagement,
                                      kind="opinion_table")  # fmt: skip
    jobs.run_generation(db, job_id=failing.id)
    assert failing.status == "failed" and "尚未发送征求意见稿" in failing.error
    page = client.get(_url(demo, "/consultation")).get_data(as_text=True)
    assert "生成失败：尚未发送征求意见稿" in page
    shown = client.post(_url(demo, "/documents/opinion_table"), follow_redirects=True)
    assert "正在生成文件，完成后页面会自动刷新" in shown.get_data(as_text=True)
    assert run_jobs() == 1  # a refusal fails the job at once, with its message
    page = client.get(_url(demo, "/consultation")).get_data(as_text=True)
    assert "生成失败：尚未发送征求意见稿，无法生成意见采纳情况表" in page
    statuses = db.exec(select(GenerationJob.status).order_by(GenerationJob.id)).all()
    assert statuses == ["done", "failed", "failed"]


def test_a_job_whose_worker_died_is_shown_as_failed(ctx, db, demo, login):
    """The background thread crashed: the job is marked failed, the polling page stops and says so."""
    from workbench.reports.services import jobs

    lead = demo.users["demo-lead"]
    job = jobs.request_generation(db, actor=lead, engagement=demo.engagement, kind="score_sheet")
    db.flush()
    jobs.fail(db, job_id=job.id)
    db.flush()
    assert job.status == "failed" and "服务器内部错误" in job.error and job.finished_at
    jobs.fail(db, job_id=job.id, message="不会覆盖")  # only a pending job is failed
    assert "服务器内部错误" in job.error
    polling = login("demo-lead").get(_url(demo, f"/jobs/{job.id}")).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' not in polling


def test_consultation_without_a_unit_contact_links_to_the_team(db, demo, login):
    """Without the unit's contact the send form cannot work: the page links to the team page."""
    from workbench.engagements.models import Member, MemberRole

    client = login("demo-lead")
    page = client.get(_url(demo, "/consultation")).get_data(as_text=True)
    assert 'id="no-unit-contact"' not in page  # the demo's unit contact is on the team
    for member in db.exec(select(Member).where(Member.engagement_id == demo.engagement.id)).all():
        if member.role == MemberRole.unit:
            db.delete(member)
    db.flush()
    page = client.get(_url(demo, "/consultation")).get_data(as_text=True)
    notice = re.search(r'id="no-unit-contact">(.*?)</p>', page, re.S).group(1)
    assert "工作组中还没有被评价单位联系人" in notice
    assert f'href="{_url(demo, "/team")}"' in notice
