"""Inputs of a leaf's score that live in other domains: findings, expert scores, survey metrics.

A domain registers a provider in its `sources.py` (discovered like gates.py):

    @provider
    def findings(db, engagement) -> dict[int, dict]:
        return {indicator_id: {"deductions": [Decimal("0.5")], "findings": [...]}}

The returned dicts hold `Leaf` override fields (deductions, elements, expert_scores, actual_value,
qualitative) plus free keys (e.g. "findings": [{text, paper_index, paper_id}]) that pages and the report
show beside the score. Providers are merged in registration order.

The leaf page needs one leaf's inputs only; a provider may register a cheaper variant for that:

    @leaf_provider(findings)
    def findings_of(db, engagement, indicator) -> dict:
        return {"deductions": [...], "findings": [...]}   # findings(db, engagement)[indicator.id]

It must return exactly what the whole provider gives that leaf ({} for none); providers without
one are run whole and the leaf's entry is taken (correct, only slower).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Provider = Callable[[Any, Any], dict[int, dict]]
LeafProvider = Callable[[Any, Any, Any], dict]
PROVIDERS: list[Provider] = []
# Whole provider → its one-leaf variant (keyed by the function, so tests that swap PROVIDERS for
# a list with extra providers still find the variants of the registered ones).
LEAF_PROVIDERS: dict[Provider, LeafProvider] = {}


def provider(fn: Provider) -> Provider:
    if fn not in PROVIDERS:
        PROVIDERS.append(fn)
    return fn


def leaf_provider(whole: Provider) -> Callable[[LeafProvider], LeafProvider]:
    """Register `fn(db, engagement, indicator)` as the one-leaf variant of the provider `whole`."""

    def decorate(fn: LeafProvider) -> LeafProvider:
        LEAF_PROVIDERS[whole] = fn
        return fn

    return decorate


def _merge(target: dict, values: dict) -> None:
    for key, value in values.items():
        if isinstance(value, list) and isinstance(target.get(key), list):
            target[key] = target[key] + value
        else:
            target[key] = value


def collect(db: Any, engagement: Any) -> dict[int, dict]:
    """Every provider's contributions, per indicator id (lists are concatenated)."""
    merged: dict[int, dict] = {}
    for fn in PROVIDERS:
        for indicator_id, values in fn(db, engagement).items():
            _merge(merged.setdefault(indicator_id, {}), values)
    return merged


def collect_one(db: Any, engagement: Any, indicator: Any) -> dict:
    """What `collect` gives one leaf, through the providers' one-leaf variants where they exist."""
    merged: dict = {}
    for fn in PROVIDERS:
        one = LEAF_PROVIDERS.get(fn)
        values = one(db, engagement, indicator) if one else fn(db, engagement).get(indicator.id)
        _merge(merged, values or {})
    return merged
