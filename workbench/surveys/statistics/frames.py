"""Response frames: one pandas row per response, one column per statistical item (pure)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.surveys.design.questions import Question, item_column, iter_items

SERIAL = "_serial"
SUBMITTED_AT = "_submitted_at"
DURATION = "_duration"
IP = "_ip"
MISSING = "_missing"
OTHER = "_other"
META_COLUMNS = (SERIAL, SUBMITTED_AT, DURATION, IP, MISSING, OTHER)


def build_frame(
    questions: Sequence[Question],
    records: Iterable[Mapping[str, Any] | Any],
    *,
    ids: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Build the frame that validity and analysis read.

    A record is a mapping (or an object with `to_record()`) with `answers`, `missing` and
    optionally `other_text`, `serial`, `submitted_at`, `duration_seconds`, `ip`, `id`.
    Choice items become float columns of 0-based option indexes (NaN when unanswered); a
    multi-select question a column of index lists; text and number questions their values.
    """
    rows = [r.to_record() if hasattr(r, "to_record") else r for r in records]
    items = iter_items(questions)
    data: dict[str, Any] = {}
    answers = [r.get("answers") or {} for r in rows]
    for item in items:
        if item.row is None:
            values = [a.get(item.question_key) for a in answers]
        else:
            values = [_row_value(a.get(item.question_key), item.row) for a in answers]
        data[item.column] = np.array([_index(v) for v in values], dtype=float)
    for q in questions:
        if q.type in ("multiple", "text", "number"):
            data[item_column(q.key)] = _object_array([a.get(q.key) for a in answers])
    data[SERIAL] = _object_array([r.get("serial") for r in rows])
    # A plain array, not a Series: a Series would be aligned on its own index below.
    data[SUBMITTED_AT] = pd.to_datetime(
        pd.Series([r.get("submitted_at") for r in rows], dtype=object)
    ).to_numpy()
    data[DURATION] = np.array(
        [np.nan if r.get("duration_seconds") is None else r["duration_seconds"] for r in rows],
        dtype=float,
    )
    data[IP] = _object_array([r.get("ip") for r in rows])
    data[MISSING] = _object_array([r.get("missing") or {} for r in rows])
    data[OTHER] = _object_array([r.get("other_text") or {} for r in rows])
    if ids is None:
        ids = [r.get("id", i) for i, r in enumerate(rows)]
    return pd.DataFrame(data, index=pd.Index(list(ids)))


def _index(value: Any) -> float:
    """An option index as float; anything that is not an int (None, bad data) is NaN."""
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else np.nan


def _row_value(answer: Any, row: str) -> Any:
    return answer.get(row) if isinstance(answer, Mapping) else None


def _object_array(values: list[Any]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        array[i] = value
    return array


def item_matrix(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """The float option-index matrix (rows × items) of the given item columns; NaN = unanswered."""
    if not columns:
        return np.empty((len(frame), 0))
    return frame.loc[:, list(columns)].to_numpy(dtype=float)
