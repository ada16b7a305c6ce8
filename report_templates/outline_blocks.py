"""The report body along an outline profile: chapters and their items from the context's
``outline`` (sections written by the team, the score table, the self-review table, the 一级
analysis), so the same template serves the project, department-wide and self-review outlines."""

from __future__ import annotations

from blocks import LEVEL1_CELL, Column, h1, h2, h3, looped_table, paragraphs, score_table, tag
from docx.document import Document as DocxDocument
from docx_kit import add_paragraph, add_row, merge_cells, set_cell

FINDING = (
    "扣分原因{% if not (loop.first and loop.last) %}{{ loop.index }}{% endif %}：{{ f.text }}"
    "{% if f.deduction %}（扣{{ f.deduction }}分）{% endif %}"
    "{% if f.paper_index %}（底稿索引号：{{ f.paper_index }}）{% endif %}"
)


def _level1(doc: DocxDocument) -> None:
    h2(doc, "{{ it.heading }}")
    add_paragraph(
        doc,
        "{{ it.l1.name }}指标分值{{ it.l1.weight }}分，{{ term }}得分{{ it.l1.score }}分，"
        "得分率{{ it.l1.rate }}。",
    )
    paragraphs(doc, "it.l1.summary")
    tag(doc, "{%p for ind in it.l1.indicators %}")
    h3(doc, "{{ loop.index }}. {{ ind.name }}")
    add_paragraph(
        doc, "该指标分值{{ ind.weight }}分，{{ term }}得分{{ ind.score }}分。{{ ind.explanation }}"
    )
    tag(doc, "{%p for f in ind.findings %}")
    add_paragraph(doc, FINDING)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")


def _score_table(doc: DocxDocument) -> None:
    add_paragraph(
        doc,
        "经综合{{ term }}，{{ project.name }}绩效{{ term }}得分为{{ total }}分，"
        "评价等级为“{{ grade }}”。各项指标得分情况见{{ it.caption }}。",
    )
    score_table(doc, caption="{{ it.caption }}　绩效{{ term }}指标得分情况")
    tag(doc, "{%p if score_note %}")
    add_paragraph(doc, "{{ score_note }}")
    tag(doc, "{%p endif %}")


def _self_review_table(doc: DocxDocument) -> None:
    """自评得分, 复核得分 and their gap per indicator and in total; gaps over the threshold ※."""
    add_paragraph(
        doc,
        "单位自评总分{{ self_review.self_sum }}分，复核总分{{ self_review.review_sum }}分，"
        "差异{{ self_review.gap }}分（复核得分减自评得分），逐项对比见{{ it.caption }}。",
    )
    table = looped_table(
        doc,
        caption="{{ it.caption }}　自评得分与复核得分对比",
        loop="row in self_review.rows",
        columns=[
            Column("一级指标", 18, LEVEL1_CELL),
            Column("三级指标", 40, "{{ row.name }}", "表格文字"),
            Column("分值", 14, "{{ row.weight }}"),
            Column("自评得分", 16, "{{ row.self_score }}"),
            Column("复核得分", 16, "{{ row.score }}"),
            Column("差异", 20, "{{ row.gap }}"),
            Column("差异说明", 32, "{{ row.note }}", "表格文字"),
        ],
    )
    cells = add_row(table, [""] * 7)
    merge_cells(cells[:3], "合计")
    set_cell(cells[3], "{{ self_review.self_sum }}", "表格文字居中")
    set_cell(cells[4], "{{ self_review.review_sum }}", "表格文字居中")
    set_cell(cells[5], "{{ self_review.gap }}", "表格文字居中")
    add_paragraph(
        doc,
        "注：差异 = 复核得分 − 自评得分。总分差异超过{{ self_review.threshold }}分、单项指标差异"
        "超过其分值的{{ self_review.threshold }}%的，标注“※”并说明原因。",
        "表格文字",
    )


def outline_body(doc: DocxDocument) -> None:
    """Every chapter of ``outline`` with its items, in the profile's order."""
    tag(doc, "{%p for ch in outline %}")
    h1(doc, "{{ ch.title }}")
    tag(doc, "{%p for it in ch.contents %}")
    tag(doc, '{%p if it.kind == "text" %}')
    tag(doc, "{%p if it.heading %}")
    h2(doc, "{{ it.heading }}")
    tag(doc, "{%p endif %}")
    paragraphs(doc, "it.paragraphs")
    tag(doc, '{%p elif it.kind == "score_table" %}')
    _score_table(doc)
    tag(doc, '{%p elif it.kind == "self_review_table" %}')
    _self_review_table(doc)
    tag(doc, '{%p elif it.kind == "level1" %}')
    _level1(doc)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
