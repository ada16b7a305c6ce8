"""The long deliverables: 评价报告 (national outline), 事前绩效评估报告, 评价工作方案."""

from __future__ import annotations

from blocks import (
    Column,
    attachment_charts,
    attachment_survey,
    closing,
    cover,
    h1,
    h2,
    looped_table,
    numbered_paragraphs,
    paragraphs,
    score_table,
    signature,
    tag,
)
from docx.document import Document as DocxDocument
from docx_kit import add_paragraph, new_document
from outline_blocks import outline_body

ATTACHMENTS = ("评价图表", "满意度调查统计")


def _score_note(doc: DocxDocument) -> None:
    tag(doc, "{%p if score_note %}")
    add_paragraph(doc, "{{ score_note }}")
    tag(doc, "{%p endif %}")


def evaluation_report() -> DocxDocument:
    """评价报告 along the engagement's outline profile (chapters from ``outline``), then 附件."""
    doc = new_document(title="绩效评价报告")
    cover(doc)
    outline_body(doc)
    closing(doc, agency_label="评价机构", after="closing_tail", attachments=ATTACHMENTS)
    attachment_charts(doc, heading=f"附件1　{ATTACHMENTS[0]}")
    attachment_survey(
        doc,
        heading=f"附件2　{ATTACHMENTS[1]}",
        caption="表{{ appendix_table }}　满意度调查统计",
    )
    return doc


def ex_ante_report() -> DocxDocument:
    """事前绩效评估报告 with the 予以支持 / 调整后支持 / 不予支持 conclusion."""
    doc = new_document(title="事前绩效评估报告")
    cover(doc, unit_label="项目单位", agency_label="评估机构")
    h1(doc, "一、评估对象基本情况")
    paragraphs(doc, "sections.basic")
    h1(doc, "二、评估工作开展情况")
    paragraphs(doc, "sections.work")
    h1(doc, "三、综合评估情况与结论")
    add_paragraph(doc, "{{ conclusion_text }}各评估内容得分情况见表1。")
    add_paragraph(
        doc,
        '评估结论：{% for option in ["予以支持", "调整后支持", "不予支持"] %}'
        "{% if option == conclusion %}☑{% else %}□{% endif %}{{ option }}"
        "{% if not loop.last %}　　{% endif %}{% endfor %}",
    )
    score_table(
        doc,
        caption="表1　事前绩效评估得分情况",
        headers=("评估内容", "评估要点"),
        grade_label="评估结论",
        grade_value="{{ conclusion or '待定' }}",
    )
    _score_note(doc)
    tag(doc, "{%p for d in dimensions %}")
    h2(doc, "（{{ loop.index|cn_number }}）{{ d.name }}")
    add_paragraph(doc, "该项评估内容分值{{ d.weight }}分，评估得分{{ d.score }}分。")
    paragraphs(doc, "d.paragraphs")
    tag(doc, "{%p endfor %}")
    paragraphs(doc, "sections.conclusion")
    h1(doc, "四、相关建议")
    paragraphs(doc, "sections.suggestions")
    h1(doc, "五、其他说明")
    closing(doc, agency_label="评估机构", after="sections.other")
    return doc


def _sample_plan(doc: DocxDocument) -> None:
    """五、满意度调查方案 with the sample-size calculation n₀ = Z²·p(1−p)/e² and correction."""
    h1(doc, "五、满意度调查抽样方案")
    tag(doc, "{%p if sample_plan %}")
    paragraphs(doc, "sample_plan.paragraphs")
    add_paragraph(
        doc,
        "样本量按简单随机抽样公式计算：n₀ = Z²·p(1−p) ÷ e²。其中置信水平取"
        "{{ sample_plan.confidence }}（Z = {{ sample_plan.z }}），总体比例 p 取"
        "{{ sample_plan.p }}，允许误差 e 取{{ sample_plan.margin }}，计算得 n₀ = "
        "{{ sample_plan.n0 }}。",
    )
    tag(doc, "{%p if sample_plan.population %}")
    add_paragraph(
        doc,
        "调查总体规模 N = {{ sample_plan.population }}，经有限总体校正，"
        "n = n₀ ÷ [1 + (n₀ − 1) ÷ N] = {{ sample_plan.n }}。",
    )
    tag(doc, "{%p endif %}")
    add_paragraph(doc, "本次调查计划发放问卷{{ sample_plan.target }}份。")
    tag(doc, "{%p if sample_plan.strata %}")
    looped_table(
        doc,
        caption="表2　调查样本分配",
        loop="s in sample_plan.strata",
        columns=[
            Column("调查对象类别", 66, "{{ s.name }}", "表格文字"),
            Column("总体数量", 40, "{{ s.population }}"),
            Column("计划样本量", 40, "{{ s.sample }}"),
        ],
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p else %}")
    add_paragraph(doc, "本项目不涉及满意度调查。")
    tag(doc, "{%p endif %}")


def evaluation_plan() -> DocxDocument:
    """评价工作方案 (评估 words for an ex-ante engagement): scope, basis, methods, indicator system, sample plan, schedule, team."""
    doc = new_document(title="绩效评价工作方案")
    cover(doc, date_label="编制日期")
    h1(doc, "一、{{ project.term }}对象和范围")
    h2(doc, "（一）{{ project.term }}对象")
    add_paragraph(
        doc,
        "本次{{ project.term }}对象为{{ project.name }}，预算年度为{{ project.budget_year }}年，"
        "预算资金{{ project.budget_amount }}，主管部门为{{ project.unit }}。",
    )
    paragraphs(doc, "sections.object")
    h2(doc, "（二）{{ project.term }}范围")
    paragraphs(doc, "sections.scope")
    h1(doc, "二、{{ project.term }}依据")
    numbered_paragraphs(doc, "basis")
    h1(doc, "三、{{ project.term }}方法和{{ project.term }}标准")
    h2(doc, "（一）{{ project.term }}方法")
    paragraphs(doc, "sections.methods")
    h2(doc, "（二）{{ project.term }}标准")
    paragraphs(doc, "sections.standards")
    h1(doc, "四、{{ project.term }}指标体系")
    paragraphs(doc, "sections.indicators")
    score_table(
        doc,
        caption="表1　绩效{{ project.term }}指标体系及评分标准",
        with_score=False,
        extra=[Column("评分标准", 56, "{{ row.standard }}", "表格文字")],
    )
    _sample_plan(doc)
    h1(doc, "六、工作进度安排")
    looped_table(
        doc,
        caption=None,
        loop="s in schedule",
        columns=[
            Column("工作阶段", 32, "{{ s.stage }}"),
            Column("时间安排", 38, "{{ s.period }}"),
            Column("主要工作内容", 86, "{{ s.content }}", "表格文字"),
        ],
    )
    h1(doc, "七、{{ project.term }}工作组及分工")
    looped_table(
        doc,
        caption=None,
        loop="m in team",
        columns=[
            Column("姓名", 22, "{{ m.name }}"),
            Column("职称/资格", 36, "{{ m.title }}"),
            Column("组内角色", 28, "{{ m.role }}"),
            Column("分工", 70, "{{ m.duty }}", "表格文字"),
        ],
    )
    h1(doc, "八、评审专家")
    tag(doc, "{%p if experts %}")
    looped_table(
        doc,
        caption=None,
        loop="e in experts",
        columns=[
            Column("姓名", 22, "{{ e.name }}"),
            Column("职称", 32, "{{ e.title }}"),
            Column("工作单位", 58, "{{ e.organisation }}", "表格文字"),
            Column("专业领域", 44, "{{ e.field }}"),
        ],
    )
    tag(doc, "{%p else %}")
    add_paragraph(doc, "评审专家待定。")
    tag(doc, "{%p endif %}")
    h1(doc, "九、质量控制")
    paragraphs(doc, "sections.quality")
    h1(doc, "十、提交成果")
    looped_table(
        doc,
        caption=None,
        loop="d in deliverables",
        columns=[
            Column("序号", 16, "{{ loop.index }}"),
            Column("成果名称", 90, "{{ d.name }}", "表格文字"),
            Column("计划提交时间", 50, "{{ d.due }}"),
        ],
    )
    signature(doc)
    return doc
