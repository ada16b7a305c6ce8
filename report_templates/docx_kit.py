"""python-docx helpers for the 公文-style templates: document, page, fields, tables."""

from __future__ import annotations

from datetime import UTC, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from gongwen_styles import BODY_LINE, GRID_CHAR_SPACE, install_styles

STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def _drop_sample_parts(doc: DocxDocument) -> None:
    """Drop python-docx's thumbnail and Word-2010 style copy, which would contradict ours."""
    for rels in (doc.part.rels, doc.part.package.rels):
        for r_id, rel in list(rels.items()):
            if rel.reltype in (RT.THUMBNAIL, STYLES_WITH_EFFECTS):
                rels.pop(r_id)


def _settings(doc: DocxDocument) -> None:
    from workbench.reports.render import ensure_update_fields

    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    ensure_update_fields(settings)


def new_document(*, title: str) -> DocxDocument:
    """An empty A4 document with the 公文 page, styles, fonts and update-on-open fields."""
    doc = Document()
    _drop_sample_parts(doc)
    install_styles(doc)
    _settings(doc)
    set_page(doc.sections[0])
    props = doc.core_properties
    props.title = title
    props.author = "绩效评价工作台"
    props.last_modified_by = "绩效评价工作台"
    props.comments = ""
    props.keywords = "绩效评价"
    props.subject = ""
    props.category = "报告模板"
    # Fixed dates keep the committed templates byte-stable across rebuilds.
    props.created = props.modified = datetime(2025, 1, 1, tzinfo=UTC)
    return doc


def set_page(section) -> None:
    """A4 portrait with the 公文 margins (top 37, bottom 35, left 28, right 26 mm) and the
    28 × 22 document grid (字符网格: lines and characters)."""
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(23)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)  # CT_SectPr: docGrid comes after pgMar, cols …; python-docx's last
    grid.attrib.clear()
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(BODY_LINE))
    grid.set(qn("w:charSpace"), str(GRID_CHAR_SPACE))


def add_paragraph(container, text: str = "", style: str = "Normal") -> Paragraph:
    """A paragraph with one run of text in a named style (document or table cell)."""
    paragraph = container.add_paragraph(style=style)
    if text:
        paragraph.add_run(text)
    return paragraph


def add_page_break(doc: DocxDocument) -> None:
    """A paragraph holding only a page break."""
    doc.add_paragraph(style="Normal").add_run().add_break(WD_BREAK.PAGE)


def add_field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A complex field marked dirty (refresh on open) with a visible placeholder result."""

    def run_with(xml: str) -> None:
        paragraph._p.append(parse_xml(f"<w:r {nsdecls('w')}>{xml}</w:r>"))

    run_with('<w:fldChar w:fldCharType="begin" w:dirty="true"/>')
    run_with(f'<w:instrText xml:space="preserve"> {instruction} </w:instrText>')
    run_with('<w:fldChar w:fldCharType="separate"/>')
    run_with(f"<w:t>{placeholder}</w:t>")
    run_with('<w:fldChar w:fldCharType="end"/>')


def add_toc(doc: DocxDocument, *, levels: str = "1-2") -> None:
    """The 目录 heading and a TOC field over the Heading styles, refreshed when opened."""
    add_paragraph(doc, "目　　录", "TOC Heading")
    paragraph = add_paragraph(doc, "", "toc 1")
    add_field(
        paragraph,
        f'TOC \\o "{levels}" \\h \\z \\u',
        "（目录将在 Word/WPS 打开文档时自动更新；如未更新，请右键单击此处选择“更新域”。）",
    )


def page_number_footer(section, *, restart: bool) -> None:
    """Footer "— 1 —" (PAGE field, 宋体 四号) for this section, optionally restarting at 1."""
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.style = "footer"
    paragraph.add_run("— ")
    add_field(paragraph, "PAGE", "1")
    paragraph.add_run(" —")
    if restart:
        pg = section._sectPr.find(qn("w:pgNumType"))
        if pg is None:
            pg = OxmlElement("w:pgNumType")
            # pgNumType follows pgMar/paperSrc/pgBorders/lnNumType in CT_SectPr.
            section._sectPr.find(qn("w:pgMar")).addnext(pg)
        pg.set(qn("w:start"), "1")
        pg.set(qn("w:fmt"), "decimal")


def start_body_section(doc: DocxDocument):
    """A new section on a new page whose footer numbers pages from 1."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    set_page(section)
    page_number_footer(section, restart=True)
    return section


def add_table(doc: DocxDocument, headers: list[str], widths_mm: list[float]) -> Table:
    """A fixed-layout "公文表格" table with a repeated header row."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["公文表格"]
    table.autofit = False
    # Direct width and centring too: LibreOffice ignores a table style's alignment.
    width = table._tbl.tblPr.find(qn("w:tblW"))
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(round(sum(widths_mm) / 25.4 * 1440)))
    width.addnext(parse_xml(f'<w:jc {nsdecls("w")} w:val="center"/>'))  # CT_TblPr: tblW, jc
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    header = table.rows[0]
    header_pr = header._tr.get_or_add_trPr()
    header_pr.append(OxmlElement("w:tblHeader"))
    for cell, text in zip(header.cells, headers, strict=True):
        set_cell(cell, text, "表格标题行")
    return table


def add_row(
    table: Table, texts: list[str], styles: list[str] | str = "表格文字居中"
) -> list[_Cell]:
    """Append a row that may not split across pages; one text and style per cell."""
    row = table.add_row()
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    style_list = [styles] * len(texts) if isinstance(styles, str) else styles
    for cell, text, style in zip(row.cells, texts, style_list, strict=True):
        set_cell(cell, text, style)
    return list(row.cells)


def set_cell(cell: _Cell, text: str, style: str) -> None:
    """Replace a cell's content by one paragraph in ``style``; width comes from the grid."""
    paragraph = cell.paragraphs[0]
    for run in list(paragraph.runs):
        run._r.getparent().remove(run._r)
    paragraph.style = style
    if text:
        paragraph.add_run(text)


def merge_cells(cells: list[_Cell], text: str, style: str = "表格文字居中") -> _Cell:
    """Merge adjacent cells of one row (gridSpan) and set the merged text."""
    merged = cells[0].merge(cells[-1])
    for extra in merged.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    set_cell(merged, text, style)
    return merged


def tag_row(table: Table, tag: str) -> None:
    """A row holding only a docxtpl row tag (``{%tr ... %}``); docxtpl removes the row."""
    add_row(table, [tag] + [""] * (len(table.columns) - 1), "表格文字")
