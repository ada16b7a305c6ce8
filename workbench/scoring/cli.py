"""`workbench score SHEET.xlsx`: offline scoring of an indicator sheet."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import click

from workbench.indicators.services import SheetError, read_sheet, write_sheet
from workbench.scoring.calculator import ScoreResult, calculate, rescale_note
from workbench.scoring.params import RULES
from workbench.scoring.rules import DEFAULT_CV_LIMIT
from workbench.scoring.values import format_percent

EXIT_INVALID = 2


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def format_table(result: ScoreResult) -> str:
    """A readable plain-text table of leaf scores followed by the total and grade."""
    header = ("一级指标", "二级指标", "三级指标", "分值", "规则", "得分", "计分说明")
    rows = []
    for leaf in result.leaves:
        score = (
            "不适用"
            if leaf.not_applicable
            else (f"{leaf.score:.2f}" if leaf.score is not None else "—")
        )
        rows.append(
            (
                *leaf.path,
                f"{leaf.weight:.2f}",
                RULES.get(leaf.rule or "", ""),
                score,
                leaf.explanation,
            )
        )
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(6)]
    numeric = {3, 5}
    lines = []
    for row in [header, *rows]:
        cells = [_pad(row[i], widths[i], right=i in numeric) for i in range(6)]
        lines.append("  ".join([*cells, row[6]]).rstrip())
    lines.append("")
    lines.append(
        f"三级指标得分合计 {result.sum_scores:.2f}，适用分值 {result.applicable_weight:.2f}"
    )
    if result.total is not None:
        lines.append(f"总分 {result.total:.2f}（{rescale_note(result)}）")
        lines.append(f"等级 {result.grade}")
    return "\n".join(lines)


@click.command("score")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="写出填好得分的评分表（.xlsx）"
)
@click.option("--json", "as_json", is_flag=True, help="以JSON输出总分、等级和各指标得分")
def score_command(sheet: Path, out: Path | None, as_json: bool) -> None:
    """离线计算指标表（.xlsx）的各指标得分、总分和等级。"""
    try:
        parsed = read_sheet(sheet, for_scoring=True)
    except SheetError as exc:
        click.echo(f"指标表“{sheet.name}”有{len(exc.errors)}处问题，未计分：", err=True)
        for error in exc.errors:
            click.echo(f"  - {error.message}", err=True)
        raise SystemExit(EXIT_INVALID) from exc
    result = calculate(parsed.leaves, grades=parsed.grades)
    if result.errors:  # read_sheet(for_scoring=True) refuses these; kept as a guard
        for error in result.errors:
            click.echo(f"  - {error}", err=True)
        raise SystemExit(EXIT_INVALID)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(result))
    for warning in parsed.warnings:
        click.echo(f"提示：{warning}", err=True)
    for leaf in result.leaves:
        if leaf.dispersion_flag:
            where = "/".join(leaf.path)
            limit = format_percent(DEFAULT_CV_LIMIT)
            click.echo(f"提示：{where}的专家打分分歧较大（变异系数超过{limit}）", err=True)
    if out is not None:
        data = write_sheet(
            parsed.leaves,
            parsed.grades,
            scores=[leaf.score for leaf in result.leaves],
            extras=parsed.extras,
            result=result,
        )
        out.write_bytes(data)
        click.echo(f"已写出评分表：{out}", err=as_json)


commands = [score_command]
