"""The one-page forms: 评分表, 意见采纳情况表, 工作底稿."""

from __future__ import annotations

from blocks import BLANK_SIGNATURE, Column, h1, looped_table, score_table, tag
from docx.document import Document as DocxDocument
from docx_kit import (
    add_paragraph,
    add_row,
    add_table,
    merge_cells,
    new_document,
    page_number_footer,
    set_cell,
    tag_row,
)


def _form(title_text: str, heading: str) -> DocxDocument:
    doc = new_document(title=title_text)
    page_number_footer(doc.sections[0], restart=True)
    add_paragraph(doc, heading, "Title")
    return doc


def score_sheet() -> DocxDocument:
    """评分表: every leaf with weight, score and the reason, total and grade, sign-offs."""
    doc = _form("绩效评价评分表", "{{ project.name }}{{ project.kind_name }}评分表")
    add_paragraph(doc, "委托单位：{{ project.bureau }}", "表单信息")
    add_paragraph(doc, "被{{ project.term }}单位：{{ project.unit }}", "表单信息")
    add_paragraph(
        doc,
        "预算年度：{{ project.budget_year }}年　　预算资金：{{ project.budget_amount }}",
        "表单信息",
    )
    add_paragraph(doc, "{{ project.term }}机构：{{ project.agency }}", "表单信息")
    add_paragraph(doc, "评分日期：{{ project.date }}", "表单信息")
    score_table(
        doc,
        caption=None,
        grade_label="{{ project.term }}等级",
        extra=[
            Column(
                "评分说明",
                44,
                "{{ row.note }}{% if row.paper_index %}（底稿：{{ row.paper_index }}）{% endif %}",
                "表格文字",
            )
        ],
    )
    tag(doc, "{%p if score_note %}")
    add_paragraph(doc, "说明：{{ score_note }}", "表单信息")
    tag(doc, "{%p endif %}")
    add_paragraph(doc, "", "表单信息")
    add_paragraph(
        doc,
        f"评分人：{{{{ signoffs.scored_by or '{BLANK_SIGNATURE}' }}}}"
        f"　　复核人：{{{{ signoffs.reviewed_by or '{BLANK_SIGNATURE}' }}}}"
        f"　　项目负责人：{{{{ signoffs.approved_by or '{BLANK_SIGNATURE}' }}}}",
        "表单信息",
    )
    return doc


def opinion_table() -> DocxDocument:
    """意见采纳情况表: 序号 / 意见内容 / 采纳情况 (采纳|部分采纳|不采纳) / 理由."""
    doc = _form("征求意见采纳情况表", "{{ project.name }}绩效评价报告征求意见采纳情况表")
    add_paragraph(
        doc, "反馈单位：{{ feedback.unit }}　　　　反馈日期：{{ feedback.date }}", "表单信息"
    )
    table = looped_table(
        doc,
        caption=None,
        loop="op in opinions",
        columns=[
            Column("序号", 12, "{{ loop.index }}"),
            Column("意见内容", 64, "{{ op.content }}", "表格文字"),
            Column("采纳情况", 22, "{{ op.adoption }}"),
            Column("理由及修改情况", 58, "{{ op.reason }}", "表格文字"),
        ],
    )
    tag_row(table, "{%tr if not opinions %}")
    merge_cells(add_row(table, [""] * 4), "被评价单位对征求意见稿无修改意见。")
    tag_row(table, "{%tr endif %}")
    add_paragraph(
        doc,
        "共收到意见{{ opinions|length }}条，其中采纳"
        "{{ opinions|selectattr('adoption', 'equalto', '采纳')|list|length }}条，部分采纳"
        "{{ opinions|selectattr('adoption', 'equalto', '部分采纳')|list|length }}条，不采纳"
        "{{ opinions|selectattr('adoption', 'equalto', '不采纳')|list|length }}条。",
        "表单信息",
    )
    add_paragraph(doc, "", "表单信息")
    add_paragraph(doc, "评价机构（盖章）：{{ project.agency }}", "落款")
    add_paragraph(doc, "{{ project.date }}", "落款")
    return doc


def _header_block(doc: DocxDocument) -> None:
    """项目名称 / 底稿索引号 / 底稿名称 / 被评价单位 / 评价阶段 / 涉及指标."""
    table = add_table(
        doc, ["项目名称", "{{ project.name }}", "底稿索引号", "{{ paper.index }}"], [24, 66, 26, 40]
    )
    first = table.rows[0].cells
    set_cell(first[1], "{{ project.name }}", "表格文字")
    set_cell(first[3], "{{ paper.index }}", "表格文字居中")
    cells = add_row(table, ["底稿名称", "", "", ""], ["表格标题行"] * 4)
    merge_cells(cells[1:], "{{ paper.title }}", "表格文字")
    add_row(
        table,
        ["被评价单位", "{{ project.unit }}", "评价阶段", "{{ paper.stage }}"],
        ["表格标题行", "表格文字", "表格标题行", "表格文字居中"],
    )
    cells = add_row(table, ["涉及指标", "", "", ""], ["表格标题行"] * 4)
    merge_cells(
        cells[1:],
        "{% for i in indicators %}{{ i }}{% if not loop.last %}；{% endif %}{% endfor %}",
        "表格文字",
    )


def _empty_row(table, text: str, condition: str) -> None:
    tag_row(table, f"{{%tr if {condition} %}}")
    merge_cells(add_row(table, [""] * len(table.columns)), text)
    tag_row(table, "{%tr endif %}")


def working_paper() -> DocxDocument:
    """工作底稿: header, recorded fields, findings, evidence list and the three sign-offs."""
    doc = _form("工作底稿", "工作底稿")
    _header_block(doc)
    h1(doc, "一、核查内容及记录")
    looped_table(
        doc,
        caption=None,
        loop="f in fields",
        columns=[
            Column("项目", 36, "{{ f.label }}"),
            Column("内容", 120, "{{ f.value }}", "表格文字"),
        ],
    )
    h1(doc, "二、发现的问题")
    table = looped_table(
        doc,
        caption=None,
        loop="f in findings",
        columns=[
            Column("序号", 12, "{{ loop.index }}"),
            Column("问题描述", 82, "{{ f.text }}", "表格文字"),
            Column("涉及指标", 42, "{{ f.indicator }}", "表格文字"),
            Column("扣分", 20, "{{ f.deduction }}"),
        ],
    )
    _empty_row(table, "未发现问题。", "not findings")
    h1(doc, "三、佐证材料")
    table = looped_table(
        doc,
        caption=None,
        loop="e in evidence",
        columns=[
            Column("序号", 12, "{{ loop.index }}"),
            Column("材料名称", 70, "{{ e.name }}", "表格文字"),
            Column("来源", 40, "{{ e.source }}", "表格文字"),
            Column("备注", 34, "{{ e.note }}", "表格文字"),
        ],
    )
    _empty_row(table, "无。", "not evidence")
    h1(doc, "四、签署")
    table = add_table(doc, ["签署", "姓名", "日期", "意见"], [26, 28, 42, 60])
    s = "signoffs"
    add_row(table, ["编制人", f"{{{{ {s}.prepared_by }}}}", f"{{{{ {s}.prepared_on }}}}", ""])
    comment_styles = ["表格文字居中"] * 3 + ["表格文字"]
    add_row(
        table,
        ["复核人", f"{{{{ {s}.reviewed_by }}}}", f"{{{{ {s}.reviewed_on }}}}",
         f"{{{{ {s}.review_comment }}}}"],
        comment_styles,
    )  # fmt: skip
    add_row(
        table,
        ["项目负责人", f"{{{{ {s}.approved_by }}}}", f"{{{{ {s}.approved_on }}}}",
         f"{{{{ {s}.approval_comment }}}}"],
        comment_styles,
    )  # fmt: skip
    return doc
