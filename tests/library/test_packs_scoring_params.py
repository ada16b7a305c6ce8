"""Every shipped pack's suggested rule and parameters are accepted by the scoring engine."""

from workbench.library.packs import default_library_root, flatten, load_all
from workbench.scoring.params import normalise_rule, parse_params


def test_every_pack_leaf_parses_with_the_scoring_engine():
    count = 0
    for pack in load_all(default_library_root()):
        for entry in flatten(pack):
            parse_params(normalise_rule(entry.indicator.rule), entry.indicator.params or "")
            count += 1
    assert count >= 4 * 10 + 10 * 15
