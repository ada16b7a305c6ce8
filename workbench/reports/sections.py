"""Outlines of the plan and the reports and the sections' limited rich text (pure; diffs: textdiff.py).

Section text is typed in a small editor that produces limited HTML. Whatever arrives is sanitized
with nh3 (allowlist: p, ul, ol, li, strong, b, em, table, thead, tbody, tr, th, td, br; no
attributes; script/style dropped with their content) and re-serialised canonically, so no raw
HTML survives. In Word the text becomes plain paragraphs: a list item is one paragraph prefixed
"1. " (ordered) or "· " (unordered), a table row is one paragraph with its cells separated by
tabs, `<br>` a line break inside the paragraph; bold and italics are not carried into Word.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset(
    {"p", "ul", "ol", "li", "strong", "b", "em", "table", "thead", "tbody", "tr", "th", "td", "br"}
)
# Dropped together with everything inside them.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "textarea", "title", "noscript", "iframe", "object", "template", "select"}
)
MAX_INPUT_CHARS = 200_000  # what a request may carry (HTML markup included)
MAX_TEXT_CHARS = 20_000  # the section's text once the markup is gone
LEVEL1_PREFIX = "l1:"
# A whole tag such as <p>, </li>, <br/> or <td class="x"> ("a < b" is plain text).
_HTML_HINT = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_DIV = re.compile(r"<\s*(/?)\s*div\b[^>]*>", re.I)
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")


# --- outlines --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutlineSection:
    """One section of an outline: key (stored), headings shown to writers, a hint, required."""

    key: str
    chapter: str
    heading: str
    hint: str
    required: bool = True


_REPORT = (
    ("overview", "一、基本情况", "（一）项目概况", "项目背景、资金来源与规模、实施内容、组织管理"),
    ("goals", "一、基本情况", "（二）项目绩效目标", "总体目标与年度绩效目标（系统会列出指标目标值）"),
    ("purpose", "二、绩效评价工作开展情况", "（一）绩效评价目的、对象和范围", "评价目的、对象、范围"),
    (
        "methodology",
        "二、绩效评价工作开展情况",
        "（二）绩效评价原则、评价指标体系、评价方法、评价标准等",
        "评价原则、指标体系说明、评价方法和标准",
    ),
    ("process", "二、绩效评价工作开展情况", "（三）绩效评价工作过程", "前期准备、组织实施、分析评价（系统会列出各阶段日期和底稿）"),
    ("conclusion", "三、综合评价情况及评价结论", "评价结论", "总体结论（位于得分表之后）"),
    ("experience", "五、主要经验及做法、存在的问题及原因分析", "（一）主要经验及做法", "主要经验和做法"),
    ("problems", "五、主要经验及做法、存在的问题及原因分析", "（二）存在的问题及原因分析", "问题及原因，逐条列示"),
    ("suggestions", "六、有关建议", "有关建议", "针对问题提出可操作的建议"),
    ("other", "七、其他需要说明的问题", "其他需要说明的问题", "无其他事项时写“无”"),
)  # fmt: skip
_EX_ANTE = (
    ("basic", "一、评估对象基本情况", "评估对象基本情况", "项目背景、主要内容、资金测算与来源"),
    ("work", "二、评估工作开展情况", "评估工作开展情况", "评估依据、方法、过程"),
    ("conclusion", "三、综合评估情况与结论", "综合评估结论", "综合结论（位于各评估内容之后）"),
    ("suggestions", "四、相关建议", "相关建议", "调整或完善的建议"),
    ("other", "五、其他说明", "其他说明", "无其他事项时写“无”"),
)
_PLAN = (
    ("object", "一、评价对象和范围", "（一）评价对象", "项目内容、资金用途"),
    ("scope", "一、评价对象和范围", "（二）评价范围", "覆盖范围、抽查对象"),
    ("basis", "二、评价依据", "评价依据", "每条依据一个列表项，如《项目支出绩效评价管理办法》"),
    ("methods", "三、评价方法和评价标准", "（一）评价方法", "比较法、因素分析法、公众评判法等"),
    ("standards", "三、评价方法和评价标准", "（二）评价标准", "计划标准、行业标准、历史标准"),
    ("indicators", "四、评价指标体系", "指标体系说明", "指标体系的构成（表1由系统生成）"),
    (
        "sample",
        "五、满意度调查抽样方案",
        "调查对象和方式",
        "调查对象、方式（样本量由系统计算）",
        False,
    ),
    ("quality", "九、质量控制", "质量控制", "三级复核、数据核实等措施"),
)


def _sections(rows) -> tuple[OutlineSection, ...]:
    return tuple(OutlineSection(*row) for row in rows)


REPORT_OUTLINE = _sections(_REPORT)
EX_ANTE_OUTLINE = _sections(_EX_ANTE)
PLAN_OUTLINE = _sections(_PLAN)


def level1_key(name: str) -> str:
    return f"{LEVEL1_PREFIX}{name}"


def outline_for(
    deliverable: str, *, ex_ante: bool, level1_names: list[str]
) -> list[OutlineSection]:
    """The sections of the plan or the report in document order; 四 gets one per 一级."""
    if deliverable == "plan":
        return list(PLAN_OUTLINE)
    base = EX_ANTE_OUTLINE if ex_ante else REPORT_OUTLINE
    chapter = "三、综合评估情况与结论" if ex_ante else "四、绩效评价指标分析"
    dynamic = [
        OutlineSection(
            level1_key(name),
            chapter,
            f"（{_cn(i)}）{name}" if ex_ante else f"（{_cn(i)}）{name}指标分析",
            "该评估内容的分析"
            if ex_ante
            else f"{name}类指标的总体分析（逐项得分和扣分由系统列出）",
        )
        for i, name in enumerate(level1_names, start=1)
    ]
    anchor = "conclusion"
    position = next(i for i, s in enumerate(base) if s.key == anchor)
    if ex_ante:  # the dimensions come before the closing conclusion
        return [*base[:position], *dynamic, *base[position:]]
    return [*base[: position + 1], *dynamic, *base[position + 1 :]]


def cn(number: int) -> str:
    """1 → 一, 12 → 十二 (the numbers of 一、 and （一） headings)."""
    return _cn(number)


def _cn(number: int) -> str:
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    tens, units = divmod(number, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


# --- rich text -------------------------------------------------------------------------------


class SectionTextError(ValueError):
    """Section text that cannot be accepted; the message is for the user."""


@dataclass
class Run:
    text: str
    bold: bool = False
    em: bool = False


@dataclass
class Block:
    """A paragraph (runs), a list (items of runs) or a table (rows of (cell text, is header))."""

    kind: str  # p | ol | ul | table
    runs: list[Run] = field(default_factory=list)
    items: list[list[Run]] = field(default_factory=list)
    rows: list[list[tuple[str, bool]]] = field(default_factory=list)


class _Reader(HTMLParser):
    """Turns sanitized HTML into blocks; nested lists are flattened, stray text becomes a paragraph."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.runs: list[Run] = []
        self.bold = 0
        self.em = 0
        self.list: Block | None = None
        self.table: Block | None = None
        self.cell: list[str] | None = None
        self.cell_header = False

    def _flush(self) -> None:
        runs = _trim(self.runs)
        self.runs = []
        if not runs:
            return
        if self.list is not None:
            self.list.items.append(runs)
        else:
            self.blocks.append(Block("p", runs=runs))

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("strong", "b"):
            self.bold += 1
        elif tag == "em":
            self.em += 1
        elif tag == "br":
            self.handle_data("\n")
        elif self.table is not None:
            if tag == "tr":
                self.table.rows.append([])
            elif tag in ("td", "th"):
                self.cell, self.cell_header = [], tag == "th"
        elif tag == "table":
            self._flush()
            self._close_list()
            self.table = Block("table")
        elif tag in ("ol", "ul"):
            self._flush()
            if self.list is None:
                self.list = Block(tag)
        elif tag in ("p", "li"):
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag == "em":
            self.em = max(0, self.em - 1)
        elif self.table is not None:
            if tag in ("td", "th") and self.cell is not None:
                if not self.table.rows:
                    self.table.rows.append([])
                text = _SPACES.sub(" ", "".join(self.cell)).strip()
                self.table.rows[-1].append((text, self.cell_header))
                self.cell = None
            elif tag == "table":
                rows = [row for row in self.table.rows if any(text for text, _ in row)]
                if rows:
                    self.blocks.append(Block("table", rows=rows))
                self.table = None
        elif tag in ("ol", "ul"):
            self._flush()
            self._close_list()
        elif tag in ("p", "li"):
            self._flush()

    def _close_list(self) -> None:
        if self.list is not None and self.list.items:
            self.blocks.append(self.list)
        self.list = None

    def handle_data(self, data: str) -> None:
        if self.table is not None:
            if self.cell is not None:
                self.cell.append(data.replace("\n", " "))
            return
        self.runs.append(Run(data, bool(self.bold), bool(self.em)))

    def close(self) -> None:
        super().close()
        self._flush()
        self._close_list()


def _trim(runs: list[Run]) -> list[Run]:
    """Collapse HTML whitespace inside runs (line breaks from <br> survive) and drop empty ones."""
    out: list[Run] = []
    for run in runs:
        parts = run.text.split("\n")
        text = "\n".join(_SPACES.sub(" ", part) for part in parts)
        if text:
            out.append(Run(text, run.bold, run.em))
    joined = "".join(r.text for r in out)
    if not joined.strip():
        return []
    out[0].text = out[0].text.lstrip(" \n")
    out[-1].text = out[-1].text.rstrip(" \n")
    return [r for r in out if r.text]


def looks_like_html(raw: str) -> bool:
    return bool(_HTML_HINT.search(raw))


def sanitize(raw: str) -> str:
    """nh3 with the allowlist; <div> lines (contenteditable) become paragraphs first."""
    return nh3.clean(
        _DIV.sub(lambda m: f"<{m.group(1)}p>", raw),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={},
        strip_comments=True,
        link_rel=None,
    )


def parse(sanitized: str) -> list[Block]:
    reader = _Reader()
    reader.feed(sanitized)
    reader.close()
    return reader.blocks


def _runs_html(runs: list[Run]) -> str:
    out = []
    for run in runs:
        text = html.escape(run.text, quote=False).replace("\n", "<br>")
        if run.em:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        out.append(text)
    return "".join(out)


def serialise(blocks: list[Block]) -> str:
    """Canonical HTML of the blocks (what is stored and loaded into the editor)."""
    out = []
    for block in blocks:
        if block.kind == "p":
            out.append(f"<p>{_runs_html(block.runs)}</p>")
        elif block.kind in ("ol", "ul"):
            items = "".join(f"<li>{_runs_html(item)}</li>" for item in block.items)
            out.append(f"<{block.kind}>{items}</{block.kind}>")
        else:
            rows = "".join(
                "<tr>"
                + "".join(
                    f"<{'th' if head else 'td'}>{html.escape(text, quote=False)}"
                    f"</{'th' if head else 'td'}>"
                    for text, head in row
                )
                + "</tr>"
                for row in block.rows
            )
            out.append(f"<table><tbody>{rows}</tbody></table>")
    return "".join(out)


def clean(raw: str) -> str:
    """User input (limited HTML from the editor, or plain lines) → canonical safe HTML."""
    if len(raw) > MAX_INPUT_CHARS:
        raise SectionTextError(f"章节内容过长（{len(raw)} 个字符，上限 {MAX_INPUT_CHARS} 个字符）")
    if not looks_like_html(raw):
        lines = [line.strip() for line in raw.replace("\r\n", "\n").split("\n")]
        raw = "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines if line)
    result = serialise(parse(sanitize(raw)))
    length = len(to_text(result))
    if length > MAX_TEXT_CHARS:
        raise SectionTextError(
            f"章节正文过长（{length} 字，上限 {MAX_TEXT_CHARS} 字），请精简或拆分"
        )
    return result


def _plain(runs: list[Run]) -> str:
    return "".join(run.text for run in runs)


def to_paragraphs(safe_html: str) -> list[str]:
    """The Word paragraphs of a section: lists prefixed, table rows tab-separated."""
    out: list[str] = []
    for block in parse(safe_html):
        if block.kind == "p":
            out.append(_plain(block.runs))
        elif block.kind == "ol":
            out += [f"{i}. {_plain(item)}" for i, item in enumerate(block.items, start=1)]
        elif block.kind == "ul":
            out += [f"· {_plain(item)}" for item in block.items]
        else:
            out += ["\t".join(text for text, _ in row) for row in block.rows]
    return out


def list_items(safe_html: str) -> list[str]:
    """Each paragraph or list item as one entry without prefixes (the plan's 评价依据)."""
    out: list[str] = []
    for block in parse(safe_html):
        if block.kind == "p":
            out.append(_plain(block.runs))
        elif block.kind in ("ol", "ul"):
            out += [_plain(item) for item in block.items]
        else:
            out += ["\t".join(text for text, _ in row) for row in block.rows]
    return [item.strip() for item in out if item.strip()]


def to_text(safe_html: str) -> str:
    """Plain text (one Word paragraph per line): what diffs, gates and snapshots compare."""
    return "\n".join(to_paragraphs(safe_html))


def from_paragraphs(paragraphs: list[str]) -> str:
    """Canonical HTML for plain paragraphs (demo texts, defaults)."""
    return clean("\n".join(paragraphs))
