"""Rebuild the vendored chart font: a GBK subset of WenQuanYi Micro Hei.

Run once by a maintainer (not at run time): extract the first face of Debian's
``fonts-wqy-microhei`` collection and keep the GBK repertoire plus Latin and punctuation::

    apt-get download fonts-wqy-microhei && dpkg-deb -x fonts-wqy-microhei_*.deb x
    python -m workbench.reports.fonts.subset x/usr/share/fonts/truetype/wqy/wqy-microhei.ttc

GBK (about 21,000 Han characters) is kept rather than GB2312 (6,763) because indicator,
place and unit names often use characters outside GB2312; the result is about 3 MB. The
subset is renamed "WenQuanYi Micro Hei GBK" so that matplotlib never picks a system-wide
WenQuanYi Micro Hei (same family name, other file) instead of it.
"""

from __future__ import annotations

import sys
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
DEFAULT_DEST = FONT_DIR / "WenQuanYiMicroHei-GBK.ttf"
FAMILY = "WenQuanYi Micro Hei GBK"

# Symbols that appear in indicator names, rules and units but are not all in GBK.
EXTRA_SYMBOLS = "—–‘’“”…‰℃№←↑→↓≈≠≤≥×÷±·•●○■□▲△★☆√①②③④⑤⑥⑦⑧⑨⑩€￥"


def double_byte_repertoire(encoding: str) -> set[str]:
    """Characters encodable as one double-byte code in a legacy Chinese encoding."""
    found: set[str] = set()
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            try:
                found.add(bytes([lead, trail]).decode(encoding))
            except UnicodeDecodeError:
                continue
    return found


def wanted_codepoints() -> set[int]:
    """Code points kept in the subset: ASCII, Latin-1, GBK and a few symbols."""
    # Python's gb2312 and gbk codecs map a few codes differently (A1A4: ・ vs ·): keep both.
    chars = double_byte_repertoire("gbk") | double_byte_repertoire("gb2312") | set(EXTRA_SYMBOLS)
    points = {ord(c) for c in chars}
    points |= set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    return points


def build_subset(source: Path, dest: Path = DEFAULT_DEST, *, font_number: int = 0) -> int:
    """Write the subset of face ``font_number`` of ``source`` to ``dest``; return glyph count."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), fontNumber=font_number)
    cmap = font.getBestCmap()
    options = subset.Options()
    options.notdef_outline = True
    # Keep every name record so the family name and the licence notice survive.
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(p for p in wanted_codepoints() if p in cmap))
    subsetter.subset(font)
    _rename(font)
    font.save(str(dest))
    return len(font.getGlyphOrder())


def _rename(font) -> None:
    """Give the subset its own family name, so a system-wide WenQuanYi never shadows it."""
    for record in font["name"].names:
        if record.nameID in (1, 4, 16, 18):
            record.string = FAMILY
        elif record.nameID == 3:
            record.string = f"{FAMILY};subset"
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "")


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    if len(sys.argv) != 2:
        sys.exit("usage: python -m workbench.reports.fonts.subset wqy-microhei.ttc")
    count = build_subset(Path(sys.argv[1]))
    print(f"{DEFAULT_DEST.name}: {count} glyphs, {DEFAULT_DEST.stat().st_size} bytes")
