"""Text normalisation shared by the importers: markers, option keys and header keys."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import datetime
from decimal import Decimal

# 问卷星 writes these for an answer the respondent never saw (logic jump) or left blank.
SKIPPED = "skipped"
BLANK = "blank"
SKIP_TEXTS = frozenset({"(跳过)", "跳过"})
BLANK_TEXTS = frozenset({"(空)", "空", ""})
SKIP_CODES = frozenset({-2, -3})
# Metadata cells 问卷星 fills with N/A when it has nothing (e.g. 来源详情).
NOT_AVAILABLE = frozenset({"", "N/A", "n/a", "NA", "-", "(空)"})

MULTI_SEPARATOR = "┋"
_OTHER_TEXT = re.compile(r"〖(.*)〗\s*$", re.S)
_ANNOTATION = re.compile(r"(【[^】]*】|\((请注明|请填写|注明)[^)]*\))$")
_TYPE_TAG = re.compile(r"[\[【(]\s*[^\]】)]{0,6}题\s*[\]】)]$")
_SPACE = re.compile(r"\s+")
_INT_TEXT = re.compile(r"^[+-]?\d+$")


def nfkc(text: str) -> str:
    """Unicode NFKC: full-width digits, letters and brackets become their plain forms."""
    return unicodedata.normalize("NFKC", text)


def cell_text(value: object) -> str:
    """A cell as text: integral floats lose their `.0`, None/NaN become ''."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value).strip()


def missing_kind(value: object) -> str | None:
    """SKIPPED, BLANK or None (answered) for a raw cell of any question type."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return BLANK
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value in SKIP_CODES:
        return SKIPPED
    text = nfkc(str(value)).strip()
    if text in SKIP_TEXTS:
        return SKIPPED
    if text in BLANK_TEXTS:
        return BLANK
    if _INT_TEXT.match(text) and int(text) in SKIP_CODES:
        return SKIPPED
    return None


def as_code(value: object) -> int | None:
    """The option number of a 按选项序号 cell (1, 1.0, '1'), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else None
    text = nfkc(str(value)).strip()
    return int(text) if _INT_TEXT.match(text) else None


def split_other(text: str) -> tuple[str, str | None]:
    """Split `其他【请注明】〖村委会广播〗` into the option part and the respondent's other text."""
    match = _OTHER_TEXT.search(text)
    if not match:
        return text, None
    return text[: match.start()], match.group(1).strip() or None


def option_key(text: str) -> str:
    """Comparison key of an option: NFKC, no spaces, no 【请注明】-style annotation or 〖〗 text."""
    base, _ = split_other(nfkc(str(text)))
    base = _SPACE.sub("", base)
    stripped = _ANNOTATION.sub("", base)
    return stripped or base


def display_option(text: str) -> str:
    """The option label shown when inferring a questionnaire: `其他【请注明】〖广播〗` → `其他`."""
    base = split_other(str(text).strip())[0].strip()
    return _ANNOTATION.sub("", base).strip() or base


def text_key(text: str) -> str:
    """Comparison key of a question text or row label."""
    base = _SPACE.sub("", nfkc(str(text)))
    base = _TYPE_TAG.sub("", base)
    return base.lower()


def header_text(value: object) -> str:
    """A header cell as clean text (BOM and surrounding spaces removed)."""
    return cell_text(value).replace("\ufeff", "").strip()


def option_list_text(options: list[str] | tuple[str, ...], limit: int = 8) -> str:
    """`可选：A、B、C…` for messages about an unknown option."""
    shown = "、".join(options[:limit]) + ("…" if len(options) > limit else "")
    return f"可选：{shown}"
