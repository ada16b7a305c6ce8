"""Every scoring rule at its boundaries, with the explanation of the arithmetic."""

from decimal import Decimal

import pytest

from workbench.scoring import rules
from workbench.scoring.params import (
    Band,
    BandsParams,
    LinearParams,
    ParamError,
    QualitativeLevel,
    RatioParams,
    SatisfactionParams,
    parse_params,
)

D = Decimal
W = D(5)


def ratio(actual, target="1", floor=None, weight=W):
    return rules.score_ratio(
        weight=weight,
        target=D(target),
        actual=D(actual),
        params=RatioParams(D(floor) if floor else None),
    )


class TestRatio:
    def test_exactly_on_target_is_full(self):
        assert ratio("0.95", "0.95").score == D("5.00")

    def test_over_target_is_capped(self):
        result = ratio("1.2", "1")
        assert result.score == D("5.00")
        assert result.raw == D(5)

    def test_proportional_and_rounded_half_up(self):
        result = rules.score_ratio(
            weight=D(4), target=D(3860), actual=D("3702.5"), params=RatioParams()
        )
        assert result.score == D("3.84")
        assert result.explanation == "4 × min(3702.5 ÷ 3860, 1) ≈ 3.8368 → 3.84"

    def test_zero_actual(self):
        assert ratio("0").score == D("0.00")

    def test_floor_boundary(self):
        assert ratio("0.6", "1", floor="0.6").score == D("3.00")  # at the floor: scored
        below = ratio("0.5999", "1", floor="0.6")
        assert below.score == D("0.00")
        assert "低于下限60%" in below.explanation

    def test_target_must_be_positive(self):
        with pytest.raises(ParamError) as info:
            ratio("0.5", "0")
        assert info.value.field == "target"

    def test_percent_display(self):
        result = rules.score_ratio(
            weight=D(6), target=D(1), actual=D("0.985"), params=RatioParams(), percent=True
        )
        assert result.explanation == "6 × min(98.5% ÷ 100%, 1) = 5.91 → 5.91"


class TestInverseRatio:
    def test_on_target_full(self):
        result = rules.score_inverse_ratio(weight=W, target=D(5), actual=D(5), params=RatioParams())
        assert result.score == D("5.00")

    def test_over_target_scaled(self):
        result = rules.score_inverse_ratio(
            weight=D(4), target=D(5), actual=D("5.2"), params=RatioParams()
        )
        assert result.score == D("3.85")
        assert result.explanation == "4 × min(5 ÷ 5.2, 1) ≈ 3.8462 → 3.85"

    def test_better_than_target_capped(self):
        result = rules.score_inverse_ratio(weight=W, target=D(5), actual=D(4), params=RatioParams())
        assert result.score == D("5.00")

    def test_zero_actual_is_best(self):
        result = rules.score_inverse_ratio(weight=W, target=D(3), actual=D(0), params=RatioParams())
        assert result.score == D("5.00")

    def test_floor(self):
        params = RatioParams(floor=D("0.5"))
        result = rules.score_inverse_ratio(weight=W, target=D(5), actual=D(11), params=params)
        assert result.score == D("0.00")


def linear(actual, target="1", per="0.01", deduct="0.05", zero=None, weight=W, **kw):
    params = LinearParams(D(per), D(deduct), D(zero) if zero is not None else None)
    return rules.score_linear(
        weight=weight, target=D(target), actual=D(actual), params=params, **kw
    )


class TestLinear:
    def test_domain_example_is_continuous(self):
        result = linear("0.9335")
        assert result.score == D("3.34")
        assert "5 × (1 − 6.65 × 5%) = 3.3375 → 3.34" in result.explanation

    def test_at_target_full(self):
        assert linear("1").score == D("5.00")

    def test_above_target_full(self):
        assert linear("1.05").score == D("5.00")

    def test_at_zero_line_scores_nothing(self):
        result = linear("0.8", zero="0.8")
        assert result.score == D("0.00")
        assert "零分线" in result.explanation

    def test_just_above_zero_line(self):
        # 19.99 steps of 5% = 99.95% deducted
        assert linear("0.8001", zero="0.8").score == D("0.00")
        assert linear("0.81", zero="0.8").score == D("0.25")

    def test_deduction_reaching_100_percent(self):
        result = linear("0.8")  # 20 steps × 5% = 100%
        assert result.score == D("0.00")
        assert "≥ 100%" in result.explanation
        assert linear("0.5").score == D("0.00")

    def test_lower_is_better(self):
        # target ≤ 3 days, each extra day deducts 10%
        result = linear("4.5", target="3", per="1", deduct="0.1", weight=D(4), lower_is_better=True)
        assert result.score == D("3.40")
        assert linear("2", target="3", per="1", deduct="0.1", lower_is_better=True).score == W
        assert (
            linear("8", target="3", per="1", deduct="0.1", zero="8", lower_is_better=True).score
            == 0
        )

    def test_sample_budget_execution(self):
        result = linear("0.912", zero="0.8", weight=D(6))
        assert result.score == D("3.36")


def bands(actual, text=">=95%:1; >=90%:0.8; >=80%:0.6; else:0", weight=W):
    params = parse_params("bands", text)
    return rules.score_bands(weight=weight, actual=D(actual), params=params)


class TestBands:
    def test_on_band_edges(self):
        assert bands("0.95").score == D("5.00")
        assert bands("0.9499").score == D("4.00")
        assert bands("0.90").score == D("4.00")
        assert bands("0.80").score == D("3.00")
        assert bands("0.7999").score == D("0.00")

    def test_strict_operators(self):
        text = ">3:1; >0:0.5; else:0"
        assert bands("3", text).score == D("2.50")
        assert bands("3.01", text).score == D("5.00")
        assert bands("0", text).score == D("0.00")

    def test_lower_bands(self):
        text = "<=3:1; <5:0.5"
        assert bands("3", text).score == D("5.00")
        assert bands("4.99", text).score == D("2.50")
        assert bands("5", text).score == D("0.00")  # no else: 0

    def test_explanation(self):
        result = bands("192", ">=200:1;>=180:0.8;>=160:0.6;else:0", weight=D(6))
        assert result.explanation == "192 ≥ 180，得80%；6 × 0.8 = 4.8 → 4.80"

    def test_else(self):
        result = rules.score_bands(
            weight=W, actual=D(1), params=BandsParams((Band(">=", D(2), D(1)),), D("0.3"))
        )
        assert result.score == D("1.50")
        assert "不在任何分档内" in result.explanation


class TestElements:
    def test_weighted_sum(self):
        items = [(D("0.25"), D(1))] * 3 + [(D("0.25"), D("0.5"))]
        result = rules.score_elements(weight=D(3), items=items)
        assert result.score == D("2.63")  # 2.625 half-up
        assert result.explanation.endswith("= 2.625 → 2.63")

    def test_thirds_are_exact(self):
        third = D(1) / D(3)
        result = rules.score_elements(weight=D(3), items=[(third, D(1))] * 3)
        assert result.score == D("3.00")

    def test_measured_rate_as_met(self):
        items = [(D("0.1"), D(1)), (D("0.8"), D("0.4066")), (D("0.1"), D("0.5"))]
        assert rules.score_elements(weight=D(10), items=items).score == D("4.75")

    def test_shares_not_summing_to_one(self):
        with pytest.raises(ParamError, match="之和应为1"):
            rules.score_elements(weight=W, items=[(D("0.5"), D(1)), (D("0.4"), D(1))])

    @pytest.mark.parametrize("met", ["1.01", "-0.1"])
    def test_met_outside_unit_interval(self, met):
        with pytest.raises(ParamError, match="应在0到1之间"):
            rules.score_elements(weight=W, items=[(D("0.5"), D(met)), (D("0.5"), D(1))])

    def test_unjudged_element(self):
        with pytest.raises(ParamError, match="尚未评定"):
            rules.score_elements(weight=W, items=[(D("0.5"), None), (D("0.5"), D(1))])

    def test_empty(self):
        with pytest.raises(ParamError):
            rules.score_elements(weight=W, items=[])


class TestQualitative:
    @pytest.mark.parametrize(
        ("level", "fraction", "score"),
        [
            ("达成", None, "5.00"),
            ("达成", "0.8", "4.00"),
            ("达成", "1", "5.00"),
            ("部分达成", None, "3.50"),
            ("部分达成", "0.6", "3.00"),
            ("部分达成", "0.79", "3.95"),
            ("未达成", None, "0.00"),
            ("未达成", "0", "0.00"),
            ("未达成", "0.59", "2.95"),
        ],
    )
    def test_level_ranges(self, level, fraction, score):
        result = rules.score_qualitative(
            weight=W, level=level, fraction=D(fraction) if fraction else None
        )
        assert result.score == D(score)

    @pytest.mark.parametrize(
        ("level", "fraction"), [("达成", "0.79"), ("部分达成", "0.8"), ("未达成", "0.6")]
    )
    def test_fraction_outside_level(self, level, fraction):
        with pytest.raises(ParamError, match="得分比例应在"):
            rules.score_qualitative(weight=W, level=level, fraction=D(fraction))

    def test_province_with_half(self):
        levels = (
            QualitativeLevel("达成", D("0.8"), D(1), True, D(1)),
            QualitativeLevel("部分达成", D("0.5"), D("0.8"), False, D("0.6")),
            QualitativeLevel("未达成", D(0), D("0.5"), False, D(0)),
        )
        result = rules.score_qualitative(
            weight=W, level="部分达成", fraction=D("0.5"), levels=levels
        )
        assert result.score == D("2.50")


class TestDeduction:
    def test_subtracts(self):
        result = rules.score_deduction(weight=W, points=[D("0.5"), D("0.5"), D(1)])
        assert result.score == D("3.00")
        assert result.explanation == "5 − 0.5 − 0.5 − 1 = 3 → 3.00"

    def test_exceeding_weight_floors_at_zero(self):
        result = rules.score_deduction(weight=D(2), points=[D(1), D(1), D("0.5")])
        assert result.score == D("0.00")
        assert "低于0按0计" in result.explanation

    def test_no_findings_full(self):
        assert rules.score_deduction(weight=W, points=[]).score == D("5.00")

    def test_negative_refused(self):
        with pytest.raises(ParamError):
            rules.score_deduction(weight=W, points=[D(-1)])


class TestBoolean:
    @pytest.mark.parametrize("token", ["是", "Y", "y", "yes", "1", "true", "TRUE", "√", "有"])
    def test_true(self, token):
        assert rules.parse_boolean(token) is True

    @pytest.mark.parametrize("token", ["否", "N", "no", "0", "false", "×", "无"])
    def test_false(self, token):
        assert rules.parse_boolean(token) is False

    def test_unclear(self):
        with pytest.raises(ParamError) as info:
            rules.parse_boolean("可能")
        assert info.value.field == "actual"

    def test_scores(self):
        assert rules.score_boolean(weight=W, value=True).score == D("5.00")
        assert rules.score_boolean(weight=W, value=False).score == D("0.00")


class TestExpert:
    def test_trimmed_with_five_experts(self):
        scores = [D("2.5"), D(3), D(2), D("2.8"), D("2.6")]
        result = rules.score_expert(weight=D(3), scores=scores, agg="trimmed")
        assert result.score == D("2.63")
        assert "去掉最高3、最低2" in result.explanation
        assert "(2.5 + 2.6 + 2.8) ÷ 3 ≈ 2.6333 → 2.63" in result.explanation

    def test_trimmed_with_four_experts_is_the_mean(self):
        scores = [D(2), D(3), D(4), D(5)]
        result = rules.score_expert(weight=W, scores=scores, agg="trimmed")
        assert result.score == D("3.50")
        assert "不足5位专家" in result.explanation

    def test_mean(self):
        result = rules.score_expert(weight=W, scores=[D(4), D("4.5"), D("3.5")])
        assert result.score == D("4.00")

    def test_median_odd_and_even(self):
        odd = rules.score_expert(weight=W, scores=[D(1), D(5), D(3)], agg="median")
        even = rules.score_expert(weight=W, scores=[D(1), D(5), D(3), D(4)], agg="median")
        assert odd.score == D("3.00")
        assert even.score == D("3.50")

    def test_score_above_weight(self):
        with pytest.raises(ParamError, match="超出范围0–5"):
            rules.score_expert(weight=W, scores=[D(4), D(6)])

    def test_no_scores(self):
        with pytest.raises(ParamError, match="还没有专家打分"):
            rules.score_expert(weight=W, scores=[])

    def test_dispersion(self):
        close = rules.score_expert(weight=W, scores=[D(4), D("4.2"), D("3.8")])
        assert close.dispersion == D("0.05")
        assert close.dispersion_flag is False
        wide = rules.score_expert(weight=W, scores=[D(1), D(5), D(3)])
        assert wide.dispersion.quantize(D("0.0001")) == D("0.6667")  # sd 2 ÷ mean 3
        assert wide.dispersion_flag is True
        assert "分歧较大" in wide.explanation
        single = rules.score_expert(weight=W, scores=[D(4)])
        assert single.dispersion is None

    def test_all_zero_has_no_dispersion(self):
        result = rules.score_expert(weight=W, scores=[D(0), D(0)])
        assert result.dispersion == 0
        assert result.score == D("0.00")

    def test_large_panel_explanation_shows_the_sum(self):
        scores = [D(4)] * 14 + [D(5)]
        result = rules.score_expert(weight=W, scores=scores, agg="trimmed")
        assert result.score == D("4.00")
        assert "合计52 ÷ 13" in result.explanation


class TestManual:
    def test_within_weight(self):
        assert rules.score_manual(weight=D(3), score=D("2.5")).score == D("2.50")

    def test_rounds(self):
        assert rules.score_manual(weight=D(3), score=D("2.555")).score == D("2.56")

    @pytest.mark.parametrize("score", ["3.01", "-0.5"])
    def test_outside_weight(self, score):
        with pytest.raises(ParamError) as info:
            rules.score_manual(weight=D(3), score=D(score))
        assert info.value.field == "score"


class TestSatisfaction:
    def test_linear(self):
        params = SatisfactionParams("linear", LinearParams(D("0.01"), D("0.05")))
        result = rules.score_satisfaction(
            weight=W, actual=D("0.874"), target=D("0.9"), params=params
        )
        assert result.score == D("4.35")
        assert result.explanation.startswith("满意度87.4%：")

    def test_ratio(self):
        params = SatisfactionParams("ratio", RatioParams())
        result = rules.score_satisfaction(
            weight=D(4), actual=D("0.8"), target=D("0.85"), params=params
        )
        assert result.score == D("3.76")

    def test_bands(self):
        params = parse_params("satisfaction", "method=bands; >=90%:1; >=80%:0.8; else:0.5")
        result = rules.score_satisfaction(weight=W, actual=D("0.83"), params=params)
        assert result.score == D("4.00")

    def test_ratio_needs_target(self):
        params = SatisfactionParams("ratio", RatioParams())
        with pytest.raises(ParamError) as info:
            rules.score_satisfaction(weight=W, actual=D("0.9"), params=params)
        assert info.value.field == "target"


def test_weight_must_be_positive():
    with pytest.raises(ParamError) as info:
        rules.score_boolean(weight=D(0), value=True)
    assert info.value.field == "weight"


def test_clamping_note_when_raw_exceeds_weight():
    result = rules.finish(D(2), D("2.5"), "2 × 1.25")
    assert result.score == D("2.00")
    assert result.explanation == "2 × 1.25 = 2.5，超过分值按2计 → 2.00"
