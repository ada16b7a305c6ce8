"""Template building blocks shared by the templates: cover, headings, loops, score tables.

Each function writes docxtpl tags into ordinary paragraphs/cells, so the built .docx stays a
normal Word document that an agency can restyle in Word or WPS.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.document import Document as DocxDocument
from docx_kit import (
    add_page_break,
    add_paragraph,
    add_row,
    add_table,
    add_toc,
    merge_cells,
    set_cell,
    start_body_section,
    tag_row,
)
from gongwen_styles import TEXT_WIDTH_MM

LEVEL1_CELL = '{% vmerge new_group(loop, row, "level1") %}{{ row.level1 }}'
LEVEL2_CELL = '{% vmerge new_group(loop, row, "level1", "level2") %}{{ row.level2 }}'


@dataclass(frozen=True)
class Column:
    """One column of a looped table: header, width, the cell's template text and style."""

    header: str
    width_mm: float
    cell: str
    style: str = "表格文字居中"


def tag(doc: DocxDocument, text: str) -> None:
    """A paragraph holding only a docxtpl paragraph tag (``{%p ... %}``), removed on render."""
    add_paragraph(doc, text, "Normal")


def h1(doc: DocxDocument, text: str) -> None:
    add_paragraph(doc, text, "heading 1")


def h2(doc: DocxDocument, text: str) -> None:
    add_paragraph(doc, text, "heading 2")


def h3(doc: DocxDocument, text: str) -> None:
    add_paragraph(doc, text, "heading 3")


def paragraphs(doc: DocxDocument, expression: str, style: str = "Normal") -> None:
    """One body paragraph per string of the list ``expression`` (e.g. sections.overview)."""
    tag(doc, f"{{%p for para in {expression} %}}")
    add_paragraph(doc, "{{ para }}", style)
    tag(doc, "{%p endfor %}")


def numbered_paragraphs(doc: DocxDocument, expression: str) -> None:
    """ "1. text" paragraphs for a list of strings (basis documents, deliverables)."""
    tag(doc, f"{{%p for item in {expression} %}}")
    add_paragraph(doc, "{{ loop.index }}. {{ item }}", "Normal")
    tag(doc, "{%p endfor %}")


def cover(
    doc: DocxDocument,
    *,
    date_label: str = "报告日期",
    unit_label: str = "被评价单位",
    agency_label: str = "评价机构",
) -> None:
    """Cover page (报告编号, title, 项目名称, 委托单位, 评价机构, 日期), then the TOC page,
    then a new section whose pages are numbered from 1."""
    add_paragraph(doc, "报告编号：{{ project.report_no }}", "封面编号")
    add_paragraph(doc, "{{ title }}", "封面标题")
    tag(doc, "{%p if version_label %}")
    add_paragraph(doc, "（{{ version_label }}）", "Subtitle")
    tag(doc, "{%p endif %}")
    for _ in range(3):
        add_paragraph(doc, "", "封面信息")
    add_paragraph(doc, "项目名称：{{ project.name }}", "封面信息")
    add_paragraph(doc, "委托单位：{{ project.bureau }}", "封面信息")
    add_paragraph(doc, f"{unit_label}：{{{{ project.unit }}}}", "封面信息")
    add_paragraph(doc, f"{agency_label}：{{{{ project.agency }}}}", "封面信息")
    add_paragraph(doc, f"{date_label}：{{{{ project.date }}}}", "封面信息")
    add_page_break(doc)
    add_toc(doc)
    start_body_section(doc)


def signature(doc: DocxDocument) -> None:
    """The agency and date, right-aligned, after the last narrative section."""
    add_paragraph(doc, "", "Normal")
    add_paragraph(doc, "{{ project.agency }}", "落款")
    add_paragraph(doc, "{{ project.date }}", "落款")


BLANK_SIGNATURE = "__________"  # a line to sign on by hand where the app holds no sign-off


def closing(
    doc: DocxDocument, *, agency_label: str, after: str, attachments: tuple[str, ...] = ()
) -> None:
    """The last chapter's paragraphs ``after``, the 附件 list (公文: "附件：1. …" under the text,
    the numbers aligned), then the closing block: 项目负责人 and 主评人 (a name only where they
    signed the report in the app, a blank line otherwise), the agency with its seal, the full
    date. The block is kept on one page with the text before it (a 落款 never stands alone)."""
    tag(doc, f"{{%p for para in {after} %}}")
    add_paragraph(doc, "{{ para }}").paragraph_format.keep_with_next = True
    tag(doc, "{%p endfor %}")
    add_paragraph(doc, "", "Normal").paragraph_format.keep_with_next = True
    for number, title in enumerate(attachments, start=1):
        label = "附件：" if number == 1 else "\u3000" * 3  # aligned under "1."
        paragraph = add_paragraph(doc, f"{label}{number}. {title}", "附件说明")
        paragraph.paragraph_format.keep_with_next = True
    if attachments:
        add_paragraph(doc, "", "Normal").paragraph_format.keep_with_next = True
    lines = [
        f"项目负责人（签字）：{{{{ closing.lead or '{BLANK_SIGNATURE}' }}}}",
        f"主评人（签字）：{{{{ closing.evaluator or '{BLANK_SIGNATURE}' }}}}",
        f"{agency_label}（盖章）：{{{{ project.agency }}}}",
        "{{ closing.date }}",
    ]
    for number, text in enumerate(lines):
        paragraph = add_paragraph(doc, text, "落款")
        paragraph.paragraph_format.keep_with_next = number < len(lines) - 1


def looped_table(
    doc: DocxDocument,
    *,
    caption: str | None,
    loop: str,
    columns: list[Column],
) -> object:
    """A table with a header row and one row per item of ``loop`` (``{%tr for ... %}``)."""
    if caption:
        add_paragraph(doc, caption, "caption")
    table = add_table(doc, [c.header for c in columns], [c.width_mm for c in columns])
    tag_row(table, f"{{%tr for {loop} %}}")
    add_row(table, [c.cell for c in columns], [c.style for c in columns])
    tag_row(table, "{%tr endfor %}")
    return table


def score_table(
    doc: DocxDocument,
    *,
    caption: str | None,
    extra: list[Column] | None = None,
    headers: tuple[str, ...] = ("一级指标", "二级指标", "三级指标"),
    with_score: bool = True,
    grade_label: str = "评价等级",
    grade_value: str = "{{ grade }}",
) -> object:
    """Indicator rows (一级 and 二级 merged vertically), 分值/得分, then 合计, the rescaled
    total when it differs from the sum, and the grade. Two headers drop the 二级 column."""
    extra = extra or []
    fixed = [Column(headers[0], 18 if len(headers) == 3 else 30, LEVEL1_CELL)]
    if len(headers) == 3:
        fixed.append(Column(headers[1], 22, LEVEL2_CELL))
    numbers = [Column("分值", 18, "{{ row.weight }}")]
    if with_score:
        numbers.append(Column("得分", 18, "{{ row.score }}"))
    # The leaf column takes what the others leave of the 156 mm text width.
    used = sum(c.width_mm for c in fixed + numbers + extra)
    leaf = Column(headers[-1], TEXT_WIDTH_MM - used, "{{ row.name }}", "表格文字")
    columns = [*fixed, leaf, *numbers, *extra]
    table = looped_table(doc, caption=caption, loop="row in score_rows", columns=columns)
    labels, count = len(fixed) + 1, len(columns)
    cells = add_row(table, [""] * count)
    merge_cells(cells[:labels], "合计")
    set_cell(cells[labels], "{{ weight_sum }}", "表格文字居中")
    if with_score:
        set_cell(cells[labels + 1], "{{ score_sum }}", "表格文字居中")
        keep_with_next(cells)
        tag_row(table, "{%tr if score_sum != total %}")
        cells = add_row(table, [""] * count)
        merge_cells(cells[: labels + 1], "综合得分（按适用指标分值折算为百分制）")
        merge_cells(cells[labels + 1 :], "{{ total }}")
        keep_with_next(cells)
        tag_row(table, "{%tr endif %}")
        cells = add_row(table, [""] * count)
        merge_cells(cells[: labels + 1], grade_label)
        merge_cells(cells[labels + 1 :], grade_value)
    return table


def keep_with_next(cells: list) -> None:
    """Keep a summary row on the page of the row below it (Word keeps rows via keepNext)."""
    for cell in cells:
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def attachment_heading(doc: DocxDocument, text: str) -> None:
    """An attachment's heading ("附件1　评价图表"), always at the top of a new page."""
    add_paragraph(doc, text, "heading 1").paragraph_format.page_break_before = True


def attachment_survey(doc: DocxDocument, *, heading: str, caption: str) -> None:
    """Tables 表2-1, 表2-2 …: every survey that drives an indicator (then any other with answers): its sample against
    the plan, the indicators it drives, α with its meaning and warning, per-item figures."""
    attachment_heading(doc, heading)
    tag(doc, "{%p if survey_appendix.surveys %}")
    tag(doc, "{%p for s in survey_appendix.surveys %}")
    add_paragraph(doc, "{{ loop.index }}. {{ s.title }}").runs[0].bold = True
    add_paragraph(doc, "{{ s.intro }}")
    add_paragraph(doc, "{{ s.reliability }}")
    tag(doc, "{%p if s.warning %}")
    add_paragraph(doc, "{{ s.warning }}").runs[0].bold = True
    tag(doc, "{%p endif %}")
    table = looped_table(
        doc,
        caption=caption.split("　")[0] + "-{{ loop.index }}　{{ s.title }}",
        loop="item in s.rows",
        columns=[
            Column("调查项目", 52, "{{ item.name }}", "表格文字"),
            Column("有效样本", 20, "{{ item.n }}"),
            Column("满意率", 22, "{{ item.rate }}"),
            Column("满意度得分", 24, "{{ item.score_index }}"),
            Column("满意率95%置信区间", 34, "{{ item.ci }}"),
        ],
    )
    tag_row(table, "{%tr if s.overall %}")
    add_row(
        table,
        [
            "总体",
            "{{ s.overall.n }}",
            "{{ s.overall.rate }}",
            "{{ s.overall.score_index }}",
            "{{ s.overall.ci }}",
        ],
    )
    tag_row(table, "{%tr endif %}")
    paragraphs(doc, "s.notes")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    add_paragraph(doc, "本项目未开展满意度调查。")
    tag(doc, "{%p endif %}")


def attachment_charts(doc: DocxDocument, *, heading: str) -> None:
    """Each chart image with a numbered caption below it."""
    attachment_heading(doc, heading)
    tag(doc, "{%p if charts %}")
    tag(doc, "{%p for chart in charts %}")
    add_paragraph(doc, "{{ chart.image }}", "图片")
    add_paragraph(doc, "图{{ loop.index }}　{{ chart.title }}", "caption")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    add_paragraph(doc, "本报告无附图。")
    tag(doc, "{%p endif %}")
