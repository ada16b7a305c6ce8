"""Inputs of a leaf's score that live in other domains: findings, expert scores, survey metrics
(pure: the providers that read the database live in the domains).

A domain registers a provider in its `sources.py` (discovered like gates.py):

    @provider
    def findings(db, engagement) -> dict[int, LeafInputs]:
        return {indicator_id: LeafInputs(deductions=(Decimal("0.5"),), findings=(...,))}

`LeafInputs` holds the `Leaf` fields a provider may override (deductions, elements,
expert_scores, actual_value, qualitative) and what pages and the report show beside the score
(the working papers' findings, the linked survey's figure). Providers are merged in registration
order: sequences are concatenated, a single value given later replaces an earlier one.

The leaf page needs one leaf's inputs only; a provider may register a cheaper variant for that:

    @leaf_provider(findings)
    def findings_of(db, engagement, indicator) -> LeafInputs:
        return findings(db, engagement).get(indicator.id, NO_INPUTS)

It must return exactly what the whole provider gives that leaf (NO_INPUTS for none); providers
without one are run whole and the leaf's entry is taken (correct, only slower).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any

# The Leaf fields a provider may override, in the order the scoring page names them.
OVERRIDES = ("deductions", "elements", "expert_scores", "actual_value", "qualitative")
_SEQUENCES = ("deductions", "elements", "expert_scores", "findings")


@dataclass(frozen=True)
class LeafInputs:
    """What other domains give one leaf: Leaf overrides (None: not given) and notes beside it."""

    deductions: tuple[Decimal, ...] | None = None
    elements: tuple[tuple[Decimal, Decimal | None], ...] | None = None
    expert_scores: tuple[Decimal, ...] | None = None
    actual_value: Decimal | None = None
    qualitative: tuple[str, Decimal | None] | None = None
    # Working papers' findings: {finding_id, text, kind, paper_index, paper_id, amount, ...}.
    findings: tuple[dict[str, Any], ...] = ()
    # The linked survey's figure: {title, metric, n, value, summary}.
    survey: dict[str, Any] | None = None

    def __bool__(self) -> bool:
        return self != NO_INPUTS

    def merged(self, later: LeafInputs) -> LeafInputs:
        """These inputs with a later provider's: sequences concatenated, single values replaced."""
        changes: dict[str, Any] = {}
        for spec in fields(self):
            mine, theirs = getattr(self, spec.name), getattr(later, spec.name)
            if theirs is None or theirs == ():
                continue
            if spec.name in _SEQUENCES and mine:
                changes[spec.name] = mine + theirs
            else:
                changes[spec.name] = theirs
        return replace(self, **changes) if changes else self

    def overridden(self) -> list[str]:
        """The Leaf fields these inputs override, in `OVERRIDES` order."""
        return [name for name in OVERRIDES if getattr(self, name) is not None]

    def notes(self) -> dict[str, Any]:
        """What the scoring page shows beside the score: findings, then the survey's figure."""
        found: dict[str, Any] = {}
        if self.findings:
            found["findings"] = list(self.findings)
        if self.survey is not None:
            found["survey"] = self.survey
        return found


NO_INPUTS = LeafInputs()
Provider = Callable[[Any, Any], dict[int, LeafInputs]]
LeafProvider = Callable[[Any, Any, Any], LeafInputs]
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


def collect(db: Any, engagement: Any) -> dict[int, LeafInputs]:
    """Every provider's contributions, per indicator id (sequences are concatenated)."""
    merged: dict[int, LeafInputs] = {}
    for fn in PROVIDERS:
        for indicator_id, values in fn(db, engagement).items():
            merged[indicator_id] = merged.get(indicator_id, NO_INPUTS).merged(values)
    return merged


def collect_one(db: Any, engagement: Any, indicator: Any) -> LeafInputs:
    """What `collect` gives one leaf, through the providers' one-leaf variants where they exist."""
    merged = NO_INPUTS
    for fn in PROVIDERS:
        one = LEAF_PROVIDERS.get(fn)
        values = one(db, engagement, indicator) if one else fn(db, engagement).get(indicator.id)
        merged = merged.merged(values or NO_INPUTS)
    return merged
