"""公文 styles for the templates: fonts, sizes, spacing and indents, set in the STYLES.

Fonts are set through ``w:rFonts`` with an explicit ``w:eastAsia`` (python-docx's
``font.name`` only sets the Latin slots, so Chinese text would fall back to a theme font),
and the font table names a fallback (``w:altName``) for each 公文 font missing on a PC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

LATIN = "Times New Roman"
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
# Font → (fallback Word/WPS uses when it is not installed, Windows family class).
FONT_FALLBACKS = {
    FANGSONG: ("仿宋", "modern"),
    KAITI: ("楷体", "modern"),
    HEITI: ("SimHei", "modern"),
    XIAOBIAOSONG: ("宋体", "script"),
    SONGTI: ("SimSun", "auto"),
}

TWIPS_PER_PT = 20
# 28.9 pt fixed spacing gives the 公文 22 lines in the 225 mm text height.
BODY_LINE = 578
TEXT_WIDTH_MM = 210 - 28 - 26
# 公文 document grid: 28 characters a line, 22 lines a page. Word lays a line out on a grid of
# (Normal size + charSpace ÷ 4096) pt; 16 pt characters need a pitch of at most 156 mm ÷ 28.
CHARS_PER_LINE, LINES_PER_PAGE = 28, 22
TEXT_WIDTH_TWIPS = round(TEXT_WIDTH_MM / 25.4 * 72 * TWIPS_PER_PT)
GRID_CHAR_SPACE = math.floor((TEXT_WIDTH_TWIPS / TWIPS_PER_PT / CHARS_PER_LINE - 16) * 4096)
# Twentieths of a point each grid character gives up (w:spacing), so it fits one grid cell.
GRID_CONDENSE = -5
# Right tab of the TOC entries at the text width, in twips.
TOC_TAB = round(TEXT_WIDTH_MM / 25.4 * 72 * TWIPS_PER_PT)


@dataclass(frozen=True)
class StyleSpec:
    """Everything a paragraph style sets; sizes in points, indents in characters."""

    name: str
    style_id: str
    font: str
    size: float
    bold: bool = False
    align: str = "both"
    first_line_chars: int = 0
    hanging_chars: int = 0
    left_chars: int = 0
    line: int | None = BODY_LINE  # exact line height in twips; None = single, auto
    before: float = 0
    after: float = 0
    outline: int | None = None
    keep_next: bool = False
    page_break_before: bool = False
    based_on: str | None = "Normal"
    next_style: str | None = None
    toc_tab: bool = False
    snap: bool = False  # body text snaps to the 28 × 22 document grid; tables, TOC, cover don't


PARAGRAPH_STYLES = [
    StyleSpec("Normal", "Normal", FANGSONG, 16, first_line_chars=2, based_on=None, snap=True),
    StyleSpec("Title", "Title", XIAOBIAOSONG, 22, align="center", line=720, after=12),
    StyleSpec(
        "封面标题",
        "CoverTitle",
        XIAOBIAOSONG,
        26,
        align="center",
        line=None,
        before=120,
        after=24,
    ),
    StyleSpec("Subtitle", "Subtitle", KAITI, 16, align="center", line=None, after=6),
    StyleSpec(
        "heading 1", "Heading1", HEITI, 16, first_line_chars=2, outline=0, keep_next=True, snap=True
    ),
    StyleSpec(
        "heading 2", "Heading2", KAITI, 16, first_line_chars=2, outline=1, keep_next=True, snap=True
    ),
    StyleSpec(
        "heading 3",
        "Heading3",
        FANGSONG,
        16,
        bold=True,
        first_line_chars=2,
        outline=2,
        keep_next=True,
        snap=True,
    ),
    StyleSpec("TOC Heading", "TOCHeading", HEITI, 16, align="center", after=12),
    StyleSpec("toc 1", "TOC1", FANGSONG, 14, align="left", line=None, after=3, toc_tab=True),
    StyleSpec(
        "toc 2",
        "TOC2",
        FANGSONG,
        14,
        align="left",
        left_chars=2,
        line=None,
        after=3,
        toc_tab=True,
    ),
    StyleSpec(
        "toc 3",
        "TOC3",
        FANGSONG,
        14,
        align="left",
        left_chars=4,
        line=None,
        after=3,
        toc_tab=True,
    ),
    StyleSpec(
        "caption",
        "Caption",
        HEITI,
        12,
        align="center",
        line=None,
        before=6,
        after=6,
        keep_next=True,
    ),
    StyleSpec("footer", "Footer", SONGTI, 14, align="center", line=None),
    StyleSpec("header", "Header", SONGTI, 10.5, align="center", line=None),
    StyleSpec("图片", "Figure", FANGSONG, 12, align="center", line=None, before=6, keep_next=True),
    StyleSpec("表格文字", "TableText", FANGSONG, 12, align="left", line=None),
    StyleSpec("表格文字居中", "TableTextCenter", FANGSONG, 12, align="center", line=None),
    StyleSpec("表格标题行", "TableHeading", HEITI, 12, align="center", line=None),
    StyleSpec("封面编号", "CoverNumber", FANGSONG, 14, align="right", line=None),
    # Label "项目名称：" hangs, so a long project name wraps under the name, not the label.
    StyleSpec(
        "封面信息",
        "CoverInfo",
        FANGSONG,
        16,
        align="left",
        left_chars=11,
        hanging_chars=5,
        after=6,
    ),
    StyleSpec("表单信息", "FormInfo", FANGSONG, 14, align="left", line=None, before=3, after=3),
    StyleSpec("落款", "Signature", FANGSONG, 16, align="right", snap=True),
    # 附件说明: "附件：1. …" indented 2 characters, later lines hang so the numbers align.
    StyleSpec(
        "附件说明",
        "AttachmentList",
        FANGSONG,
        16,
        align="left",
        left_chars=5,
        hanging_chars=3,
        snap=True,
    ),
]

CHARACTER_STYLES_TO_DROP = (
    "Heading1Char",
    "Heading2Char",
    "Heading3Char",
    "TitleChar",
    "SubtitleChar",
    "HeaderChar",
    "FooterChar",
)


def rfonts_xml(east_asia: str, latin: str = LATIN) -> str:
    """An ``w:rFonts`` element with explicit (non-theme) fonts for every script slot."""
    return (
        f'<w:rFonts {nsdecls("w")} w:ascii="{latin}" w:hAnsi="{latin}" '
        f'w:eastAsia="{east_asia}" w:cs="{latin}" w:hint="eastAsia"/>'
    )


def _ppr_xml(spec: StyleSpec) -> str:
    parts: list[str] = []
    if spec.keep_next:
        parts += ["<w:keepNext/>", "<w:keepLines/>"]
    if spec.page_break_before:
        parts.append("<w:pageBreakBefore/>")
    parts.append("<w:widowControl/>")
    if spec.toc_tab:
        parts.append(f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TOC_TAB}"/></w:tabs>')
    # Only 三号 body text snaps to the document grid (28 characters a line); tables, images,
    # captions and the cover keep their own sizes and spacing.
    if not spec.snap:
        parts.append('<w:snapToGrid w:val="0"/>')
    before, after = round(spec.before * TWIPS_PER_PT), round(spec.after * TWIPS_PER_PT)
    if spec.line is None:
        parts.append(
            f'<w:spacing w:before="{before}" w:after="{after}" w:line="240" w:lineRule="auto"/>'
        )
    else:
        parts.append(
            f'<w:spacing w:before="{before}" w:after="{after}" w:line="{spec.line}" '
            'w:lineRule="exact"/>'
        )
    char_twips = round(spec.size * TWIPS_PER_PT)
    if spec.hanging_chars:
        first = (
            f'w:hanging="{spec.hanging_chars * char_twips}" '
            f'w:hangingChars="{spec.hanging_chars * 100}"'
        )
    else:
        first = (
            f'w:firstLine="{spec.first_line_chars * char_twips}" '
            f'w:firstLineChars="{spec.first_line_chars * 100}"'
        )
    parts.append(
        f'<w:ind w:left="{spec.left_chars * char_twips}" w:leftChars="{spec.left_chars * 100}" '
        f"{first}/>"
    )
    parts.append(f'<w:jc w:val="{spec.align}"/>')
    if spec.outline is not None:
        parts.append(f'<w:outlineLvl w:val="{spec.outline}"/>')
    return f"<w:pPr {nsdecls('w')}>{''.join(parts)}</w:pPr>"


def _rpr_xml(spec: StyleSpec) -> str:
    half_points = round(spec.size * 2)
    bold = "<w:b/><w:bCs/>" if spec.bold else '<w:b w:val="0"/><w:bCs w:val="0"/>'
    # Grid text is condensed to fit the grid pitch itself: 28 × (16 − 0.25) pt ≤ 156 mm. Word
    # and WPS also compress to the grid; LibreOffice would give a wider character two cells.
    condensed = f'<w:spacing w:val="{GRID_CONDENSE}"/>' if spec.snap else ""
    return (
        f'<w:rPr {nsdecls("w")}>{rfonts_xml(spec.font)}{bold}<w:color w:val="000000"/>'
        f'{condensed}<w:kern w:val="2"/><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr>'
    )


def _apply_paragraph_style(doc: DocxDocument, spec: StyleSpec) -> None:
    styles = doc.styles
    element = styles.element.get_by_id(spec.style_id)
    if element is None:
        # ASCII names ("toc 1") are Word's built-in styles, the Chinese ones are custom.
        builtin = spec.name.isascii()
        style = styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH, builtin=builtin)
        style.style_id = spec.style_id
        element = style.element
    element.name_val = spec.name
    for tag in (
        "w:pPr",
        "w:rPr",
        "w:link",
        "w:basedOn",
        "w:next",
        "w:semiHidden",
        "w:unhideWhenUsed",
        "w:rsid",
    ):
        for child in element.findall(qn(tag)):
            element.remove(child)
    if spec.based_on:
        element.basedOn_val = spec.based_on
    element.next_val = spec.next_style or ("Normal" if spec.style_id != "Normal" else None)
    element.qFormat_val = True
    element.append(parse_xml(_ppr_xml(spec)))
    element.append(parse_xml(_rpr_xml(spec)))


def _table_style(doc: DocxDocument) -> None:
    """A bordered table style "公文表格": 0.5 pt lines, 仿宋 小四, small cell margins."""
    style = doc.styles.add_style("公文表格", WD_STYLE_TYPE.TABLE)
    style.style_id = "GongwenTable"
    element = style.element
    element.basedOn_val = "TableNormal"
    element.qFormat_val = True
    spec = StyleSpec("公文表格", "GongwenTable", FANGSONG, 12, align="left", line=None)
    element.append(parse_xml(_ppr_xml(spec)))
    element.append(parse_xml(_rpr_xml(spec)))
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    element.append(
        parse_xml(
            f'<w:tblPr {nsdecls("w")}><w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders>'
            '<w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
            '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
            "</w:tblPr>"
        )
    )
    element.append(parse_xml(f'<w:tcPr {nsdecls("w")}><w:vAlign w:val="center"/></w:tcPr>'))


def _doc_defaults(doc: DocxDocument) -> None:
    """Replace the theme-font defaults by explicit 公文 fonts and Chinese language."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    spec = StyleSpec("defaults", "defaults", FANGSONG, 16, align="both")
    defaults.clear()
    defaults.append(parse_xml(f"<w:rPrDefault {nsdecls('w')}>{_rpr_xml(spec)}</w:rPrDefault>"))
    defaults.append(
        parse_xml(
            f'<w:pPrDefault {nsdecls("w")}><w:pPr><w:spacing w:after="0" w:line="240" '
            'w:lineRule="auto"/></w:pPr></w:pPrDefault>'
        )
    )


def _drop_unused_styles(doc: DocxDocument) -> None:
    """Remove python-docx's sample table and linked character styles that 公文 never uses."""
    root = doc.styles.element
    for style in list(root.findall(qn("w:style"))):
        style_id = style.get(qn("w:styleId"))
        is_sample_table = style.get(qn("w:type")) == "table" and style_id not in (
            "TableNormal",
            "TableGrid",
        )
        if is_sample_table or style_id in CHARACTER_STYLES_TO_DROP:
            root.remove(style)


def _font_table(doc: DocxDocument) -> None:
    """Declare the 公文 fonts with their fallbacks (w:altName) and the GB2312 charset."""
    part = next(r.target_part for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE)
    root = parse_xml(part.blob)
    for name, (alt, family) in FONT_FALLBACKS.items():
        root.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/>'
                f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="variable"/>'
                "</w:font>"
            )
        )
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def install_styles(doc: DocxDocument) -> None:
    """Replace python-docx's sample styles by the 公文 styles and declare the fonts."""
    _drop_unused_styles(doc)
    _doc_defaults(doc)
    for spec in PARAGRAPH_STYLES:
        _apply_paragraph_style(doc, spec)
    _table_style(doc)
    _font_table(doc)
