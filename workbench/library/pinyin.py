"""Pinyin of library indicator names and tags, so "ybjj" or "yibao" finds 医保基金… (pure).

The readings come from pypinyin (its phrase dictionary picks the reading of 多音字 in context);
nothing here lists pinyin by hand. The document is stored per indicator (`search_pinyin`) when
its content is written, so a search is one SQL LIKE alongside the character search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A term typed in Latin letters only is read as pinyin too; a single letter would match nearly
# every indicator (率 is "l"), so two letters at least.
PINYIN_TERM = re.compile(r"[a-z]{2,}")


def readings(text: str) -> tuple[str, str]:
    """The initials and the full pinyin of a text, lower-cased, non-Chinese runs kept as they are.

    "医保基金使用合规率" → ("ybjjsyhgl", "yibaojijinshiyongheguilv").
    """
    from pypinyin import Style, lazy_pinyin  # a quarter of a second to import: only on writes

    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))
    full = "".join(lazy_pinyin(text))
    return re.sub(r"\s+", "", initials).lower(), re.sub(r"\s+", "", full).lower()


def document(name: str, tags: Iterable[str] = ()) -> str:
    """The pinyin searched for an indicator: initials and full pinyin of its name and each tag."""
    lines: list[str] = []
    for text in (name, *tags):
        for reading in readings(text):
            if reading and reading not in lines:
                lines.append(reading)
    return "\n".join(lines)


def is_pinyin_term(term: str) -> bool:
    """Whether a (lower-cased) search term may be pinyin: Latin letters only, two or more."""
    return PINYIN_TERM.fullmatch(term) is not None
