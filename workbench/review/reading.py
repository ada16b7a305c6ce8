"""Reading a deliverable version's section snapshot in the browser: sanitize, split into paragraphs. (pure)

A snapshot is `{section key: html or text}` (a value may also be `{title, html|text}`). HTML is
cleaned with nh3 to a small allowlist; plain text is escaped. Each section is cut into its
top-level blocks (paragraphs, lists, tables), numbered from 1, so a bureau comment can point at
"section X, paragraph N". Pure: no Flask, no database.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import nh3

ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup", "span", "div",
    "ul", "ol", "li", "table", "thead", "tbody", "tr", "td", "th", "caption",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
VOID = {"br", "hr", "img", "wbr", "col", "area"}
_KNOWN = ALLOWED_TAGS | set(nh3.ALLOWED_TAGS) | {
    "script", "style", "iframe", "object", "embed", "form", "input", "link", "meta", "svg",
}  # fmt: skip
_TAG = re.compile(
    r"<\s*/?\s*(" + "|".join(sorted(_KNOWN, key=len, reverse=True)) + r")\b[^>]*>", re.I
)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    paragraphs: list[str]  # sanitized HTML, safe to render as is


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text or ""))


def sanitize(text: str) -> str:
    """Keep harmless formatting only (no scripts, styles, links or event handlers)."""
    return nh3.clean(text or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)


BLOCK = {
    "p",
    "div",
    "ul",
    "ol",
    "table",
    "blockquote",
    "pre",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}


class _Blocks(HTMLParser):
    """Offsets of the top-level block elements and loose inline runs of a sanitized fragment."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.depth = 0  # nesting inside the current top-level block
        self.start = 0
        self.spans: list[tuple[int, int, bool]] = []  # (start, end, is_block)
        self.run: int | None = None  # start of the current loose inline run

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _tag_end(self) -> int:
        return self.source.index(">", self._offset()) + 1

    def close_run(self, end: int) -> None:
        if self.run is not None:
            self.spans.append((self.run, end, False))
            self.run = None

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in VOID
            return
        here = self._offset()
        if tag in BLOCK:
            self.close_run(here)
            if tag in VOID:
                self.spans.append((here, self._tag_end(), True))
            else:
                self.start, self.depth = here, 1
        elif tag == "br":
            self.close_run(here)
        elif self.run is None:
            self.run = here

    def handle_startendtag(self, tag, attrs):
        if not self.depth and tag == "br":
            self.close_run(self._offset())

    def handle_endtag(self, tag):
        if not self.depth or tag in VOID:
            return
        self.depth -= 1
        if not self.depth:
            self.spans.append((self.start, self._tag_end(), True))

    def handle_data(self, data):
        if not self.depth and data.strip() and self.run is None:
            self.run = self._offset()

    def handle_entityref(self, name):
        self.handle_data("&")

    def handle_charref(self, name):
        self.handle_data("&")


def split_html(fragment: str) -> list[str]:
    """The top-level blocks of a sanitized HTML fragment; loose text becomes <p> paragraphs."""
    parser = _Blocks(fragment)
    parser.feed(fragment)
    parser.close()
    parser.close_run(len(fragment))
    blocks = []
    for start, end, is_block in sorted(parser.spans):
        piece = fragment[start:end].strip()
        if not plain(piece) and "<table" not in piece:
            continue
        # Re-cleaning balances any tag a cut left open.
        blocks.append(sanitize(piece if is_block else f"<p>{piece}</p>"))
    return blocks


def split_text(text: str) -> list[str]:
    """Plain text: one paragraph per non-blank line, escaped."""
    return [f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip()]


def paragraphs(value: Any) -> list[str]:
    """Safe HTML paragraphs of one section value (html, text or {html|text})."""
    if isinstance(value, Mapping):
        value = value.get("html") or value.get("text") or ""
    text = "" if value is None else str(value)
    if looks_like_html(text):
        return split_html(sanitize(text))
    return split_text(text)


def plain(fragment: str) -> str:
    """The text of an HTML fragment (tags dropped, entities decoded, spaces collapsed)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", " ", fragment))).strip()


def title_of(key: str, value: Any, titles: Mapping[str, str]) -> str:
    if isinstance(value, Mapping) and value.get("title"):
        return str(value["title"])
    return titles.get(key) or key


def sections(
    snapshot: Mapping[str, Any] | None, titles: Mapping[str, str] | None = None
) -> list[Section]:
    """The snapshot's sections in their stored order, each cut into paragraphs."""
    found = []
    for key, value in (snapshot or {}).items():
        found.append(Section(str(key), title_of(str(key), value, titles or {}), paragraphs(value)))
    return found


# --- problems found → rectification items ---------------------------------------------------

PROBLEM_HINTS = ("problem", "issue", "问题")
_NUMBERING = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]|[①-⑳]|[-•·*])\s*")


def extract_problems(
    snapshot: Mapping[str, Any] | None, titles: Mapping[str, str] | None = None
) -> list[str]:
    """Each paragraph or list item of the 'problems found' sections, numbering stripped."""
    found: list[str] = []
    for section in sections(snapshot, titles):
        haystack = f"{section.key} {section.title}".lower()
        if not any(hint in haystack for hint in PROBLEM_HINTS):
            continue
        for block in section.paragraphs:
            pieces = re.findall(r"<li[^>]*>(.*?)</li>", block, flags=re.S) or [block]
            for piece in pieces:
                text = _NUMBERING.sub("", plain(piece)).strip()
                if len(text) >= 6 and not text.endswith(("：", ":")):
                    found.append(text[:2000])
    return found
