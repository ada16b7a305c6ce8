"""render_docx with the evaluation report: outline, merged score table, images, escaping."""

from __future__ import annotations

import copy
import importlib.util
import io
import zipfile
from pathlib import Path
from types import ModuleType

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

from workbench.reports.render import (
    TEMPLATE_NAMES,
    ImageSpec,
    ReportRenderError,
    default_templates_dir,
    render_docx,
)

H1 = [
    "一、基本情况",
    "二、绩效评价工作开展情况",
    "三、综合评价情况及评价结论",
    "四、绩效评价指标分析",
    "五、主要经验及做法、存在的问题及原因分析",
    "六、有关建议",
    "七、其他需要说明的问题",
    "附件1　评价图表",  # each attachment a chapter of its own, on a new page
    "附件2　满意度调查统计",
]


def load_samples() -> ModuleType:
    """report_templates/samples.py: the sample context of every template."""
    path = default_templates_dir() / "samples.py"
    spec = importlib.util.spec_from_file_location("report_templates_samples", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def samples() -> ModuleType:
    return load_samples()


@pytest.fixture(scope="module")
def report_context(samples: ModuleType) -> dict:
    return samples.evaluation_report()


def open_docx(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def render(name: str, context: dict) -> DocxDocument:
    return open_docx(render_docx(name, context))


def visible_text(data: bytes) -> str:
    """All text of the body, headers and footers of a rendered .docx."""
    texts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            if member.startswith("word/") and member.endswith(".xml"):
                root = etree.fromstring(archive.read(member))
                texts += [t.text or "" for t in root.iter(qn("w:t"))]
    return "".join(texts)


def headings(document: DocxDocument) -> list[tuple[str, str]]:
    return [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]


def score_table_rows(document: DocxDocument, first_header: str = "一级指标") -> list:
    table = next(t for t in document.tables if t.rows[0].cells[0].text == first_header)
    return table._tbl.findall(qn("w:tr"))


def cells(tr) -> list:
    return tr.findall(qn("w:tc"))


def cell_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def vmerge(tc) -> str | None:
    merge = tc.find(qn("w:tcPr")).find(qn("w:vMerge"))
    return None if merge is None else merge.get(qn("w:val"))


def span(tc) -> int:
    grid = tc.find(qn("w:tcPr")).find(qn("w:gridSpan"))
    return 1 if grid is None else int(grid.get(qn("w:val")))


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_every_sample_renders_without_leftover_tags(name: str, samples: ModuleType) -> None:
    data = render_docx(name, samples.SAMPLES[name]())
    text = visible_text(data)
    for marker in ("{{", "}}", "{%", "%}", "{#"):
        assert marker not in text, (name, marker)
    assert samples.project()["agency"] in text or name == "working_paper"


def test_report_follows_the_national_outline(report_context: dict) -> None:
    found = headings(render("evaluation_report", report_context))
    assert [text for style, text in found if style == "Heading 1"] == H1
    level2 = [text for style, text in found if style == "Heading 2"]
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
    # Sub-headings sit under their own 一级 heading.
    order = [text for _, text in found]
    assert (
        order.index("一、基本情况")
        < order.index("（一）项目概况")
        < order.index("二、绩效评价工作开展情况")
    )
    assert order.index("四、绩效评价指标分析") < order.index("（一）决策指标分析")
    assert order.index("（四）效益指标分析") < order.index(
        "五、主要经验及做法、存在的问题及原因分析"
    )


def test_report_cover_and_sections(report_context: dict) -> None:
    document = render("evaluation_report", report_context)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "报告编号：JX-2025-017"
    assert texts[1] == report_context["title"]
    assert texts[2] == "（征求意见稿）"
    assert "委托单位：某县财政局" in texts
    assert "评价机构：某某绩效评价咨询有限公司" in texts
    assert load_samples().outline_item(report_context, "overview")["paragraphs"][0] in texts
    assert (
        "经综合评价，2024年度农村义务教育学生营养改善计划补助资金绩效评价得分为85.01分，"
        "评价等级为“良”。各项指标得分情况见表1。"
    ) in texts
    assert report_context["score_note"] in texts
    assert document.core_properties.title == report_context["title"]


def test_score_table_merges_level1_and_level2(report_context: dict, samples: ModuleType) -> None:
    rows = score_table_rows(render("evaluation_report", report_context))
    leaves = samples.LEAVES
    header, data, summary = rows[0], rows[1 : 1 + len(leaves)], rows[1 + len(leaves) :]
    assert [cell_text(tc) for tc in cells(header)] == [
        "一级指标",
        "二级指标",
        "三级指标",
        "分值",
        "得分",
    ]
    for index, (tr, leaf) in enumerate(zip(data, leaves, strict=True)):
        level1, level2 = cells(tr)[0], cells(tr)[1]
        new1 = index == 0 or leaves[index - 1][0] != leaf[0]
        new2 = new1 or leaves[index - 1][1] != leaf[1]
        assert vmerge(level1) == ("restart" if new1 else "continue")
        assert vmerge(level2) == ("restart" if new2 else "continue")
        assert cell_text(level1) == (leaf[0] if new1 else "")
        assert cell_text(level2) == (leaf[1] if new2 else "")
        assert [cell_text(tc) for tc in cells(tr)[2:]] == [leaf[2], f"{leaf[3]}.00", leaf[4]]
    assert sum(vmerge(cells(tr)[0]) == "restart" for tr in data) == 4
    total_row, rescaled_row, grade_row = summary
    assert [cell_text(tc) for tc in cells(total_row)] == ["合计", "96.00", "81.61"]
    assert span(cells(total_row)[0]) == 3
    assert [cell_text(tc) for tc in cells(rescaled_row)] == [
        "综合得分（按适用指标分值折算为百分制）",
        "85.01",
    ]
    assert span(cells(rescaled_row)[0]) == 4
    assert [cell_text(tc) for tc in cells(grade_row)] == ["评价等级", "良"]


def test_rescaled_row_is_left_out_when_total_equals_sum(report_context: dict) -> None:
    context = copy.deepcopy(report_context) | {"score_sum": "85.01", "total": "85.01"}
    rows = score_table_rows(render("evaluation_report", context))
    texts = [cell_text(cells(tr)[0]) for tr in rows]
    assert texts[-2:] == ["合计", "评价等级"]
    assert "综合得分（按适用指标分值折算为百分制）" not in texts


def test_indicator_analysis_lists_every_lost_point(report_context: dict) -> None:
    document = render("evaluation_report", report_context)
    found = headings(document)
    level3 = [text for style, text in found if style == "Heading 3"]
    assert len(level3) == 23  # 24 leaves, one 不适用
    assert level3[:2] == ["1. 立项依据充分性", "2. 立项程序规范性"]
    texts = [p.text for p in document.paragraphs]
    assert "决策指标分值20.00分，评价得分16.36分，得分率81.80%。" in texts
    assert "该指标分值3.00分，评价得分2.63分。评分依据：1个评价要点部分满足。" in texts
    assert (
        "扣分原因：项目实施方案未与本县学校布局调整规划衔接。（扣0.37分）（底稿索引号：DG-01-01）"
        in texts
    )
    several = [t for t in texts if "（底稿索引号：CW-02-03）" in t]
    assert [t[:6] for t in several] == ["扣分原因1：", "扣分原因2：", "扣分原因3："]
    # Sample text with < and & comes out literally.
    assert (
        "扣分原因3：食堂采购发票与入库单数量不符，差额<5%且&未说明。（扣1.00分）（底稿索引号：CW-02-03）"
        in texts
    )


def test_charts_are_inline_images(report_context: dict) -> None:
    document = render("evaluation_report", report_context)
    shapes = document.inline_shapes
    assert len(shapes) == 2
    assert all(abs(shape.width - Mm(150)) < Mm(0.1) for shape in shapes)
    texts = [p.text for p in document.paragraphs]
    assert "图1　一级指标得分率" in texts and "图2　满意度分布" in texts
    images = [p for p in document.part.package.parts if p.partname.startswith("/word/media/")]
    assert len(images) == 2
    assert all(image.blob.startswith(b"\x89PNG") for image in images)


def test_image_paths_and_widths(report_context: dict, tmp_path: Path) -> None:
    png = report_context["charts"][0]["image"]
    (tmp_path / "chart.png").write_bytes(png)
    context = copy.deepcopy(report_context)
    context["charts"] = [
        {"title": "路径图片", "image": tmp_path / "chart.png"},
        {"title": "窄图", "image": ImageSpec(data=png, width_mm=80)},
    ]
    shapes = render("evaluation_report", context).inline_shapes
    assert abs(shapes[0].width - Mm(150)) < Mm(0.1)
    assert abs(shapes[1].width - Mm(80)) < Mm(0.1)


def test_survey_summary_table(report_context: dict) -> None:
    document = render("evaluation_report", report_context)
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "调查项目")
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["调查项目", "有效样本", "满意率", "满意度得分", "满意率95%置信区间"]
    assert rows[1] == ["补助资金发放及时性", "240", "79.58%", "81.21", "74.04%～84.20%"]
    assert rows[-1] == ["总体", "240", "80.50%", "82.46", "75.02%～85.02%"]
    assert len(rows) == 1 + 5 + 1
    texts = [p.text for p in document.paragraphs]
    # One block per survey (附件2), each with its intro, α sentence, warning and table 表2-n.
    assert "1. 学生家长满意度调查" in texts and "2. 学生满意度网络调查" in texts
    assert "表2-1　学生家长满意度调查" in texts and "表2-2　学生满意度网络调查" in texts
    assert any(t.startswith("信度系数为负值") for t in texts)
    second = [t for t in document.tables if t.rows[0].cells[0].text == "调查项目"][1]
    assert len(second.rows) == 1 + 2  # no 总体 row when the survey has none


def test_report_without_survey_or_charts(report_context: dict) -> None:
    context = copy.deepcopy(report_context) | {
        "survey": None,
        "survey_appendix": {"surveys": []},
        "charts": [],
    }
    document = render("evaluation_report", context)
    texts = [p.text for p in document.paragraphs]
    assert "本项目未开展满意度调查。" in texts
    assert "本报告无附图。" in texts
    assert len(document.inline_shapes) == 0


def test_user_text_is_never_executed(report_context: dict) -> None:
    hostile = "{{ project.name }}{% if true %}执行了{% endif %}<b>粗</b>&amp;{{ 7*7 }}{%p endfor %}"
    context = copy.deepcopy(report_context)
    load_samples().outline_item(context, "overview")["paragraphs"] = [hostile]
    context["project"]["name"] = "营养<改善>&“计划”'{{ title }}'"
    context["outline"][3]["contents"][0]["l1"]["indicators"][0]["findings"][0]["text"] = "{{ 1/0 }}"
    data = render_docx("evaluation_report", context)
    texts = [p.text for p in open_docx(data).paragraphs]
    assert hostile in texts
    assert "项目名称：营养<改善>&“计划”'{{ title }}'" in texts
    assert any(t.startswith("扣分原因：{{ 1/0 }}") for t in texts)
    assert "49" not in visible_text(data)


def test_control_characters_and_line_breaks(report_context: dict) -> None:
    context = copy.deepcopy(report_context)
    load_samples().outline_item(context, "overview")["paragraphs"] = [
        "第一行\n第二行\x07\x0c末尾\x00"
    ]
    document = render("evaluation_report", context)
    paragraph = next(p for p in document.paragraphs if p.text.startswith("第一行"))
    assert paragraph.text == "第一行\n第二行末尾"
    assert paragraph._p.find(f"{qn('w:r')}/{qn('w:br')}") is not None


def test_missing_keys_are_reported_in_chinese(report_context: dict) -> None:
    context = copy.deepcopy(report_context)
    del context["closing_tail"]
    with pytest.raises(ReportRenderError, match="报告模板 evaluation_report 缺少数据"):
        render_docx("evaluation_report", context)


def test_template_names_cannot_leave_the_folder() -> None:
    with pytest.raises(ReportRenderError, match="报告模板名称不合法"):
        render_docx("../evaluation_report", {})
    with pytest.raises(ReportRenderError, match="找不到报告模板文件"):
        render_docx("annual_summary", {})


def test_non_image_bytes_are_refused(report_context: dict) -> None:
    context = copy.deepcopy(report_context)
    context["charts"] = [{"title": "坏图", "image": b"%PDF-1.7 not an image"}]
    with pytest.raises(ReportRenderError, match="不是 PNG"):
        render_docx("evaluation_report", context)


def test_render_turns_update_fields_back_on(report_context: dict, tmp_path: Path) -> None:
    source = default_templates_dir() / "evaluation_report.docx"
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(tmp_path / "evaluation_report.docx", "w") as copy_archive,
    ):
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "word/settings.xml":
                data = data.replace(b'<w:updateFields w:val="true"/>', b"")
            copy_archive.writestr(item, data)
    with zipfile.ZipFile(tmp_path / "evaluation_report.docx") as stripped:
        assert b"updateFields" not in stripped.read("word/settings.xml")
    data = render_docx("evaluation_report", report_context, templates_dir=tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as rendered:
        assert b'<w:updateFields w:val="true"/>' in rendered.read("word/settings.xml")


def test_templates_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WORKBENCH_REPORT_TEMPLATES", str(tmp_path))
    assert default_templates_dir() == tmp_path
    monkeypatch.delenv("WORKBENCH_REPORT_TEMPLATES")
    assert (default_templates_dir() / "evaluation_report.docx").is_file()


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_rendered_documents_keep_page_fonts_and_fields(name: str, samples: ModuleType) -> None:
    data = render_docx(name, samples.SAMPLES[name]())
    document = open_docx(data)
    for section in document.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = etree.fromstring(archive.read("word/styles.xml"))
        settings = archive.read("word/settings.xml")
    east_asia = {
        s.get(qn("w:styleId")): s.find(f"{qn('w:rPr')}/{qn('w:rFonts')}").get(qn("w:eastAsia"))
        for s in styles.iter(qn("w:style"))
        if s.get(qn("w:styleId")) in ("Normal", "Heading1", "Heading2", "TableText")
    }
    assert east_asia == {
        "Normal": "仿宋_GB2312",
        "Heading1": "黑体",
        "Heading2": "楷体_GB2312",
        "TableText": "仿宋_GB2312",
    }
    assert b'<w:updateFields w:val="true"/>' in settings
