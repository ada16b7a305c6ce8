"""Conflict matching (pure): an expert's declared ties against an engagement's parties."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")


def normalise(name: str | None) -> str:
    """Organisation names compared loosely: NFKC (full-width → half-width), no spaces, lower."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", name or "")).lower()


def split_tags(text: str | Iterable[str] | None) -> list[str]:
    """Field tags from '教育、财务, 绩效评价' (、，,；; or spaces), trimmed, unique, in order."""
    if text is None:
        return []
    raw = text if isinstance(text, str) else ",".join(text)
    parts = re.split(r"[、，,；;\s]+", unicodedata.normalize("NFKC", raw))
    seen: list[str] = []
    for part in parts:
        tag = part.strip()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


@dataclass(frozen=True)
class Party:
    """An organisation the agency must be independent of, in one engagement."""

    role: str  # 委托方 / 被评价单位
    org_id: int
    name: str


@dataclass(frozen=True)
class Tie:
    """An organisation an expert declared a tie to."""

    org_name: str
    org_id: int | None
    relation: str


def find_conflicts(
    *, expert_name: str, organisation: str, ties: Iterable[Tie], parties: Iterable[Party]
) -> list[str]:
    """Sentences naming every tie (or the employer) that is a party of the engagement."""
    found: list[str] = []
    parties = list(parties)
    for tie in ties:
        for party in parties:
            if (tie.org_id is not None and tie.org_id == party.org_id) or (
                normalise(tie.org_name) == normalise(party.name)
            ):
                relation = f"（{tie.relation}）" if tie.relation else ""
                found.append(
                    f"{expert_name} 申报与“{tie.org_name}”存在关联{relation}，该单位是本项目的"
                    f"{party.role}"
                )
    employer = normalise(organisation)
    for party in parties:
        if employer and employer == normalise(party.name):
            found.append(f"{expert_name} 的工作单位“{organisation}”是本项目的{party.role}")
    return found
