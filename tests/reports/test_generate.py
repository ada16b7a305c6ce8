"""Generated documents of the demo engagement, opened with python-docx and checked."""

from __future__ import annotations

import importlib
import io
import re
import zipfile

import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree
from sqlmodel import func, select

from tests.reports.report_helpers import (
    EXPECTED_LEAVES,
    ex_ante_engagement,
    finding_provider,
    open_version,
    sample_engagement,
    section,
    write_all,
)
from tests.reports.test_render import H1, cell_text, cells, headings, score_table_rows, vmerge
from workbench.core import storage
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from workbench.engagements import services as engagements
from workbench.indicators import services as indicators
from workbench.reports.models import DeliverableVersion
from workbench.reports.services import generation
from workbench.reports.services import sections as drafting
from workbench.scoring import services as scoring
from workbench.scoring.services import compute


@pytest.fixture()
def lead(demo):
    return demo.users["demo-lead"]


def _generate(db, demo, kind: str, label: str = ""):
    version = generation.generate(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, kind=kind, label=label
    )
    db.flush()
    return version


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _all_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return "".join(t.text or "" for t in root.iter(qn("w:t")))


def test_report_outline_score_table_and_analysis(ctx, db, demo, monkeypatch):
    engagement = sample_engagement(db, demo)
    finding_provider(monkeypatch, db, engagement)
    version = generation.generate(
        db, actor=demo.users["demo-lead"], engagement=engagement, kind="report", label="初稿"
    )
    document = open_version(version)
    assert [t for style, t in headings(document) if style == "Heading 1"] == H1
    level2 = [t for style, t in headings(document) if style == "Heading 2"]
    # The shipped project profile: 财预〔2020〕10号 一–七 with 篇六第二十八条's 项目管理情况 and
    # 绩效整改措施 shown as sections of their own.
    assert level2 == [
        "（一）项目概况",
        "（二）项目绩效目标",
        "（三）项目管理情况",
        "（一）绩效评价目的、对象和范围",
        "（二）绩效评价原则、评价指标体系、评价方法、评价标准等",
        "（三）绩效评价工作过程",
        "（一）决策指标分析",
        "（二）过程指标分析",
        "（三）产出指标分析",
        "（四）效益指标分析",
        "（一）主要经验及做法",
        "（二）存在的问题及原因分析",
        "（一）绩效整改措施",
        "（二）绩效改进建议",
    ]

    # The score table holds the scoring engine's numbers: 24 leaves, 81.61, 85.01, 良.
    result, rows = compute(db, engagement)
    table = score_table_rows(document)
    data = table[1 : 1 + len(rows)]
    found = [(cell_text(cells(tr)[2]), cell_text(cells(tr)[4])) for tr in data]
    assert found == EXPECTED_LEAVES
    engine = [("不适用" if r.result.not_applicable else f"{r.result.score:.2f}") for r in rows]
    assert [score for _, score in found] == engine
    assert [cell_text(tc) for tc in cells(table[1 + len(rows)])] == ["合计", "96.00", "81.61"]
    assert [cell_text(tc) for tc in cells(table[-1])] == ["评价等级", "良"]
    assert f"{result.total:.2f}" == "85.01"
    assert sum(vmerge(cells(tr)[0]) == "restart" for tr in data) == 4
    assert [vmerge(cells(tr)[0]) for tr in data[:6]] == ["restart"] + ["continue"] * 5
    texts = _texts(document)
    assert any("绩效评价得分为85.01分，评价等级为“良”" in t for t in texts)

    # Every point lost: the finding and its working-paper index number.
    # (other providers, e.g. the fieldwork demo's papers, may list findings before these)
    reasons = [re.sub(r"^扣分原因\d+：", "", t) for t in texts if t.startswith("扣分原因")]
    assert "2所学校以现金支付食材款。（扣0.50分）（底稿索引号：D-04-03）" in reasons
    assert "食堂采购发票与入库单不符{{ x }}。（扣1.00分）（底稿索引号：D-04-05）" in reasons
    assert any(t.startswith("该指标分值5.00分，评价得分3.00分。") for t in texts)
    assert any(
        t.startswith("2024年度农村义务教育学生营养改善计划补助资金预算年度为2024年") for t in texts
    )


def test_demo_report_shows_the_scoring_pages_numbers(ctx, db, demo):
    """Whatever the demo's inputs (surveys, papers), the report repeats the scoring engine."""
    document = open_version(_generate(db, demo, "report", "初稿"))
    result, rows = compute(db, demo.engagement)
    table = score_table_rows(document)
    found = [cell_text(cells(tr)[4]) for tr in table[1 : 1 + len(rows)]]
    engine = [("不适用" if r.result.not_applicable else f"{r.result.score:.2f}") for r in rows]
    assert found == engine and len(found) == 24
    texts = _texts(document)
    assert any(
        f"绩效评价得分为{result.total:.2f}分，评价等级为“{result.grade}”" in t for t in texts
    )
    # Narrative from the demo, after the generated facts.
    assert any("覆盖全市126所农村义务教育学校" in t for t in texts)
    assert any(
        t.startswith("2025年度农村义务教育学生营养改善计划补助资金预算年度为2025年") for t in texts
    )


def test_report_images_fonts_and_no_leftover_tags(ctx, db, demo):
    version = _generate(db, demo, "report")
    document = open_version(version)
    assert len(document.inline_shapes) >= 2
    assert all(abs(shape.width - Mm(150)) < Mm(0.1) for shape in document.inline_shapes)
    assert "图1　一级指标得分率" in _texts(document)
    data = storage.read(version.sha256)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = etree.fromstring(archive.read("word/styles.xml"))
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert media and all(n.endswith(".png") for n in media)
    fonts = {
        s.get(qn("w:styleId")): s.find(f"{qn('w:rPr')}/{qn('w:rFonts')}").get(qn("w:eastAsia"))
        for s in styles.iter(qn("w:style"))
        if s.get(qn("w:styleId")) in ("Normal", "Heading1", "Heading2")
    }
    assert fonts == {"Normal": "仿宋_GB2312", "Heading1": "黑体", "Heading2": "楷体_GB2312"}
    text = _all_text(data)
    for marker in ("{{", "}}", "{%", "%}"):
        assert marker not in text


def test_user_text_with_template_syntax_and_html_stays_literal(ctx, db, demo):
    row = section(db, demo.engagement, "other")
    typed = (
        "<p>{{ project.name }} {% for x in range(3) %}循环{% endfor %}</p>"
        "<p>&lt;b&gt;不是加粗&lt;/b&gt;<script>alert(1)</script></p>"
        "<table><tr><td>指标</td><td>得分</td></tr></table>"
    )
    drafting.save_section(
        db, actor=demo.users["demo-evaluator"], engagement=demo.engagement, section=row,
        content=typed, version=row.version,
    )  # fmt: skip
    document = open_version(_generate(db, demo, "report"))
    texts = _texts(document)
    start = texts.index("七、其他需要说明的问题")
    assert texts[start + 1 : start + 4] == [
        "{{ project.name }} {% for x in range(3) %}循环{% endfor %}",
        "<b>不是加粗</b>",
        "指标\t得分",
    ]
    assert "alert(1)" not in "".join(texts)
    assert "循环循环循环" not in "".join(texts)


def test_versions_are_numbered_hashed_and_snapshotted(ctx, db, demo):
    first = _generate(db, demo, "report", "初稿")
    second = _generate(db, demo, "report", "征求意见稿")
    assert (first.kind, first.number, second.number) == ("report", 1, 2)
    assert storage.digest(storage.read(second.sha256)) == second.sha256
    assert second.filename.endswith("评价报告（征求意见稿）-第2版.docx")
    assert second.stage == demo.engagement.stage and second.generated_by_id is not None
    result, _rows = compute(db, demo.engagement)
    assert second.figures["total"] == f"{result.total:.2f}"
    assert second.figures["grade"] == result.grade
    assert second.figures["leaves"]["效益/经济效益/带动本地农产品采购"] == "不适用"
    assert second.sections["overview"]["title"] == "（一）项目概况"
    assert "覆盖全市126所" in second.sections["overview"]["text"]
    assert list(second.sections)[:2] == ["overview", "goals"]
    assert "（征求意见稿）" in _texts(open_version(second))
    entry = db.exec(
        select(AuditEntry).where(AuditEntry.action == "deliverable.generate")
        .order_by(AuditEntry.id.desc())
    ).first()  # fmt: skip
    assert entry.after["number"] == 2 and entry.after["total"] == f"{result.total:.2f}"
    assert generation.versions(db, demo.engagement, ["report"])[0].id == second.id


def test_compare_two_versions_section_by_section(ctx, db, demo):
    first = _generate(db, demo, "report")
    row = section(db, demo.engagement, "suggestions")
    drafting.save_section(
        db, actor=demo.users["demo-lead"], engagement=demo.engagement, section=row,
        content="<p>建议一：逐校测算预算。</p>", version=row.version,
    )  # fmt: skip
    second = _generate(db, demo, "report")
    changed = {title: rows for title, rows in generation.compare(first, second)}
    assert all(r.kind == "equal" for r in changed["（一）项目概况"])
    kinds = {r.kind for r in changed["（二）绩效改进建议"]}
    assert kinds & {"replace", "insert", "delete"}
    plan = _generate(db, demo, "plan")
    with pytest.raises(ValidationFailed, match="同一成果"):
        generation.compare(first, plan)


def test_plan_has_sample_size_schedule_team_and_experts(ctx, db, demo):
    document = open_version(_generate(db, demo, "plan"))
    h1 = [t for style, t in headings(document) if style == "Heading 1"]
    assert h1 == ["一、评价对象和范围", "二、评价依据", "三、评价方法和评价标准", "四、评价指标体系",
                  "五、满意度调查抽样方案", "六、工作进度安排", "七、评价工作组及分工", "八、评审专家",
                  "九、质量控制", "十、提交成果"]  # fmt: skip
    texts = _texts(document)
    assert "2. 《中共中央 国务院关于全面实施预算绩效管理的意见》" in texts
    assert any("计算得 n₀ = 385" in t for t in texts)
    assert any("N = 12,000" in t and "= 373" in t for t in texts)
    assert "本次调查计划发放问卷400份。" in texts
    tables = {t.rows[0].cells[0].text: t for t in document.tables}
    assert [c.text for c in tables["调查对象类别"].rows[1].cells] == [
        "城区学校家长",
        "4,200",
        "140",
    ]
    named = [t for t in document.tables if t.rows[0].cells[0].text == "姓名"]
    team = [[c.text for c in r.cells] for r in named[0].rows[1:]]
    # 职称 and 资格证书 from the lead's profile; no 分工 recorded for the lead.
    assert ["李项目", "高级会计师；中国注册会计师、中国注册资产评估师", "项目负责人", "—"] in team
    assert any(r[0] == "张评价" and r[3] == "资料审核、现场核查、问卷调查" for r in team)
    experts = [[c.text for c in r.cells] for r in named[1].rows[1:]]
    # From the experts' pool: the five who score 绩效指标明确性, as the 报告体检 counts them.
    assert [r[0] for r in experts] == ["陈专家", "吴研究员", "钱高会", "孙教授", "周主任"]
    stages = [r.cells[0].text for r in tables["工作阶段"].rows[1:]]
    assert stages == ["前期准备", "现场评价", "分析评价", "报告撰写", "资料归档"]
    indicator_rows = score_table_rows(document)
    assert len(indicator_rows) == 1 + 24 + 1  # header, leaves, 合计
    assert cell_text(cells(indicator_rows[1])[2]) == "立项依据充分性"


def test_score_sheet_lists_notes_and_signers(ctx, db, demo):
    engagement = sample_engagement(db, demo)
    for username, role in (("demo-evaluator", "evaluator"), ("demo-reviewer", "reviewer")):
        engagements.add_member(db, actor=demo.users["demo-lead"], engagement=engagement,
                               user_id=demo.users[username].id, role=role)  # fmt: skip
    version = generation.generate(
        db, actor=demo.users["demo-lead"], engagement=engagement, kind="score_sheet"
    )
    document = open_version(version)
    rows = score_table_rows(document)
    assert [cell_text(tc) for tc in cells(rows[0])] == ["一级指标", "二级指标", "三级指标", "分值",
                                                       "得分", "评分说明"]  # fmt: skip
    assert [cell_text(cells(tr)[4]) for tr in rows[1:25]] == [s for _, s in EXPECTED_LEAVES]
    texts = _texts(document)
    # Nobody signed the scores in the app: blank lines to sign by hand, no names from the team list.
    assert "评分人：__________　　复核人：__________　　项目负责人：__________" in texts
    indicators.confirm(db, actor=demo.users["demo-lead"], engagement=engagement)
    scoring.sign(db, actor=demo.users["demo-lead"], engagement=engagement)
    version = generation.generate(
        db, actor=demo.users["demo-lead"], engagement=engagement, kind="score_sheet"
    )
    texts = _texts(open_version(version))
    assert "评分人：__________　　复核人：__________　　项目负责人：李项目" in texts
    assert any("81.61 × 100 ÷ 96.00 = 85.01" in t for t in texts)


def test_ex_ante_engagement_uses_the_ex_ante_template(ctx, db, demo):
    lead = demo.users["demo-lead"]
    e = ex_ante_engagement(db, demo, [15, 16, 17, 18, 19])
    with pytest.raises(Conflict, match="缺少以下内容") as refused:
        generation.generate(db, actor=lead, engagement=e, kind="report")
    assert "四、相关建议" in refused.value.details
    assert "三、综合评估情况与结论：“筹资合规性”的评估分析" in refused.value.details
    write_all(db, e, lead, deliverable="report")
    version = generation.generate(db, actor=lead, engagement=e, kind="report")
    # Complete but unsigned: no box is ticked and the document says why.
    texts = _texts(open_version(version))
    assert "评估结论：□予以支持　　□调整后支持　　□不予支持" in texts
    assert any("尚未经项目负责人签字确认，评估结论待定" in t for t in texts)
    indicators.confirm(db, actor=lead, engagement=e)
    scoring.sign(db, actor=lead, engagement=e)
    version = generation.generate(db, actor=lead, engagement=e, kind="report")
    assert version.kind == "ex_ante_report"
    document = open_version(version)
    h1 = [t for style, t in headings(document) if style == "Heading 1"]
    assert h1 == ["一、评估对象基本情况", "二、评估工作开展情况", "三、综合评估情况与结论",
                  "四、相关建议", "五、其他说明"]  # fmt: skip
    # 15+16+17+18+19 = 85 → 予以支持 (≥ 80)
    assert "评估结论：☑予以支持　　□调整后支持　　□不予支持" in _texts(document)
    h2 = [t for style, t in headings(document) if style == "Heading 2"]
    assert h2[0] == "（一）立项必要性"


def test_refusals(ctx, db, demo):
    e = demo.engagement
    with pytest.raises(NotAllowed):
        generation.generate(db, actor=demo.users["demo-unit"], engagement=e, kind="report")
    with pytest.raises(NotAllowed):
        generation.generate(db, actor=demo.users["demo-expert"], engagement=e, kind="plan")
    with pytest.raises(NotFound, match="没有“summary”这种成果文件"):
        generation.generate(db, actor=demo.users["demo-lead"], engagement=e, kind="summary")
    with pytest.raises(ValidationFailed):
        generation.generate(
            db, actor=demo.users["demo-lead"], engagement=e, kind="report", label="x"
        )
    with pytest.raises(Conflict, match="尚未发送征求意见稿"):
        generation.generate(db, actor=demo.users["demo-lead"], engagement=e, kind="opinion_table")
    count = db.exec(
        select(func.count()).select_from(DeliverableVersion).where(
            DeliverableVersion.engagement_id == e.id, DeliverableVersion.kind != "plan")
    ).one()  # fmt: skip
    assert count == 0


def test_archive_waits_for_the_archive_exporter(ctx, db, demo):
    try:
        module = importlib.import_module("workbench.review.archive")
    except ModuleNotFoundError:
        module = None
    if getattr(module, "export_zip", None) is None:
        with pytest.raises(Conflict, match="档案包导出功能尚未启用"):
            _generate(db, demo, "archive")
    else:
        version = _generate(db, demo, "archive")
        assert version.mime == "application/zip"
        assert zipfile.ZipFile(io.BytesIO(storage.read(version.sha256))).namelist()


@pytest.mark.skipif(not generation.pdf_available(), reason="LibreOffice (soffice) is not installed")
def test_demo_report_converts_to_pdf(ctx, db, demo):
    version = _generate(db, demo, "report")
    generation.convert_pdf(db, actor=demo.users["demo-lead"], engagement=demo.engagement,
                         version=version)  # fmt: skip
    pdf = storage.read(version.pdf_sha256)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert generation.pdf_name(version).endswith(".pdf")


def test_a_number_taken_by_a_concurrent_request_moves_to_the_next(db, demo, ctx, monkeypatch):
    """Two requests racing for the same version number: the second takes the next one, no 500."""
    from workbench.reports import services as reports
    from workbench.reports.models import DeliverableVersion

    lead = demo.users["demo-lead"]
    first = reports.generate(db, actor=lead, engagement=demo.engagement, kind="score_sheet")
    real_exec = db.exec
    calls = {"n": 0}

    def stale_max(
        statement, *args, **kwargs
    ):  # the first read misses the row another request wrote
        result = real_exec(statement, *args, **kwargs)
        if "max(deliverable_version.number)" in str(statement).lower() and calls["n"] == 0:
            calls["n"] += 1
            return type("R", (), {"one": staticmethod(lambda: first.number - 1)})()
        return result

    monkeypatch.setattr(db, "exec", stale_max)
    second = reports.generate(db, actor=lead, engagement=demo.engagement, kind="score_sheet")
    assert second.number == first.number + 1 and calls["n"] == 1
    assert isinstance(second, DeliverableVersion)
