"""The provider registry: one leaf's inputs equal its entry of the whole collection (pure)."""

from decimal import Decimal

from workbench.scoring import sources


def _findings(db, engagement):
    return {1: {"deductions": [Decimal("0.5")], "findings": ["a"]}, 2: {"findings": ["b"]}}


def _more_findings(db, engagement):
    return {1: {"deductions": [Decimal(1)], "来源": "底稿"}}


def _more_findings_of(db, engagement, indicator):
    return _more_findings(db, engagement).get(indicator.id, {})


def test_collect_one_merges_like_collect_with_and_without_leaf_variants(monkeypatch):
    monkeypatch.setattr(sources, "PROVIDERS", [_findings, _more_findings])
    monkeypatch.setattr(sources, "LEAF_PROVIDERS", {})
    sources.leaf_provider(_more_findings)(_more_findings_of)
    assert {_more_findings: _more_findings_of} == sources.LEAF_PROVIDERS
    whole = sources.collect(None, None)
    for leaf_id in (1, 2, 3):
        leaf = type("Leaf", (), {"id": leaf_id})()
        assert sources.collect_one(None, None, leaf) == whole.get(leaf_id, {})
    assert whole[1]["deductions"] == [Decimal("0.5"), Decimal(1)]  # lists are concatenated
