"""The committed report templates: 公文 styles, page, fields, and agreement with the builder."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path
from types import ModuleType

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from workbench.reports.render import TEMPLATE_NAMES, default_templates_dir

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEMPLATES = default_templates_dir()
LONG_DOCUMENTS = ("evaluation_plan", "evaluation_report", "ex_ante_report")


def load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "report_templates_build", TEMPLATES / "build_templates.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def part(name: str, member: str) -> etree._Element:
    with zipfile.ZipFile(TEMPLATES / f"{name}.docx") as archive:
        return etree.fromstring(archive.read(member))


def style(styles: etree._Element, style_id: str) -> etree._Element:
    found = styles.find(f"{W}style[@{W}styleId='{style_id}']")
    assert found is not None, style_id
    return found


def test_every_template_is_committed() -> None:
    assert sorted(p.stem for p in TEMPLATES.glob("*.docx")) == sorted(TEMPLATE_NAMES)


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The templates built afresh by report_templates/build_templates.py."""
    out = tmp_path_factory.mktemp("templates")
    load_builder().build_all(out)
    return out


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_committed_template_matches_builder(name: str, rebuilt: Path) -> None:
    with (
        zipfile.ZipFile(TEMPLATES / f"{name}.docx") as committed,
        zipfile.ZipFile(rebuilt / f"{name}.docx") as built,
    ):
        assert sorted(committed.namelist()) == sorted(built.namelist())
        for member in committed.namelist():
            assert committed.read(member) == built.read(member), (
                f"{name}.docx:{member} differs: run python report_templates/build_templates.py"
            )


@pytest.mark.parametrize(
    ("style_id", "east_asia", "half_points", "bold"),
    [
        ("Normal", "仿宋_GB2312", "32", False),
        ("Title", "方正小标宋简体", "44", False),
        ("CoverTitle", "方正小标宋简体", "52", False),
        ("Heading1", "黑体", "32", False),
        ("Heading2", "楷体_GB2312", "32", False),
        ("Heading3", "仿宋_GB2312", "32", True),
        ("TableText", "仿宋_GB2312", "24", False),
        ("TOC1", "仿宋_GB2312", "28", False),
        ("Footer", "宋体", "28", False),
    ],
)
@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_styles_set_east_asian_fonts(
    name: str, style_id: str, east_asia: str, half_points: str, bold: bool
) -> None:
    rpr = style(part(name, "word/styles.xml"), style_id).find(f"{W}rPr")
    fonts = rpr.find(f"{W}rFonts")
    assert fonts.get(f"{W}eastAsia") == east_asia
    assert fonts.get(f"{W}ascii") == fonts.get(f"{W}hAnsi") == "Times New Roman"
    # A theme attribute would override the explicit font in Word.
    assert not [a for a in fonts.attrib if "Theme" in a or "theme" in a]
    assert rpr.find(f"{W}sz").get(f"{W}val") == half_points
    assert (rpr.find(f"{W}b").get(f"{W}val") != "0") is bold


def test_body_style_is_gongwen_paragraph() -> None:
    normal = style(part("evaluation_report", "word/styles.xml"), "Normal").find(f"{W}pPr")
    spacing = normal.find(f"{W}spacing")
    assert spacing.get(f"{W}lineRule") == "exact"
    assert 560 <= int(spacing.get(f"{W}line")) <= 580  # 28–29 pt
    indent = normal.find(f"{W}ind")
    assert indent.get(f"{W}firstLineChars") == "200"
    assert indent.get(f"{W}firstLine") == "640"


def test_headings_have_outline_levels_for_the_toc() -> None:
    styles = part("evaluation_report", "word/styles.xml")
    levels = [
        style(styles, f"Heading{n}").find(f"{W}pPr/{W}outlineLvl").get(f"{W}val") for n in (1, 2, 3)
    ]
    assert levels == ["0", "1", "2"]


def test_defaults_use_chinese_fonts_not_theme_fonts() -> None:
    defaults = part("evaluation_report", "word/styles.xml").find(f"{W}docDefaults")
    fonts = defaults.find(f"{W}rPrDefault/{W}rPr/{W}rFonts")
    assert fonts.get(f"{W}eastAsia") == "仿宋_GB2312"
    assert fonts.get(f"{W}eastAsiaTheme") is None
    lang = defaults.find(f"{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(f"{W}eastAsia") == "zh-CN"


def test_font_table_names_fallbacks() -> None:
    fonts = part("evaluation_report", "word/fontTable.xml")
    alternatives = {
        f.get(f"{W}name"): f.find(f"{W}altName").get(f"{W}val")
        for f in fonts.findall(f"{W}font")
        if f.find(f"{W}altName") is not None
    }
    assert alternatives["仿宋_GB2312"] == "仿宋"
    assert alternatives["楷体_GB2312"] == "楷体"
    assert alternatives["方正小标宋简体"] == "宋体"


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_update_fields_is_on_in_schema_order(name: str) -> None:
    settings = part(name, "word/settings.xml")
    update = settings.find(f"{W}updateFields")
    assert update is not None and update.get(f"{W}val") == "true"
    tags = [etree.QName(child).localname for child in settings]
    assert tags.index("updateFields") < tags.index("compat")


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_page_is_a4_with_gongwen_margins(name: str) -> None:
    document = docx.Document(str(TEMPLATES / f"{name}.docx"))
    for section in document.sections:
        assert round(section.page_width.mm) == 210
        assert round(section.page_height.mm) == 297
        margins = [section.top_margin, section.bottom_margin, section.left_margin]
        assert [round(m.mm) for m in [*margins, section.right_margin]] == [37, 35, 28, 26]


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_body_pages_are_numbered_from_one(name: str) -> None:
    document = docx.Document(str(TEMPLATES / f"{name}.docx"))
    body = document.sections[-1]
    footer_xml = etree.tostring(body.footer._element, encoding="unicode")
    assert "PAGE" in footer_xml
    assert body.footer.paragraphs[0].text.startswith("— ")
    assert body.footer.paragraphs[0].text.endswith(" —")
    numbering = body._sectPr.find(qn("w:pgNumType"))
    assert numbering is not None and numbering.get(qn("w:start")) == "1"


@pytest.mark.parametrize("name", LONG_DOCUMENTS)
def test_long_documents_have_cover_and_toc_section(name: str) -> None:
    document = docx.Document(str(TEMPLATES / f"{name}.docx"))
    assert len(document.sections) == 2
    # The cover/TOC section has no footer of its own: no page number on it.
    assert document.sections[0].footer.is_linked_to_previous
    xml = etree.tostring(document.element.body, encoding="unicode")
    assert 'TOC \\o "1-2" \\h \\z \\u' in xml
    assert 'w:fldCharType="begin" w:dirty="true"' in xml
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "报告编号：{{ project.report_no }}"
    assert "{{ title }}" in texts
    assert any(t.startswith("委托单位：") for t in texts)
    assert any(t.startswith("评价机构：") or t.startswith("评估机构：") for t in texts)


def test_templates_contain_no_python_docx_leftovers() -> None:
    with zipfile.ZipFile(TEMPLATES / "evaluation_report.docx") as archive:
        names = archive.namelist()
        core = archive.read("docProps/core.xml").decode()
    assert "docProps/thumbnail.jpeg" not in names
    assert "word/stylesWithEffects.xml" not in names
    assert "python-docx" not in core
