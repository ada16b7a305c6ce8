"""Distinct values of a column: factorise once, work per distinct value, spread back per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class Distinct:
    """A column split into distinct values (`uniques`) and, per row, the position of its value."""

    positions: np.ndarray
    uniques: list[Any]
    index: pd.Index  # spreadsheet row numbers

    @classmethod
    def of(cls, column: pd.Series) -> Distinct:
        positions, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
        return cls(positions=positions, uniques=list(uniques), index=column.index)

    def take(self, per_unique: Sequence[Any], missing: Any = None) -> np.ndarray:
        """Spread one value per distinct value back over the rows (empty cells get `missing`)."""
        table = np.empty(len(per_unique) + 1, dtype=object)
        table[: len(per_unique)] = list(per_unique)
        table[-1] = missing
        return table[self.positions]

    def counts(self) -> np.ndarray:
        """Number of rows holding each distinct value."""
        return np.bincount(self.positions + 1, minlength=len(self.uniques) + 1)[1:]

    def flagged_rows(self, flags: Sequence[bool]) -> list[tuple[int, int]]:
        """(spreadsheet row, distinct position) of every row whose distinct value is flagged."""
        if not any(flags):
            return []
        table = np.asarray([*flags, False], dtype=bool)
        rows = np.flatnonzero(table[self.positions])
        return [(int(self.index[i]), int(self.positions[i])) for i in rows]

    def subset(self, rows: np.ndarray, index: pd.Index) -> Distinct:
        """Keep only the given row positions, dropping distinct values no kept row uses."""
        positions = self.positions[rows]
        used = np.unique(positions[positions >= 0])
        remap = np.full(len(self.uniques) + 1, -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        return Distinct(remap[positions], [self.uniques[u] for u in used], index)
