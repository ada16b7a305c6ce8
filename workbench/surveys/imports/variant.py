"""按选项文本 or 按选项序号: decide a file's export variant and report cells that mix the two."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workbench.surveys.imports.cells import K_CODE, K_TEXT, Distinct, kind_counts
from workbench.surveys.imports.errors import IssueCollector, shorten
from workbench.surveys.imports.normalize import cell_text

VARIANT_NAMES = {K_TEXT: "text", K_CODE: "code"}
KIND_NAMES = {K_TEXT: "选项文本（按选项文本导出）", K_CODE: "选项序号（按选项序号导出）"}


@dataclass
class KindTally:
    """How many rows of one column look like option text and like option numbers."""

    label: str
    distinct: Distinct
    kinds: Sequence[int]
    text_rows: int = 0
    code_rows: int = 0

    @classmethod
    def of(cls, label: str, distinct: Distinct, kinds: Sequence[int]) -> KindTally:
        counts = kind_counts(distinct, kinds)
        return cls(label, distinct, kinds, counts.get(K_TEXT, 0), counts.get(K_CODE, 0))

    def leaning(self) -> int | None:
        """K_TEXT or K_CODE by majority of rows; None when the column shows neither."""
        if self.text_rows == self.code_rows:
            return None
        return K_TEXT if self.text_rows > self.code_rows else K_CODE


def decide_variant(
    tallies: Sequence[KindTally],
    issues: IssueCollector,
    *,
    fixed: int | None = None,
    reported: set[str] | None = None,
) -> tuple[int | None, set[str]]:
    """The file's variant by majority of columns, and the labels of columns that disagree.

    A disagreeing column gets one column-level problem; a column that agrees but holds a few
    cells of the other kind gets one problem per such cell. A later chunk of a streamed file
    passes the variant its first chunk `fixed` and the columns already `reported`.
    """
    leanings = [t.leaning() for t in tallies]
    text_columns = leanings.count(K_TEXT)
    code_columns = leanings.count(K_CODE)
    if fixed is None and not text_columns and not code_columns:
        return None, set()
    variant = fixed if fixed is not None else K_CODE if code_columns > text_columns else K_TEXT
    reported = set() if reported is None else reported
    other = K_TEXT if variant == K_CODE else K_CODE
    disagreeing: set[str] = set()
    for tally, leaning in zip(tallies, leanings, strict=True):
        if leaning == other:
            disagreeing.add(tally.label)
            if tally.label in reported:
                continue
            reported.add(tally.label)
            issues.add(
                f"{tally.label}：该列是{KIND_NAMES[other]}，而文件中其他题目是{KIND_NAMES[variant]}；"
                "按选项文本和按选项序号两种导出格式不能混在同一文件中",
                column=tally.label,
            )
            continue
        odd = tally.code_rows if variant == K_TEXT else tally.text_rows
        if not odd:
            continue
        for row, u in tally.distinct.flagged_rows([k == other for k in tally.kinds]):
            issues.add(
                f"第{row}行 {tally.label}：“{shorten(cell_text(tally.distinct.uniques[u]))}”是"
                f"{KIND_NAMES[other]}，而本列其他答案是{KIND_NAMES[variant]}；两种导出格式不能混用",
                row=row,
                column=tally.label,
            )
    return variant, disagreeing
