"""Working-paper index numbers (底稿索引号), e.g. D-03-02 (pure).

Scheme: `<stage letter>-<area>-<sequence>`.
- stage letter: the flowchart stage the paper belongs to, A (接受委托) … J (归档) in DOMAIN.md order;
  fieldwork papers are D, survey papers E, report papers G;
- area: two digits, the template's area within its stage (资料清单 01, 资料接收清单 02, …);
- sequence: two digits (three from 100 on), the next free number for that stage and area in the
  engagement.
"""

from __future__ import annotations

import re

from workbench.engagements.stages import ORDER, STAGE_NAMES, Stage

STAGE_LETTERS: dict[Stage, str] = {stage: chr(ord("A") + i) for i, stage in enumerate(ORDER)}
LETTER_STAGES: dict[str, Stage] = {letter: stage for stage, letter in STAGE_LETTERS.items()}
_INDEX = re.compile(r"^([A-J])-(\d{2})-(\d{2,3})$")
_AREA = re.compile(r"^\d{2}$")


def is_area(text: str) -> bool:
    """Whether `text` is a two-digit area code such as "03"."""
    return bool(_AREA.match(text or "")) and text != "00"


def format_index(stage: str, area: str, seq: int) -> str:
    """The index number of the `seq`-th paper of `area` in `stage`, e.g. D-03-02."""
    if not is_area(area):
        raise ValueError(f"area must be two digits 01–99, got {area!r}")
    if seq < 1 or seq > 999:
        raise ValueError(f"sequence must be 1–999, got {seq}")
    return f"{STAGE_LETTERS[Stage(stage)]}-{area}-{seq:02d}"


def parse_index(text: str) -> tuple[Stage, str, int]:
    """Stage, area and sequence of an index number; ValueError when it is not one."""
    match = _INDEX.match((text or "").strip())
    if not match:
        raise ValueError(f"“{text}”不是有效的底稿索引号（格式如 D-03-02）")
    letter, area, seq = match.groups()
    return LETTER_STAGES[letter], area, int(seq)


def sort_key(text: str) -> tuple[int, str, int]:
    """Order index numbers by stage, area, then numeric sequence (D-01-10 after D-01-09)."""
    try:
        stage, area, seq = parse_index(text)
    except ValueError:
        return (99, text, 0)
    return (ORDER.index(stage), area, seq)


def scheme_rows() -> list[tuple[str, str]]:
    """(letter, stage name) for the legend shown on the papers page."""
    return [(STAGE_LETTERS[stage], STAGE_NAMES[stage]) for stage in ORDER]
