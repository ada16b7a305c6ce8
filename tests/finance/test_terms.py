"""Contract terms (pure): defaults, validation, the release table at every band edge."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.finance import terms as t
from workbench.finance.terms import Band, Instalment, InstalmentEvent

D = Decimal


def test_defaults_are_the_documented_firm_defaults():
    terms = t.default_terms()
    assert [(i.event, i.percent) for i in terms.instalments] == [
        ("signing", D(30)),
        ("report_approved", D(60)),
        ("deposit_release", D(10)),
    ]
    assert terms.deposit_rate == D(10)
    assert [(b.min_score, b.fraction) for b in terms.bands] == [
        (D(90), D(1)),
        (D(80), D("0.8")),
        (D(60), D("0.5")),
        (D(0), D(0)),
    ]
    assert terms.release_days == 30
    assert t.terms_problems(terms) == []


@pytest.mark.parametrize(
    ("score", "fraction", "release"),
    [
        ("100", "1", "48000.00"),
        ("90", "1", "48000.00"),
        ("90.00", "1", "48000.00"),
        ("89.99", "0.8", "38400.00"),
        ("80", "0.8", "38400.00"),
        ("79.99", "0.5", "24000.00"),
        ("60", "0.5", "24000.00"),
        ("59.99", "0", "0.00"),
        ("0", "0", "0.00"),
    ],
)
def test_release_at_every_edge_of_the_default_table(score, fraction, release):
    deposit = t.deposit_amount(D("480000.00"), D(10))
    assert deposit == D("48000.00")
    got = t.release_fraction(D(score), t.DEFAULT_BANDS)
    assert got == D(fraction)
    assert t.release_amount(deposit, got) == D(release)


def test_release_amount_rounds_half_up_to_the_cent():
    # 12,345.67 × 10% = 1,234.567 → 1,234.57; × 0.8 = 987.656 → 987.66 (never banker's rounding)
    deposit = t.deposit_amount(D("12345.67"), D(10))
    assert deposit == D("1234.57")
    assert t.release_amount(deposit, D("0.8")) == D("987.66")
    assert t.release_amount(D("0.05"), D("0.5")) == D("0.03")  # 0.025 → 0.03


def test_a_score_below_every_band_releases_nothing():
    bands = [Band(D(95), D(1)), Band(D(85), D("0.6"))]
    assert t.release_fraction(D("84.99"), bands) == 0
    assert t.release_fraction(D("85"), bands) == D("0.6")


def test_due_date_is_acceptance_plus_days():
    assert t.release_due(date(2026, 12, 15), 30) == date(2027, 1, 14)
    assert t.release_due(date(2028, 2, 1), 28) == date(2028, 2, 29)
    assert t.release_due(date(2026, 6, 1), 0) == date(2026, 6, 1)


def test_instalment_amounts_sum_to_the_fee_with_the_deposit_exact():
    amounts = t.instalment_amounts(D("480000.00"), t.DEFAULT_INSTALMENTS)
    assert amounts == [D("144000.00"), D("288000.00"), D("48000.00")]
    thirds = [
        Instalment(InstalmentEvent.signing, D("33.33")),
        Instalment(InstalmentEvent.report_approved, D("56.67")),
        Instalment(InstalmentEvent.deposit_release, D("10")),
    ]
    amounts = t.instalment_amounts(D("100000.01"), thirds)
    # 33,330.00 + 56,670.01 (rounding cent) + 10,000.00 = 100,000.01; the deposit stays fee × 10%
    assert sum(amounts) == D("100000.01")
    assert amounts[2] == t.deposit_amount(D("100000.01"), D(10)) == D("10000.00")


@given(
    fee=st.decimals(min_value=D("0.01"), max_value=D("99999999.99"), places=2),
    split=st.integers(min_value=1, max_value=89),
)
def test_instalments_always_sum_to_the_fee(fee, split):
    schedule = [
        Instalment(InstalmentEvent.signing, D(split)),
        Instalment(InstalmentEvent.report_approved, D(90 - split)),
        Instalment(InstalmentEvent.deposit_release, D(10)),
    ]
    amounts = t.instalment_amounts(fee, schedule)
    assert sum(amounts) == fee
    assert amounts[2] == t.deposit_amount(fee, D(10))


def _messages(errors):
    return [e["message"] for e in errors]


def test_instalments_must_sum_to_100():
    bad = [Instalment("signing", D(30)), Instalment("deposit_release", D(10))]
    assert _messages(t.instalment_problems(bad, D(10))) == [
        "各期付款比例合计须为 100%，当前合计 40%"
    ]


def test_deposit_instalment_must_equal_the_deposit_rate():
    schedule = [Instalment("signing", D(85)), Instalment("deposit_release", D(15))]
    errors = t.instalment_problems(schedule, D(10))
    assert errors == [
        {
            "field": "instalments",
            "message": "“质量保证金释放”一期的比例（15%）须等于保证金比例（10%）",
        }
    ]
    # No deposit: no deposit instalment either.
    assert t.instalment_problems([Instalment("signing", D(100))], D(0)) == []


def test_instalment_rows_name_row_and_column():
    schedule = [
        Instalment("signing", D(30)),
        Instalment("payday", D(60)),
        Instalment("deposit_release", D(0)),
        Instalment("plan_approved", D("10.005")),
    ]
    errors = t.instalment_problems(schedule, D(10))
    assert [(e["row"], e["column"], e["message"]) for e in errors] == [
        (2, "付款节点", "第 2 期：付款节点无效"),
        (3, "比例", "第 3 期：比例须大于 0 且不超过 100%"),
        (4, "比例", "第 4 期：比例最多保留两位小数"),
    ]
    assert _messages(t.instalment_problems([], D(10))) == ["请至少填写一期付款"]


def test_bands_must_descend_with_fractions_in_0_1():
    bands = [
        Band(D(90), D(1)),
        Band(D(90), D("0.8")),
        Band(D(60), D("1.2")),
        Band(D(120), D("0.5")),
        Band(D(30), D("-0.1")),
        Band(D(10), D("0.12345")),
    ]
    assert _messages(t.band_problems(bands)) == [
        "第 2 档：分数下限须低于上一档（90），请按从高到低填写",
        "第 3 档：释放比例须在 0–100% 之间",
        "第 4 档：分数下限须在 0–100 之间",
        "第 5 档：释放比例须在 0–100% 之间",
        "第 6 档：释放比例最多精确到 0.01%",
    ]
    assert _messages(t.band_problems([])) == ["请至少填写一个分数段"]


def test_rate_and_days_bounds():
    assert _messages(t.rate_problems(D("100.01"))) == ["保证金比例须在 0–100% 之间"]
    assert _messages(t.rate_problems(D("-1"))) == ["保证金比例须在 0–100% 之间"]
    assert _messages(t.rate_problems(D("5.555"))) == ["保证金比例最多保留两位小数"]
    assert t.rate_problems(D("12.5")) == []
    assert _messages(t.days_problems(-1)) == ["释放期限须为 0–3650 天之间的整数"]
    assert t.days_problems(3650) == []


def test_fraction_text_is_short_and_exact():
    assert t.fraction_text(D("0.1")) == "0.10"
    assert t.fraction_text(D("1")) == "1.00"
    assert t.fraction_text(D("0.125")) == "0.125"
    assert t.fraction_text(D("0.8000")) == "0.80"
    assert t.fraction_text(None) is None


def test_terms_json_round_trip_and_defaults_for_missing_keys():
    terms = t.Terms(
        instalments=[Instalment("signing", D("40")), Instalment("report_approved", D("60"))],
        deposit_rate=D("0"),
        bands=[Band(D("85"), D("1")), Band(D("0"), D("0.75"))],
        release_days=45,
    )
    data = t.terms_to_json(terms)
    assert data["deposit_rate"] == "0" and data["bands"][1] == {
        "min_score": "0",
        "fraction": "0.75",
    }
    assert t.terms_from_json(data) == terms
    assert t.terms_from_json({"release_days": 60}).bands == t.DEFAULT_BANDS
    assert t.terms_from_json(None) == t.default_terms()


def test_triggered_events():
    kw = dict(signed=True, plan_done=False, report_approved=False, rated=False)
    assert t.triggered("signing", **kw)
    assert not t.triggered("plan_approved", **kw)
    assert t.triggered("report_approved", **{**kw, "report_approved": True})
    assert not t.triggered("unknown", **kw)
