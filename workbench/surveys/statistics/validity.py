"""Validity filters: mark responses to exclude, with a reason each; nothing is ever deleted (pure)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.surveys.design.questions import Question, item_column
from workbench.surveys.statistics.frames import (
    DURATION,
    IP,
    MISSING,
    SERIAL,
    SUBMITTED_AT,
    item_matrix,
)

MANUAL_EXCLUSION = "人工排除"


@dataclass(frozen=True)
class ValidityRules:
    """Thresholds of the filters (data, per survey); None switches a filter off."""

    min_duration_seconds: int | None = 30
    duplicate_ip_window_minutes: int | None = 30
    straightlining_min_rows: int | None = 5  # judge only matrices with at least this many rows
    require_answers: bool = True


DEFAULT_RULES = ValidityRules()


@dataclass
class ResponseValidity:
    """The verdict on one response: reasons found, whether a manual override applies, and the outcome."""

    id: Hashable
    reasons: list[str] = field(default_factory=list)
    override: bool | None = None  # True: kept despite reasons; False: excluded by hand
    excluded: bool = False


@dataclass
class ValidityReport:
    results: list[ResponseValidity]
    counts: dict[str, int]  # filter name → responses it flagged

    @property
    def excluded(self) -> pd.Series:
        """Boolean Series (index = response id): True where the response is excluded."""
        return pd.Series(
            [r.excluded for r in self.results], index=[r.id for r in self.results], dtype=bool
        )

    @property
    def valid(self) -> int:
        return sum(1 for r in self.results if not r.excluded)


def check_validity(
    *,
    frame: pd.DataFrame,
    questions: Sequence[Question],
    rules: ValidityRules = DEFAULT_RULES,
    overrides: Mapping[Hashable, bool] | None = None,
) -> ValidityReport:
    """Run every enabled filter over a frame from `build_frame`.

    `overrides` maps a response id to True (keep it whatever the filters say) or False (exclude
    it by hand); re-including or excluding is the caller's decision, recorded there.
    """
    reasons: list[list[str]] = [[] for _ in range(len(frame))]
    counts: dict[str, int] = {}
    filters = (
        ("too_fast", too_fast(frame, rules.min_duration_seconds)),
        ("duplicate_ip", duplicate_ip(frame, rules.duplicate_ip_window_minutes)),
        ("straightlining", straightlining(frame, questions, rules.straightlining_min_rows)),
        ("missing_required", missing_required(frame, questions) if rules.require_answers else None),
    )
    for name, found in filters:
        if found is None:
            continue
        flagged = 0
        for position, reason in enumerate(found):
            if reason:
                reasons[position].append(reason)
                flagged += 1
        counts[name] = flagged
    overrides = overrides or {}
    results = []
    for response_id, found in zip(frame.index, reasons, strict=True):
        override = overrides.get(response_id)
        if override is False:
            found = [*found, MANUAL_EXCLUSION]
        excluded = bool(found) if override is None else not override
        results.append(ResponseValidity(response_id, found, override, excluded))
    return ValidityReport(results, counts)


def too_fast(frame: pd.DataFrame, min_seconds: int | None) -> list[str | None] | None:
    """Responses completed in under `min_seconds` seconds."""
    if min_seconds is None or DURATION not in frame:
        return None
    durations = frame[DURATION].to_numpy(dtype=float)
    fast = durations < min_seconds
    return [
        f"答题用时 {int(d)} 秒，少于 {min_seconds} 秒" if flag else None
        for d, flag in zip(durations, fast, strict=True)
    ]


def duplicate_ip(frame: pd.DataFrame, window_minutes: int | None) -> list[str | None] | None:
    """A later response from the same IP within the window of the previous one from that IP."""
    if window_minutes is None or IP not in frame or SUBMITTED_AT not in frame:
        return None
    data = pd.DataFrame(
        {
            "ip": frame[IP].to_numpy(dtype=object),
            "at": pd.to_datetime(frame[SUBMITTED_AT]).to_numpy(),
            "serial": frame[SERIAL].to_numpy(dtype=object) if SERIAL in frame else None,
            "position": np.arange(len(frame)),
        }
    )
    data = data[data["ip"].notna() & data["at"].notna()].sort_values(["ip", "at", "position"])
    previous_at = data.groupby("ip")["at"].shift()
    previous_serial = data.groupby("ip")["serial"].shift()
    gap = data["at"] - previous_at
    hit = gap.notna() & (gap <= pd.Timedelta(minutes=window_minutes))
    result: list[str | None] = [None] * len(frame)
    for position, ip, serial in zip(
        data.loc[hit, "position"], data.loc[hit, "ip"], previous_serial[hit], strict=True
    ):
        before = f"序号 {serial} 的答卷" if serial is not None else "另一份答卷"
        result[int(position)] = f"与{before}来自同一 IP（{ip}），间隔不超过 {window_minutes} 分钟"
    return result


def straightlining(
    frame: pd.DataFrame, questions: Sequence[Question], min_rows: int | None
) -> list[str | None] | None:
    """Every row of a long matrix answered with the same option."""
    if min_rows is None:
        return None
    result: list[str | None] = [None] * len(frame)
    for q in questions:
        if q.type != "matrix" or len(q.rows) < max(min_rows, 2):
            continue
        codes = item_matrix(frame, [item_column(q.key, r) for r in q.rows])
        complete = ~np.isnan(codes).any(axis=1)
        same = complete & (codes == codes[:, [0]]).all(axis=1)
        for position in np.flatnonzero(same):
            option = q.options[int(codes[position, 0])]
            reason = f"矩阵题“{q.text}”的 {len(q.rows)} 行全部选择“{option}”（直线作答）"
            result[position] = (
                reason if result[position] is None else f"{result[position]}；{reason}"
            )
    return result


def missing_required(frame: pd.DataFrame, questions: Sequence[Question]) -> list[str | None]:
    """Required questions left blank (a question skipped by logic is not missing)."""
    required = [q for q in questions if q.required]
    result: list[str | None] = [None] * len(frame)
    if not required or MISSING not in frame:
        return result
    keys = {q.key: q for q in required}
    labels: list[list[str]] = [[] for _ in range(len(frame))]
    for position, missing in enumerate(frame[MISSING]):
        if missing:
            labels[position] = [
                keys[k].text for k, kind in missing.items() if k in keys and kind == "blank"
            ]
    for q in required:
        if q.type != "matrix" or not q.rows:
            continue
        # A partly answered matrix has no `missing` entry; its empty rows are checked here.
        empty = np.isnan(item_matrix(frame, [item_column(q.key, r) for r in q.rows]))
        for position in np.flatnonzero(empty.any(axis=1) & ~empty.all(axis=1)):
            rows = [r for r, gone in zip(q.rows, empty[position], strict=True) if gone]
            labels[position].append(f"{q.text}（{'、'.join(rows)}）")
    for position, found in enumerate(labels):
        if found:
            result[position] = "必答题未作答：" + "、".join(found)
    return result
