"""The provider registry: one leaf's inputs equal its entry of the whole collection (pure)."""

from decimal import Decimal

from workbench.scoring import sources
from workbench.scoring.sources import NO_INPUTS, LeafInputs


def _findings(db, engagement):
    return {
        1: LeafInputs(deductions=(Decimal("0.5"),), findings=({"text": "a"},)),
        2: LeafInputs(findings=({"text": "b"},)),
    }


def _more_findings(db, engagement):
    return {1: LeafInputs(deductions=(Decimal(1),), actual_value=Decimal("0.9"))}


def _more_findings_of(db, engagement, indicator):
    return _more_findings(db, engagement).get(indicator.id, NO_INPUTS)


def test_collect_one_merges_like_collect_with_and_without_leaf_variants(monkeypatch):
    monkeypatch.setattr(sources, "PROVIDERS", [_findings, _more_findings])
    monkeypatch.setattr(sources, "LEAF_PROVIDERS", {})
    sources.leaf_provider(_more_findings)(_more_findings_of)
    assert {_more_findings: _more_findings_of} == sources.LEAF_PROVIDERS
    whole = sources.collect(None, None)
    for leaf_id in (1, 2, 3):
        leaf = type("Leaf", (), {"id": leaf_id})()
        assert sources.collect_one(None, None, leaf) == whole.get(leaf_id, NO_INPUTS)
    assert whole[1].deductions == (Decimal("0.5"), Decimal(1))  # sequences are concatenated
    assert whole[1].findings == ({"text": "a"},) and whole[1].actual_value == Decimal("0.9")
    assert whole[1].overridden() == ["deductions", "actual_value"]
    assert whole[2].notes() == {"findings": [{"text": "b"}]} and not NO_INPUTS


def test_a_later_single_value_replaces_an_earlier_one():
    first = LeafInputs(actual_value=Decimal("0.8"), survey={"title": "甲"})
    later = LeafInputs(actual_value=Decimal("0.9"), qualitative=("达成", None))
    merged = first.merged(later)
    assert merged == LeafInputs(
        actual_value=Decimal("0.9"), qualitative=("达成", None), survey={"title": "甲"}
    )
    assert first.merged(NO_INPUTS) is first
