"""Metadata columns of an export: 序号, 提交答卷时间, 所用时间, 来自IP, 来源 (vectorised)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from workbench.surveys.imports.cells import map_unique
from workbench.surveys.imports.distinct import Distinct
from workbench.surveys.imports.errors import IssueCollector, shorten
from workbench.surveys.imports.normalize import NOT_AVAILABLE, as_code, cell_text, nfkc

_TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
)
_DURATION = re.compile(r"^(?:(\d+)\s*小时)?\s*(?:(\d+)\s*分(?:钟)?)?\s*(?:(\d+)\s*秒)?$")
_PLAIN_SECONDS = re.compile(r"^\d+(?:\.\d+)?$")
_IP = re.compile(r"^\s*([0-9A-Fa-f:.]+)\s*(?:[(（]\s*(.*?)\s*[)）])?\s*$")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def read_serials(distinct: Distinct, label: str, issues: IssueCollector) -> np.ndarray:
    """序号 per row as int; blank, non-integer and repeated serials are reported."""
    parsed = [as_code(v) for v in distinct.uniques]
    for row, u in distinct.flagged_rows([p is None or p < 1 for p in parsed]):
        value = cell_text(distinct.uniques[u])
        detail = f"序号“{shorten(value)}”不是正整数" if value else "序号为空"
        issues.add(f"第{row}行 {label}：{detail}", row=row, column=label)
    for row in distinct.index[distinct.positions == -1]:
        issues.add(f"第{row}行 {label}：序号为空", row=int(row), column=label)
    serials = distinct.take(parsed)
    repeated = [c > 1 and p is not None for c, p in zip(distinct.counts(), parsed, strict=True)]
    first_row: dict[int, int] = {}
    for row, u in distinct.flagged_rows(repeated):
        serial = parsed[u]
        if serial in first_row:
            issues.add(
                f"第{row}行 {label}：序号 {serial} 与第{first_row[serial]}行重复，同一文件中每份答卷的序号应唯一",
                row=row,
                column=label,
            )
        else:
            first_row[serial] = row
    return serials


def read_times(
    distinct: Distinct, label: str, issues: IssueCollector
) -> tuple[np.ndarray, np.ndarray]:
    """提交答卷时间 per row: datetime (None when blank) and `YYYY-MM-DD HH:MM:SS` text ('' when blank).

    Unreadable times are reported. The common 问卷星 format is parsed in one vectorised pass;
    only what it misses goes through the slower per-value path.
    """
    uniques = pd.Series(distinct.uniques, dtype=object)
    parsed = pd.to_datetime(uniques, format=_TIME_FORMATS[0], errors="coerce")
    pending = parsed.isna().to_numpy()
    if pending.any():
        texts = pd.Series([_time_text(v) for v in uniques[pending]], dtype=object)
        retry = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[us]")
        for fmt in _TIME_FORMATS:
            todo = retry.isna() & (texts != "")
            if not todo.any():
                break
            retry = retry.fillna(pd.to_datetime(texts.where(todo), format=fmt, errors="coerce"))
        parsed = parsed.astype("datetime64[us]")
        parsed[pending] = retry.to_numpy()
        bad = [t != "" for t in texts]
        unreadable = np.zeros(len(uniques), dtype=bool)
        unreadable[np.flatnonzero(pending)] = retry.isna().to_numpy() & np.asarray(bad, dtype=bool)
        for row, u in distinct.flagged_rows(unreadable.tolist()):
            shown = shorten(_time_text(distinct.uniques[u]))
            issues.add(
                f"第{row}行 {label}：无法识别的时间“{shown}”（应如 2024/09/22 18:15:09）",
                row=row,
                column=label,
            )
    present = parsed.notna().to_numpy()
    moments = np.full(len(uniques), None, dtype=object)
    texts_out = np.full(len(uniques), "", dtype=object)
    if present.any():
        moments[present] = parsed[present].dt.to_pydatetime()
        texts_out[present] = parsed[present].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
    return distinct.take(moments), distinct.take(texts_out, missing="")


def _time_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        # An Excel date serial number written without a date format.
        moment = _EXCEL_EPOCH + timedelta(days=float(value))
        return moment.replace(microsecond=0).strftime("%Y-%m-%d %H:%M:%S")
    return nfkc(cell_text(value))


def read_durations(distinct: Distinct, label: str, issues: IssueCollector) -> np.ndarray:
    """所用时间 per row in whole seconds (`138秒`, `2分18秒`, `138`); None when blank."""
    parsed: list[int | None] = []
    bad: list[bool] = []
    for value in distinct.uniques:
        seconds, ok = _seconds(value)
        parsed.append(seconds)
        bad.append(not ok)
    for row, u in distinct.flagged_rows(bad):
        issues.add(
            f"第{row}行 {label}：无法识别的答题用时“{shorten(distinct.uniques[u])}”（应如 138秒）",
            row=row,
            column=label,
        )
    return distinct.take(parsed)


def _seconds(value: Any) -> tuple[int | None, bool]:
    text = nfkc(cell_text(value)).replace(" ", "")
    if text in NOT_AVAILABLE:
        return None, True
    if _PLAIN_SECONDS.match(text):
        return int(float(text)), True
    match = _DURATION.match(text)
    if not match or not any(match.groups()):
        return None, False
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds, True


def read_ips(distinct: Distinct) -> tuple[np.ndarray, np.ndarray]:
    """来自IP per row split into the address and the place 问卷星 appends: `1.2.3.4(河南-郑州)`."""
    addresses: list[str | None] = []
    places: list[str | None] = []
    for value in distinct.uniques:
        text = cell_text(value)
        match = _IP.match(text)
        if text in NOT_AVAILABLE:
            addresses.append(None)
            places.append(None)
        elif match:
            addresses.append(match.group(1))
            places.append(match.group(2) or None)
        else:
            addresses.append(text)
            places.append(None)
    return distinct.take(addresses), distinct.take(places)


def read_plain(distinct: Distinct) -> np.ndarray:
    """A text metadata cell (来源, 来源详情, 总分, 用户ID); N/A and blanks become None."""
    return map_unique(distinct, lambda v: None if cell_text(v) in NOT_AVAILABLE else cell_text(v))
