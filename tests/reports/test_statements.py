"""What the documents say about process and conclusions follows the record (pure contexts)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.reports.outline_helpers import paragraphs_of, project_context
from tests.reports.test_context_build import sample_inputs
from workbench.reports import context as ctx
from workbench.reports import context_report, ex_ante

D = Decimal


def _papers(statuses: list[str]) -> list[ctx.Paper]:
    return [
        ctx.Paper(f"D-0{n}", f"底稿{n}", "资料收集与现场评价", status)
        for n, status in enumerate(statuses, start=1)
    ]


def test_process_states_the_real_review_counts_of_the_papers():
    statuses = ["approved"] * 3 + ["reviewed"] * 2 + ["prepared"] * 2 + ["returned"]
    inputs = sample_inputs(papers=_papers(statuses))
    process = paragraphs_of(project_context(inputs), "process")
    text = "".join(process)
    assert "底稿均经三级复核" not in text
    assert "共形成工作底稿8份" in text
    assert (
        "其中经编制、复核并由项目负责人批准（三级复核完成）3份，已复核、待项目负责人批准2份，"
        "已编制、待复核2份，复核退回修改中1份。"
    ) in text


def test_process_says_all_reviewed_only_when_every_paper_is_approved():
    inputs = sample_inputs(papers=_papers(["approved", "approved"]))
    text = "".join(paragraphs_of(project_context(inputs), "process"))
    assert "均已经编制、复核并由项目负责人批准（三级复核）" in text


def test_closing_block_carries_only_the_names_signed_in_the_app():
    inputs = sample_inputs(report_signers={"prepare": "张评价"})
    closing = project_context(inputs)["closing"]
    assert closing == {"lead": "", "evaluator": "张评价", "date": "2025年3月20日"}


def _ex_ante_inputs(**overrides) -> ctx.Inputs:
    inputs = sample_inputs(**overrides)
    inputs.project.type = "ex_ante"
    inputs.project.title = "2026年度食堂改造项目事前绩效评估"
    return inputs


def test_ex_ante_with_an_unscored_indicator_ticks_nothing_and_says_pending():
    inputs = _ex_ante_inputs(scores_signed=True)
    inputs.leaves[0].score = None
    inputs.totals.total = None
    context = context_report.ex_ante_context(inputs)
    assert context["conclusion"] == ""
    assert "尚有1项评估指标未评分" in context["conclusion_text"]
    assert "待定分" not in context["conclusion_text"]
    assert context["dimensions"][0]["score"] == "未评分"


def test_ex_ante_unsigned_score_ticks_nothing():
    context = context_report.ex_ante_context(_ex_ante_inputs(scores_signed=False))
    assert context["conclusion"] == ""
    assert "尚未经项目负责人签字确认，评估结论待定" in context["conclusion_text"]


def test_ex_ante_signed_complete_score_follows_configured_bands():
    bands = ex_ante.parse_bands("予以支持：90；调整后支持：70；不予支持：0")
    context = context_report.ex_ante_context(
        _ex_ante_inputs(scores_signed=True, ex_ante_bands=bands)
    )
    assert context["conclusion"] == "调整后支持"  # 85.01 under the 90 line
    assert (
        "90分及以上予以支持，70分及以上不足90分调整后支持，不足70分不予支持"
        in (context["conclusion_text"])
    )
    assert context["project"]["term"] == "评估"


@pytest.mark.parametrize(
    "text",
    ["予以支持:80; 调整后支持:60", "同意:80; 调整后支持:60; 不予支持:0", "予以支持:八十; 调整后支持:60; 不予支持:0",
     "予以支持:80; 调整后支持:60; 不予支持:10"],
)  # fmt: skip
def test_bands_refuse_incomplete_or_malformed_tables(text):
    with pytest.raises(ValueError):
        ex_ante.parse_bands(text)


def test_default_bands_are_the_documented_ones():
    assert ((D(80), "予以支持"), (D(60), "调整后支持"), (D(0), "不予支持")) == ex_ante.DEFAULT_BANDS


def test_ex_ante_missing_lists_chapters_without_text():
    inputs = _ex_ante_inputs(sections={"basic": "<p>项目背景。</p>", "dimension:决策": ""})
    missing = context_report.ex_ante_missing(inputs)
    assert "二、评估工作开展情况（评估依据、方法、过程）" in missing
    assert "四、相关建议" in missing
    assert not any(item.startswith("一、") for item in missing)
    assert "三、综合评估情况与结论：“决策”的评估分析" in missing


def test_generation_date_is_the_full_chinese_date():
    inputs = sample_inputs()
    inputs.project.today = date(2026, 12, 6)
    assert project_context(inputs)["closing"]["date"] == "2026年12月6日"
