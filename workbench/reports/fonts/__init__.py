"""The vendored CJK font used by the charts, registered with matplotlib on demand."""

from __future__ import annotations

from functools import cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
CJK_FONT_PATH = FONT_DIR / "WenQuanYiMicroHei-GBK.ttf"
CJK_FONT_LICENSE = FONT_DIR / "LICENSE-WenQuanYiMicroHei.txt"


@cache
def register_cjk_font() -> str:
    """Add the vendored font to matplotlib's font manager once; return its family name."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(CJK_FONT_PATH))
    return font_manager.FontProperties(fname=str(CJK_FONT_PATH)).get_name()


@cache
def cjk_codepoints() -> frozenset[int]:
    """Code points the vendored font has a glyph for (its cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(CJK_FONT_PATH), lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` (whitespace aside) that the vendored font cannot draw."""
    covered = cjk_codepoints()
    seen: list[str] = []
    for char in text:
        if not char.isspace() and ord(char) not in covered and char not in seen:
            seen.append(char)
    return seen
