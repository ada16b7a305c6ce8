"""Personal data in report text, found and removed for the 公开版 (篇六 第三十五–三十七条). (pure)

Pure: patterns for 居民身份证号码 (18 digits with a valid birth date and check digit, or the old
15-digit form), mobile numbers (1[3-9]…, 11 digits, optionally +86 and grouped 3-4-4),
landlines (area code 0xx/0xxx with a separator or in brackets, 7–8 digits, optional extension)
and e-mail addresses, plus the names the record knows (survey respondents, interviewees).
A digit run inside a longer number, an amount (3,860.00万元, 13800000000元) or a date
(2025-03-18, 20250318) is left alone: a landline needs its area code and separator.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

KIND_NAMES = {
    "name": "姓名",
    "id_number": "身份证号码",
    "mobile": "手机号码",
    "landline": "固定电话",
    "email": "电子邮箱",
}
REPLACEMENTS = {
    "name": "×××",
    "id_number": "（身份证号码已隐去）",
    "mobile": "（手机号码已隐去）",
    "landline": "（电话号码已隐去）",
    "email": "（电子邮箱已隐去）",
}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Not inside a longer run of digits, Latin letters or a decimal number; not an amount. (\w
# would also match Chinese characters, which may stand right next to a number.)
_BEFORE = r"(?<![0-9A-Za-z_.,，])"
_AFTER = r"(?![0-9A-Za-z_]|[.,]\d|\s*(?:元|万|亿|%|％|个|人|份|所|户|次))"
_ID = re.compile(_BEFORE + r"(\d{17}[\dXx]|\d{15})" + _AFTER)
_MOBILE = re.compile(_BEFORE + r"((?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2})" + _AFTER)
_LANDLINE = re.compile(
    _BEFORE
    + r"((?:[(（]0\d{2,3}[)）]\s*|0\d{2,3}[-－—\s])[2-9]\d{6,7}(?:\s*(?:转|-|ext\.?)\s*\d{1,5})?)"
    + r"(?![0-9A-Za-z_])"
)
_EMAIL = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
)


@dataclass(frozen=True)
class Found:
    """One piece of personal data: its kind, where it is and the text."""

    kind: str
    start: int
    end: int
    text: str


def valid_id_number(value: str) -> bool:
    """A 居民身份证号码: 18 characters with a real birth date and the ISO 7064 check digit,
    or the 15-digit form (birth date 19YYMMDD)."""
    value = value.upper()
    if re.fullmatch(r"\d{15}", value):
        return _real_date("19" + value[6:12])
    if not re.fullmatch(r"\d{17}[\dX]", value) or not _real_date(value[6:14]):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def find(text: str, *, names: Iterable[str] = ()) -> list[Found]:
    """Every piece of personal data in ``text``, in order, without overlaps."""
    found: list[Found] = []
    for match in _ID.finditer(text):
        if valid_id_number(match.group(1)):
            found.append(Found("id_number", match.start(1), match.end(1), match.group(1)))
    for kind, pattern in (("email", _EMAIL), ("mobile", _MOBILE), ("landline", _LANDLINE)):
        for match in pattern.finditer(text):
            if kind == "mobile" and len(re.sub(r"\D", "", match.group(1))) not in (11, 13):
                continue
            found.append(Found(kind, match.start(1), match.end(1), match.group(1)))
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
        for match in re.finditer(re.escape(name), text):
            found.append(Found("name", match.start(), match.end(), name))
    return _without_overlaps(found)


def redact(text: str, *, names: Iterable[str] = ()) -> tuple[str, Counter]:
    """``text`` with its personal data replaced, and how many of each kind were removed."""
    found = find(text, names=names)
    counts: Counter = Counter()
    out, cursor = [], 0
    for item in found:
        out.append(text[cursor : item.start])
        out.append(REPLACEMENTS[item.kind])
        counts[item.kind] += 1
        cursor = item.end
    out.append(text[cursor:])
    return "".join(out), counts


def describe(counts: Counter) -> str:
    """ "身份证号码2处、手机号码1处" for a record or a page; "" when nothing was removed."""
    return "、".join(f"{KIND_NAMES[k]}{counts[k]}处" for k in KIND_NAMES if counts.get(k))


def _without_overlaps(found: list[Found]) -> list[Found]:
    kept: list[Found] = []
    for item in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept


def _real_date(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def redact_docx(docx: bytes, *, names: Iterable[str] = ()) -> tuple[bytes, Counter]:
    """A rendered .docx with the personal data of every paragraph (body, tables, headers and
    footers) replaced, and the counts. A paragraph's runs are read together, so a number split
    over runs is found; a changed paragraph keeps the formatting of its first run."""
    import io

    from docx import Document
    from docx.oxml.ns import qn

    document = Document(io.BytesIO(docx))
    roots = [document.element.body]
    for section in document.sections:
        for story in (section.header, section.footer):
            if not story.is_linked_to_previous:
                roots.append(story._element)
    total: Counter = Counter()
    names = list(names)
    for root in roots:
        for paragraph in root.iter(qn("w:p")):
            texts = list(paragraph.iter(qn("w:t")))
            joined = "".join(t.text or "" for t in texts)
            if not joined:
                continue
            cleaned, counts = redact(joined, names=names)
            if not counts:
                continue
            total += counts
            texts[0].text = cleaned
            texts[0].set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            for t in texts[1:]:
                t.text = ""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), total
