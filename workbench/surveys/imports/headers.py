"""Reading a 问卷星 header row: metadata columns, `N、题干` questions, matrix rows, split options."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workbench.surveys.design.questions import ROW_SEPARATOR
from workbench.surveys.imports.errors import column_label
from workbench.surveys.imports.normalize import nfkc

# Metadata columns by header name → field name; 问卷星 may order them differently.
META_COLUMNS = {
    "序号": "serial",
    "提交答卷时间": "submitted_at",
    "所用时间": "duration",
    "来源": "source",
    "来源详情": "source_detail",
    "来自ip": "ip",
    "总分": "total_score",
    "用户id": "user_id",
}
META_NAMES = {v: k.replace("ip", "IP").replace("id", "ID") for k, v in META_COLUMNS.items()}

_QUESTION = re.compile(r"^\s*(\d+)\s*[、.．]\s*(.*)$", re.S)
_SPLIT_NTH = re.compile(r"^\s*第\s*(\d+)\s*题\s*[(（](.*)[)）]\s*$", re.S)
_SPLIT_NUMBER = re.compile(r"^\s*(\d+)\s*[、.．]\s*[(（](.*)[)）]\s*$", re.S)
# One em dash separates a matrix question from its first row; a doubled dash is prose.
_MATRIX = re.compile(rf"^(.*?[^{ROW_SEPARATOR}]){ROW_SEPARATOR}(?!{ROW_SEPARATOR})(.+)$", re.S)


@dataclass
class FileQuestion:
    """The columns of one question in the file."""

    number: int | None
    text: str | None
    kind: str  # "simple" | "matrix" | "split"
    columns: list[int] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)  # matrix: one row label per column
    options: list[str] = field(default_factory=list)  # split: one option label per column


@dataclass
class HeaderLayout:
    """What each column of a 问卷星 export holds."""

    meta: dict[str, int] = field(default_factory=dict)
    questions: list[FileQuestion] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    notes: dict[int, str] = field(default_factory=dict)  # why a column could not be classified


def meta_field(header: str) -> str | None:
    """The metadata field of a header such as 序号 or 来自IP, else None."""
    return META_COLUMNS.get(nfkc(header).replace(" ", "").lower())


def scan_headers(headers: list[str]) -> HeaderLayout:
    """Classify every column by its header text; duplicates and blanks become errors."""
    layout = HeaderLayout()
    current: FileQuestion | None = None  # the matrix or split group still collecting columns
    for position, header in enumerate(headers):
        name = meta_field(header)
        if name:
            if name in layout.meta:
                first = layout.meta[name]
                layout.unknown.append(position)
                layout.notes[position] = (
                    f"表头“{header}”重复出现（{column_label(first, headers[first])} 与 "
                    f"{column_label(position, header)}），无法确定使用哪一列"
                )
            else:
                layout.meta[name] = position
            current = None
            continue
        split = _SPLIT_NTH.match(header) or _SPLIT_NUMBER.match(header)
        if split:
            number = int(split.group(1))
            if current is None or current.kind != "split" or current.number != number:
                current = FileQuestion(number=number, text=None, kind="split")
                layout.questions.append(current)
            current.columns.append(position)
            current.options.append(split.group(2).strip())
            continue
        question = _QUESTION.match(header)
        if question:
            number, text = int(question.group(1)), question.group(2).strip()
            matrix = _MATRIX.match(text)
            if matrix:
                current = FileQuestion(number=number, text=matrix.group(1).strip(), kind="matrix")
                current.columns.append(position)
                current.rows.append(matrix.group(2).strip())
            else:
                current = None
                layout.questions.append(FileQuestion(number, text, "simple", [position]))
                continue
            layout.questions.append(current)
            continue
        if current is not None and current.kind == "matrix" and header:
            if header.strip() in current.rows:
                first = current.columns[current.rows.index(header.strip())]
                layout.unknown.append(position)
                layout.notes[position] = (
                    f"矩阵行“{header}”重复出现（{column_label(first, headers[first])} 与 "
                    f"{column_label(position, header)}），无法确定使用哪一列"
                )
                current = None
                continue
            current.columns.append(position)
            current.rows.append(header.strip())
            continue
        current = None
        layout.unknown.append(position)
        if not header:
            layout.notes[position] = f"{column_label(position, header)}没有表头，无法判断属于哪一题"
    return layout
