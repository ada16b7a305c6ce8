"""Report outline profiles: chapters, their order and titles, required facts, as data (pure).

A profile is a YAML document (report_templates/outlines/*.yaml ship one per engagement type; an
agency may store its own per commissioning bureau). Chapter and section titles carry no numbers:
一、 and （一） follow the order. Every error is collected and reported in Chinese with where it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml

from workbench.reports import sections as text
from workbench.scoring import self_gaps

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "report_templates" / "outlines"
ENGAGEMENT_TYPES = {
    "project": "项目支出绩效评价",
    "self_eval_review": "单位自评复核",
    "department": "部门整体支出绩效评价",
    "ex_ante": "事前绩效评估",
}
# Blocks the system fills: the score table, the self/review comparison, one sub-section per 一级.
BLOCKS = {
    "score_table": "综合得分表",
    "self_review_table": "自评与复核得分对比表",
    "level1_analysis": "各一级指标分析",
}
# Generated paragraphs put before a section's own text (context_report builds them).
GENERATED = {"overview": "项目资金情况", "goals": "指标目标值", "methodology": "指标体系说明",
             "process": "工作过程"}  # fmt: skip
FACTS = {
    "budget_amount": "预算资金",
    "funds_available": "实际到位资金",
    "funds_spent": "实际支出",
    "description": "项目（部门）简介",
}
DEFAULT_GAP_THRESHOLD = self_gaps.DEFAULT_THRESHOLD
MAX_BYTES = 64_000
MAX_CHAPTERS = 20
MAX_ITEMS = 30
_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、．])")
_TOP_KEYS = {"key", "name", "engagement_type", "document_title", "required_facts",
             "self_review", "chapters"}  # fmt: skip


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load that refuses a mapping naming the same key twice (YAML keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key: object, line: int) -> None:
        super().__init__(key, line)
        self.key, self.line = key, line


class ProfileError(ValueError):
    """A profile that cannot be used; ``errors`` lists every problem for the user."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Item:
    """A section the team writes (key) or a block the system fills (block)."""

    key: str = ""
    block: str = ""
    heading: str = ""
    hint: str = ""
    required: bool = False
    generated: str = ""


@dataclass(frozen=True)
class Chapter:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Profile:
    key: str
    name: str
    engagement_type: str
    document_title: str
    chapters: tuple[Chapter, ...]
    required_facts: tuple[str, ...] = ()
    gap_threshold: Decimal | None = None  # only for a profile with the self_review_table
    blocks: frozenset[str] = field(default_factory=frozenset)

    @property
    def sections(self) -> list[Item]:
        return [item for chapter in self.chapters for item in chapter.items if item.key]


def _str(value: object, where: str, errors: list[str], *, required: bool = True) -> str:
    if value is None or value == "":
        if required:
            errors.append(f"{where}不能为空")
        return ""
    if not isinstance(value, str):
        errors.append(f"{where}应为文字")
        return ""
    if len(value) > 200:
        errors.append(f"{where}过长（不超过200字）")
    return value.strip()


def _item(raw: object, where: str, seen: set[str], errors: list[str]) -> Item | None:
    if not isinstance(raw, dict):
        errors.append(f"{where}应为键值对（key/heading/hint 或 block）")
        return None
    unknown = set(raw) - {"key", "block", "heading", "hint", "required", "generated"}
    if unknown:
        errors.append(f"{where}有无法识别的字段：{'、'.join(sorted(map(str, unknown)))}")
    if "block" in raw:
        block = raw["block"]
        if block not in BLOCKS:
            errors.append(f"{where}的 block “{block}” 不存在，可用：{'、'.join(BLOCKS)}")
            return None
        if block in seen:
            errors.append(f"{where}的 block “{block}” 重复出现")
        seen.add(block)
        return Item(block=block)
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        errors.append(f"{where}的 key “{key}” 无效（小写字母开头，字母、数字、下划线，2–40位）")
        return None
    if key in seen:
        errors.append(f"{where}的 key “{key}” 重复，每个章节的 key 须唯一")
    seen.add(key)
    heading = _str(raw.get("heading"), f"{where}（{key}）的标题", errors, required=False)
    if heading and _NUMBERED.match(heading):
        errors.append(f"{where}（{key}）的标题“{heading}”不要带序号，序号按顺序自动生成")
    generated = raw.get("generated") or ""
    if generated and generated not in GENERATED:
        errors.append(
            f"{where}（{key}）的 generated “{generated}” 不存在，可用：{'、'.join(GENERATED)}"
        )
        generated = ""
    required = raw.get("required", False)
    if not isinstance(required, bool):
        errors.append(f"{where}（{key}）的 required 应为 true 或 false")
        required = False
    hint = _str(raw.get("hint"), f"{where}（{key}）的提示", errors, required=False)
    return Item(key=key, heading=heading, hint=hint, required=required, generated=generated)


def parse(source: str | bytes) -> Profile:
    """A validated profile from YAML text, or ProfileError naming every problem."""
    if isinstance(source, bytes):
        if len(source) > MAX_BYTES:
            raise ProfileError([f"提纲文件过大（{len(source)} 字节，上限 {MAX_BYTES} 字节）"])
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ProfileError(["提纲文件须为 UTF-8 编码的 YAML 文本"]) from error
    if len(source.encode("utf-8")) > MAX_BYTES:
        raise ProfileError([f"提纲文件过大（上限 {MAX_BYTES} 字节）"])
    try:
        raw = yaml.load(source, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as error:
        raise ProfileError([f"提纲第{error.line}行：字段“{error.key}”重复出现"]) from error
    except (ValueError, RecursionError) as error:  # a 5,000-digit number, nesting 10,000 deep
        raise ProfileError(["提纲无法读取：数字过长或嵌套过深"]) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else ""
        raise ProfileError(
            [f"提纲不是有效的 YAML{('（' + where + '）') if where else ''}"]
        ) from error
    if not isinstance(raw, dict):
        raise ProfileError(["提纲应为键值对文档（key、name、engagement_type、chapters …）"])
    errors: list[str] = []
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        errors.append(f"提纲有无法识别的字段：{'、'.join(sorted(map(str, unknown)))}")
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        errors.append(f"提纲的 key “{key}” 无效（小写字母开头，字母、数字、下划线，2–40位）")
    name = _str(raw.get("name"), "提纲名称 name", errors)
    kind = raw.get("engagement_type")
    if kind not in ENGAGEMENT_TYPES:
        errors.append(f"engagement_type “{kind}” 无效，可用：{'、'.join(ENGAGEMENT_TYPES)}")
    title = _str(raw.get("document_title"), "报告名称 document_title", errors)
    facts = raw.get("required_facts") or []
    if not isinstance(facts, list) or any(f not in FACTS for f in facts):
        errors.append(
            f"required_facts 只能列出：{'、'.join(f'{k}（{v}）' for k, v in FACTS.items())}"
        )
        facts = []
    chapters_raw = raw.get("chapters")
    chapters: list[Chapter] = []
    seen: set[str] = set()
    if not isinstance(chapters_raw, list) or not chapters_raw:
        errors.append("chapters 应列出至少一章")
        chapters_raw = []
    if len(chapters_raw) > MAX_CHAPTERS:
        errors.append(f"章数过多（{len(chapters_raw)} 章，上限 {MAX_CHAPTERS} 章）")
    for number, chapter in enumerate(chapters_raw[:MAX_CHAPTERS], start=1):
        where = f"第{number}章"
        if not isinstance(chapter, dict):
            errors.append(f"{where}应为键值对（title、contents）")
            continue
        heading = _str(chapter.get("title"), f"{where}的标题 title", errors)
        if heading and _NUMBERED.match(heading):
            errors.append(f"{where}的标题“{heading}”不要带序号，序号按顺序自动生成")
        contents = chapter.get("contents")
        if not isinstance(contents, list) or not contents:
            errors.append(f"{where}（{heading}）的 contents 应列出至少一项")
            continue
        if len(contents) > MAX_ITEMS:
            errors.append(f"{where}（{heading}）的内容过多（上限 {MAX_ITEMS} 项）")
        items = [_item(raw_item, f"{where}第{i}项", seen, errors)
                 for i, raw_item in enumerate(contents[:MAX_ITEMS], start=1)]  # fmt: skip
        chapters.append(Chapter(heading, tuple(i for i in items if i is not None)))
    blocks = frozenset(b for b in BLOCKS if b in seen)
    if kind != "ex_ante" and "score_table" not in blocks:
        errors.append("提纲须包含综合得分表（block: score_table）")
    if kind == "ex_ante" and blocks != {"level1_analysis"}:
        errors.append(
            "事前绩效评估提纲只含各评估内容（block: level1_analysis），得分表和评估结论由系统列出"
        )
    threshold = _threshold(raw.get("self_review"), "self_review_table" in blocks, errors)
    if errors:
        raise ProfileError(errors)
    return Profile(
        str(key), name, str(kind), title, tuple(chapters), tuple(facts), threshold, blocks
    )


def _threshold(raw: object, has_table: bool, errors: list[str]) -> Decimal | None:
    if raw is None:
        return DEFAULT_GAP_THRESHOLD if has_table else None
    if not has_table:
        errors.append("self_review 只用于包含自评与复核对比表（block: self_review_table）的提纲")
        return None
    value = raw.get("gap_threshold", DEFAULT_GAP_THRESHOLD) if isinstance(raw, dict) else raw
    try:
        threshold = Decimal(str(value))
    except InvalidOperation:
        threshold = Decimal(-1)
    if not Decimal(0) < threshold <= Decimal(100):
        errors.append(f"self_review 的 gap_threshold “{value}” 应为0到100之间的分数")
        return None
    return threshold


def shipped(engagement_type: str) -> Profile:
    """The profile shipped for an engagement type (report_templates/outlines/<type>.yaml)."""
    path = SHIPPED_DIR / f"{engagement_type}.yaml"
    return _parsed(path.read_bytes())


@lru_cache(maxsize=16)
def _parsed(source: bytes) -> Profile:
    """A shipped file parsed once per content: every page and document build reads its profile."""
    return parse(source)


def shipped_source(engagement_type: str) -> str:
    return (SHIPPED_DIR / f"{engagement_type}.yaml").read_text(encoding="utf-8")


def drafting_sections(profile: Profile, level1_names: list[str]) -> list[text.OutlineSection]:
    """The sections writers fill, in document order, with the numbered headings of the report.

    Every section is written before the 编制 signature (OutlineSection.required); a profile's
    ``required`` is stricter: without that text not even a first draft is generated.
    """
    ex_ante = profile.engagement_type == "ex_ante"
    out: list[text.OutlineSection] = []
    for number, chapter in enumerate(profile.chapters, start=1):
        chapter_title = f"{text.cn(number)}、{chapter.title}"
        sub = 0
        for item in chapter.items:
            if item.key:
                if item.heading:
                    sub += 1
                heading = f"（{text.cn(sub)}）{item.heading}" if item.heading else chapter.title
                out.append(text.OutlineSection(item.key, chapter_title, heading, item.hint))
            elif item.block == "level1_analysis":
                for name in level1_names:
                    sub += 1
                    heading = f"（{text.cn(sub)}）{name}" + ("" if ex_ante else "指标分析")
                    hint = ("该评估内容的评估分析" if ex_ante
                            else f"{name}类指标的总体分析（逐项得分和扣分由系统列出）")  # fmt: skip
                    out.append(
                        text.OutlineSection(text.level1_key(name), chapter_title, heading, hint)
                    )
    return out
