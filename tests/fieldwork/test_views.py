"""Paper pages over HTTP: list and filters, forms, stale edits, sign-offs, Word export, binder."""

import re
import zipfile
from decimal import Decimal
from io import BytesIO

from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from tests.fieldwork.helpers import PDF, SITE_VALUES, indicators, paper, signed_paper
from workbench.fieldwork import evidence, findings
from workbench.fieldwork.models import WorkingPaper


def base(demo):
    return f"/engagements/{demo.engagement.id}"


def listed(client, url):
    return re.findall(r'data-paper="([A-J]-\d\d-\d+)"', client.get(url).get_data(as_text=True))


def test_list_filters(db, demo, login):
    leaves = indicators(db, demo.engagement)
    mine = paper(db, demo, "desk_review", user="demo-reviewer", title="审核甲")
    approved = signed_paper(db, demo, indicator_ids=[leaves["学生出勤率"].id])
    ready = signed_paper(db, demo, levels=("prepare",))
    c = login("demo-reviewer")
    url = f"{base(demo)}/papers"
    everything = listed(c, url)
    assert {mine.index_no, approved.index_no, ready.index_no} <= set(everything)
    assert everything == sorted(everything, key=lambda n: (n[:4], int(n[5:])))
    assert listed(c, f"{url}?mine=1") == [mine.index_no]
    assert ready.index_no in listed(c, f"{url}?ready=1") and approved.index_no not in listed(
        c, f"{url}?ready=1"
    )
    assert listed(c, f"{url}?indicator_id={leaves['学生出勤率'].id}") == [approved.index_no]
    assert approved.index_no in listed(
        c, f"{url}?status=approved"
    ) and ready.index_no not in listed(c, f"{url}?status=approved")
    prepared_by = listed(c, f"{url}?preparer_id={demo.users['demo-evaluator'].id}")
    assert {approved.index_no, ready.index_no} <= set(
        prepared_by
    ) and mine.index_no not in prepared_by
    assert listed(c, f"{url}?stage=survey") == []
    assert listed(c, f"{url}?q=审核甲") == [mine.index_no]
    # the lead approves what was reviewed; nothing here is ready for an evaluator
    assert listed(login("demo-evaluator"), f"{url}?ready=1") == []


def test_list_is_paginated_with_a_bounded_query_count(db, demo, login, count_queries):
    leaves = list(indicators(db, demo.engagement).values())
    for n in range(45):
        signed_paper(
            db, demo, levels=("prepare",) if n % 2 else (), indicator_ids=[leaves[n % 20].id]
        )
    c = login("demo-lead")
    with count_queries() as first:
        assert len(listed(c, f"{base(demo)}/papers")) == 20
    with count_queries() as third:
        page3 = listed(c, f"{base(demo)}/papers?page=3")
    assert len(page3) > 0 and first.count <= 16 and third.count <= first.count + 1, first.statements


def test_create_and_edit_through_the_forms(db, demo, login):
    leaves = indicators(db, demo.engagement)
    c = login("demo-evaluator")
    r = c.post(
        f"{base(demo)}/papers/new",
        data={
            "template": "financial_check",
            "title": "",
            "assignee_id": 0,
            "indicator_ids": [leaves["预算执行率"].id],
        },
    )
    created = db.exec(
        select(WorkingPaper)
        .where(WorkingPaper.template_key == "financial_check")
        .order_by(WorkingPaper.id.desc())
    ).first()
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/papers/{created.id}/edit")
    edit = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "预算与支出（按资金来源和年度）" in edit and 'name="f-funds-0-budget"' in edit
    form = {
        "title": "财务核查",
        "version": str(created.version),
        "assignee_id": demo.users["demo-evaluator"].id,
        "indicator_ids": [leaves["预算执行率"].id],
        "f-check_date": "2025-03-08",
        "f-conclusion": "执行率 93.35%",
        "f-funds-0-year": "2025",
        "f-funds-0-source": "中央财政",
        "f-funds-0-budget": "8,000,000",
        "f-funds-0-available": "8000000",
        "f-funds-0-spent": "7600000",
        "f-funds-1-budget": "五十万",
    }
    r = c.post(f"{base(demo)}/papers/{created.id}/edit", data=form)
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "第2行“预算数”：“五十万”不是有效的数字" in text
    db.refresh(created)
    assert created.values["funds"] == [] and created.title == "财务核查表"  # nothing stored
    form["f-funds-1-budget"] = ""
    r = c.post(f"{base(demo)}/papers/{created.id}/edit", data=form, follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "已保存" in text and "8,000,000.00" in text and "95.00%" in text
    db.refresh(created)
    assert created.values["funds"][0]["budget"] == "8000000.00"


def test_second_save_gets_a_conflict_and_nothing_is_overwritten(db, demo, login):
    created = paper(db, demo, values=dict(SITE_VALUES))
    db.flush()
    first, second = login("demo-evaluator"), login("demo-reviewer")
    url = f"{base(demo)}/papers/{created.id}/edit"
    version = re.search(
        r'name="version" type="hidden" value="(\d+)"', first.get(url).get_data(as_text=True)
    )[1]
    form = {
        "title": created.title,
        "version": version,
        "assignee_id": 0,
        "f-site": "甲学校",
        "f-visit_date": "2025-03-08",
        "f-summary": "一",
    }
    assert first.post(url, data=form).status_code == 302
    r = second.post(url, data={**form, "f-site": "乙学校"})
    assert r.status_code == 409 and "已被他人修改，请刷新后重试" in r.get_data(as_text=True)
    assert "乙学校" in r.get_data(as_text=True)  # the second editor's input is shown, not lost
    db.refresh(created)
    assert created.values["site"] == "甲学校"


def test_three_signoffs_through_the_page(db, demo, login):
    created = paper(db, demo, values=dict(SITE_VALUES))
    db.flush()
    url = f"{base(demo)}/papers/{created.id}"
    assert 'id="sign-prepare"' in login("demo-evaluator").get(url).get_data(as_text=True)
    login("demo-evaluator").post(f"{url}/signoffs", data={"level": "prepare"})
    r = login("demo-evaluator").post(
        f"{url}/signoffs", data={"level": "review"}, follow_redirects=True
    )
    assert "只有本项目的复核人或项目负责人可以复核底稿" in r.get_data(as_text=True)
    login("demo-reviewer").post(f"{url}/signoffs", data={"level": "review", "comment": "数据已核"})
    lead = login("demo-lead")
    lead.post(f"{url}/notes", data={"text": "照片请标注地点"})
    r = lead.post(f"{url}/signoffs", data={"level": "approve"}, follow_redirects=True)
    assert "1 条未解决的复核意见" in r.get_data(as_text=True)
    note_id = re.search(r'data-note="(\d+)"', lead.get(url).get_data(as_text=True))[1]
    lead.post(f"{url}/notes/{note_id}/resolve", data={})
    lead.post(f"{url}/signoffs", data={"level": "approve"})
    text = lead.get(url).get_data(as_text=True)
    signers = re.findall(r'class="signer">([^<]+)<', text)
    assert signers == ["张评价", "赵复核", "李项目"]
    assert text.count("与当前内容一致") == 3 and "已批准" in text


def test_word_export_uses_the_working_paper_template(db, demo, login, app):
    leaves = indicators(db, demo.engagement)
    created = paper(
        db,
        demo,
        "indicator_scoring",
        indicator_ids=[leaves["资金使用合规性"].id],
        values={
            "judgement": "总体合规",
            "score": "3",
            "points": [{"point": "资金专款专用", "judgement": "基本符合"}],
        },
    )
    with app.test_request_context():
        evidence.upload(
            db,
            actor=demo.users["demo-evaluator"],
            engagement=demo.engagement,
            paper=created,
            files=[("凭证.pdf", PDF)],
            max_mb=5,
            source="抽查",
        )
    findings.add_finding(
        db,
        actor=demo.users["demo-evaluator"],
        engagement=demo.engagement,
        paper=created,
        data=findings.FindingInput(
            text="列支劳务费",
            kind="deduction",
            indicator_id=leaves["资金使用合规性"].id,
            points=Decimal("1"),
        ),
    )
    db.flush()
    r = login("demo-reviewer").get(f"{base(demo)}/papers/{created.id}/export.docx")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    text = "\n".join(p.text for p in Document(BytesIO(r.data)).paragraphs)
    tables = "\n".join(
        c.text for t in Document(BytesIO(r.data)).tables for row in t.rows for c in row.cells
    )
    r.close()
    everything = text + tables
    for expected in (
        created.index_no,
        created.title,
        "过程/资金管理/资金使用合规性",
        "总体合规",
        "列支劳务费",
        "1.00",
        "凭证.pdf",
        "评价要点：资金专款专用",
    ):
        assert expected in everything, expected


def test_binder_zip_has_an_index_every_paper_and_every_file(db, demo, login, app):
    created = paper(db, demo, values=dict(SITE_VALUES), title="核查/记录:甲")
    with app.test_request_context():
        evidence.upload(
            db,
            actor=demo.users["demo-evaluator"],
            engagement=demo.engagement,
            paper=created,
            files=[("照片.pdf", PDF), ("照片 (2).pdf", PDF + b"2")],
            max_mb=5,
        )
    db.flush()
    c = login("demo-lead")
    assert "佐证材料" in c.get(f"{base(demo)}/binder").get_data(as_text=True)
    r = c.get(f"{base(demo)}/binder.zip?token=abc123")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert "fieldwork_download=abc123" in r.headers.get("Set-Cookie", "")
    archive = zipfile.ZipFile(BytesIO(r.data))
    r.close()
    names = archive.namelist()
    root = names[0].split("/")[0]
    papers_count = len(
        db.exec(select(WorkingPaper).where(WorkingPaper.engagement_id == demo.engagement.id)).all()
    )
    assert (
        sum(1 for n in names if n.startswith(f"{root}/底稿/") and n.endswith(".docx"))
        == papers_count
    )
    assert f"{root}/底稿/{created.index_no} 核查_记录_甲.docx" in names
    assert archive.read(f"{root}/佐证材料/{created.index_no}/照片.pdf") == PDF
    book = load_workbook(BytesIO(archive.read(f"{root}/底稿索引.xlsx")))
    assert book.sheetnames == ["底稿索引", "佐证材料", "资料清单"]
    index_rows = list(book["底稿索引"].iter_rows(values_only=True))
    assert index_rows[0][:5] == ("索引号", "底稿名称", "模板", "涉及指标", "状态")
    assert any(row[0] == created.index_no and row[11] == 2 for row in index_rows[1:])
    files = list(book["佐证材料"].iter_rows(values_only=True))
    assert any(row[1] == "照片 (2).pdf" and row[8] == "已打包" for row in files)


def test_experts_read_and_bureaus_do_not_see_papers(db, demo, login):
    created = paper(db, demo, values=dict(SITE_VALUES))
    db.flush()
    expert = login("demo-expert")
    assert expert.get(f"{base(demo)}/papers/{created.id}").status_code == 200
    assert 'id="edit-paper"' not in expert.get(f"{base(demo)}/papers/{created.id}").get_data(
        as_text=True
    )
    assert expert.post(f"{base(demo)}/papers/new", data={"template": "forum"}).status_code == 403
    assert (
        expert.post(
            f"{base(demo)}/papers/{created.id}/signoffs", data={"level": "review"}
        ).status_code
        == 403
    )
    assert login("demo-bureau").get(f"{base(demo)}/papers/{created.id}").status_code == 403
    assert login("demo-bureau2").get(f"{base(demo)}/papers/{created.id}").status_code == 404
    tabs = login("demo-bureau").get(base(demo)).get_data(as_text=True)
    assert "工作底稿" not in tabs


def test_paper_of_another_engagement_is_not_found(db, demo, login):
    created = paper(db, demo)
    db.flush()
    assert (
        login("demo-lead")
        .get(f"/engagements/{demo.engagement.id + 1000}/papers/{created.id}")
        .status_code
        == 404
    )
