"""Inputs of a leaf's score that live in other domains: findings, expert scores, survey metrics.

A domain registers a provider in its `sources.py` (discovered like gates.py):

    @provider
    def findings(db, engagement) -> dict[int, dict]:
        return {indicator_id: {"deductions": [Decimal("0.5")], "findings": [...]}}

The returned dicts hold `Leaf` override fields (deductions, elements, expert_scores, actual_value,
qualitative) plus free keys (e.g. "findings": [{text, paper_index, paper_id}]) that pages and the report
show beside the score. Providers are merged in registration order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Provider = Callable[[Any, Any], dict[int, dict]]
PROVIDERS: list[Provider] = []


def provider(fn: Provider) -> Provider:
    if fn not in PROVIDERS:
        PROVIDERS.append(fn)
    return fn


def collect(db: Any, engagement: Any) -> dict[int, dict]:
    """Every provider's contributions, per indicator id (lists are concatenated)."""
    merged: dict[int, dict] = {}
    for fn in PROVIDERS:
        for indicator_id, values in fn(db, engagement).items():
            target = merged.setdefault(indicator_id, {})
            for key, value in values.items():
                if isinstance(value, list) and isinstance(target.get(key), list):
                    target[key] = target[key] + value
                else:
                    target[key] = value
    return merged
