"""Sample size: Z²·p(1−p)/e² with finite-population correction, rounded up."""

import pytest

from workbench.surveys.statistics.sampling import sample_size, z_for


@pytest.mark.parametrize(("population", "expected"), [(None, 385), (10_000, 370), (1_000, 278)])
def test_domain_figures_at_95_percent(population, expected):
    assert (
        sample_size(confidence=0.95, margin=0.05, proportion=0.5, population=population) == expected
    )
    assert sample_size(z=1.96, population=population) == expected


def test_other_settings():
    # 99 %: Z 2.5758, n = 2.5758²·0.25/0.0025 = 663.49 → 664
    assert sample_size(confidence=0.99) == 664
    # ±3 %: 1.96²·0.25/0.0009 = 1067.1 → 1068
    assert sample_size(margin=0.03, z=1.96) == 1068
    # p = 0.8: 1.96²·0.16/0.0025 = 245.9 → 246
    assert sample_size(proportion=0.8, z=1.96) == 246
    # a tiny population never needs more than itself
    assert sample_size(population=50) == 45
    assert sample_size(population=1) == 1


def test_z_from_confidence():
    assert z_for(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_for(0.90) == pytest.approx(1.644854, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"confidence": 1.2}, "置信水平"),
        ({"margin": 0}, "允许误差"),
        ({"proportion": 1.5}, "预估比例"),
        ({"population": 0}, "总体数量"),
    ],
)
def test_invalid_inputs_are_refused_in_chinese(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sample_size(**kwargs)
