"""The 问卷统计表: an Excel workbook of a survey's figures, and the same as a working paper."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core.spreadsheet import CellStyle, append_row, new_workbook, xlsx_bytes
from workbench.core.timeutil import local
from workbench.engagements.models import Engagement
from workbench.fieldwork.services import papers
from workbench.surveys.collection.responses import rules_summary
from workbench.surveys.collection.sample_plan import required_sample
from workbench.surveys.linking import linked_indicators
from workbench.surveys.statistics.service import SurveyResult

HEAD = CellStyle(
    font=Font(bold=True),
    fill=PatternFill("solid", fgColor="DDEBF7"),
    alignment=Alignment(wrap_text=True, vertical="center"),
)


def _num(value: Decimal | None) -> float | str:
    # Spreadsheet cells hold binary floats; the 2-place Decimal is exact in its text form.
    return "" if value is None else float(value)


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = workbook.create_sheet(title)
    for index, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[index - 1])) for r in rows[:200]] + [6])
        sheet.column_dimensions[get_column_letter(index)].width = min(width * 1.6 + 2, 60)
    sheet.freeze_panes = "A2"
    append_row(sheet, header, style=HEAD)
    for row in rows:
        append_row(sheet, row)


def workbook_bytes(result: SurveyResult, engagement: Engagement) -> bytes:
    """Sheets 汇总, 分项统计, 频数, 交叉分析, 文本意见, 无效答卷."""
    stats, survey = result.stats, result.survey
    book = new_workbook(write_only=True)  # text answers can run to many thousands of rows
    overall = stats.overall
    required = required_sample(survey)
    summary = [
        ["项目名称", engagement.title],
        ["问卷名称", survey.title],
        ["调查对象", survey.respondents],
        ["调查目的", survey.purpose],
        ["回收问卷（份）", stats.collected],
        ["有效问卷（份）", stats.valid],
        ["有效率（%）", _num(stats.validity_rate)],
        ["抽样方案要求的有效问卷（份）", "" if required is None else required],
        ["有效问卷筛选规则", "；".join(rules_summary(survey)) or "未设置（全部答卷有效）"],
        [f"总体满意率（%，前 {survey.top_k} 级，按权重）", _num(overall.rate)],
        ["总体满意度指数（按权重）", _num(overall.score_index)],
        ["满意率（%，合并全部回答）", _num(overall.pooled_rate)],
        ["满意度指数（合并全部回答）", _num(overall.pooled_score_index)],
        ["总体指标依据的答卷数", overall.n],
        ["Cronbach's α", "" if stats.cronbach_alpha is None else float(stats.cronbach_alpha)],
        ["α 依据的完整答卷数", stats.alpha_n],
    ]
    _sheet(book, "汇总", ["项目", "数值"], summary)
    levels = max((len(i.distribution) for i in stats.items), default=0)
    header = ["调查项目", "有效样本 n"]
    for k in range(levels):
        header += [f"选项{k + 1}", "人数", "占比%"]
    header += ["满意率%", "95%下限", "95%上限", "满意度指数", "指数95%下限", "指数95%上限"]
    rows = []
    for item in stats.items:
        row: list[Any] = [item.question, item.n]
        for k in range(levels):
            if k < len(item.distribution):
                o = item.distribution[k]
                row += [o.option, o.count, _num(o.percent)]
            else:
                row += ["", "", ""]
        row += [_num(v) for v in (item.rate, item.ci_low, item.ci_high, item.score_index,
                                  item.score_ci_low, item.score_ci_high)]  # fmt: skip
        rows.append(row)
    _sheet(book, "分项统计", header, rows)
    freq = []
    for f in stats.frequencies:
        for o in f.options:
            freq.append([f.question, o.option, o.count, _num(o.percent), f.n, f.skipped, f.blank])
        for r in f.rows:
            for o in r["options"]:
                freq.append(
                    [f"{f.question}—{r['row']}", o.option, o.count, _num(o.percent), r["n"], "", ""]
                )
    _sheet(book, "频数", ["题目", "选项", "人数", "占比%", "作答人数", "跳过", "未答"], freq)
    cross = [
        [c.group_question, g["group"], c.item, g["n"], _num(g["rate"]), _num(g["score_index"]),
         "" if c.p_value is None else float(c.p_value), "是" if c.low_expected else ""]
        for c in stats.crosstabs
        for g in c.groups
    ]  # fmt: skip
    _sheet(book, "交叉分析", ["分组题", "分组", "调查项目", "n", "满意率%", "满意度指数",
                          "卡方检验p值", "期望频数<5"], cross)  # fmt: skip
    texts = [[t.question, answer] for t in stats.text_answers for answer in t.answers]
    _sheet(book, "文本意见", ["题目", "回答"], texts)
    invalid = [
        [v.id, "；".join(v.reasons) or "", "人工保留" if v.override is True else ""]
        for v in result.validity.results
        if v.excluded or v.override is not None
    ]
    _sheet(book, "无效答卷", ["答卷编号", "原因", "人工认定"], invalid)
    return xlsx_bytes(book)


def export_name(result: SurveyResult) -> str:
    stamp = local(result.survey.updated_at).strftime("%Y%m%d") if result.survey.updated_at else ""
    safe = "".join(c for c in result.survey.title if c not in '\\/:*?"<>|')[:60]
    return f"问卷统计表-{safe}-{stamp}.xlsx"


# 调查方式 of a survey collected through one channel alone; any other mix is 多种方式.
SINGLE_CHANNEL_METHODS = {
    "wjx": "线上（问卷星）",
    "paper": "现场纸质",
    "offline": "现场扫码（离线采集）",
}


def paper_values(result: SurveyResult) -> dict[str, Any]:
    """The fields of the fieldwork template `survey_stats` (问卷统计表)."""
    channels = set(result.channels)
    only = channels.pop() if len(channels) == 1 else None
    method = SINGLE_CHANNEL_METHODS.get(only, "多种方式")
    notes = "；".join(rules_summary(result.survey))
    stats = result.stats
    return {
        "survey_name": result.survey.title,
        "population": result.survey.respondents,
        "method": method,
        "collected": stats.collected,
        "valid": stats.valid,
        "items": [
            {
                "item": i.question,
                "n": i.n,
                "satisfied": sum(o.count for o in i.distribution[: result.survey.top_k]),
                "score": "" if i.score_index is None else str(i.score_index),
            }
            for i in stats.items
        ],
        "notes": (f"有效问卷筛选规则：{notes}。" if notes else "未设置有效问卷筛选规则。")
        + f"满意率按前 {result.survey.top_k} 个满意等级计算；Cronbach's α = "
        + ("—" if stats.cronbach_alpha is None else f"{stats.cronbach_alpha}")
        + f"（{stats.alpha_n} 份完整答卷）。",
    }


def create_paper(db: Session, *, actor: User, engagement: Engagement, result: SurveyResult):
    """A 问卷统计表 working paper filled with the figures."""
    return papers.create_paper(
        db,
        actor=actor,
        engagement=engagement,
        template_key="survey_stats",
        title=f"问卷统计表——{result.survey.title}",
        indicator_ids=[i.id for i in linked_indicators(db, engagement, result.survey)],
        values=paper_values(result),
    )
