"""Property tests: the parsers fail only with ParamError; a score always lies in [0, weight]."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.scoring.calculator import Leaf, score_leaf
from workbench.scoring.params import RULES, ParamError, format_params, parse_params, parse_value

TOKENS = [
    "0", "1", "2", "5", "9", "60", "95", "100", ".", "%", "％", "/", ":", "：", ";", "；", ",", "，",
    "=", "＝", ">", "<", ">=", "<=", "≥", "≤", "-", " ", "else", "floor", "per", "deduct", "zero",
    "agg", "method", "trimmed", "median", "mean", "ratio", "linear", "bands", "达成", "部分达成",
    "未达成", "万元", "天", "以上", "以内", "不低于", "e", "E", "NaN", "inf", "１", "０", "9" * 40,
    "0." + "0" * 30 + "1",
]  # fmt: skip
junk = st.one_of(st.text(max_size=40), st.lists(st.sampled_from(TOKENS), max_size=14).map("".join))
rules = st.sampled_from(sorted(RULES))


@settings(max_examples=400, deadline=None, database=None)
@given(rule=rules, text=junk)
def test_parse_params_fails_only_with_param_error(rule, text):
    try:
        parsed = parse_params(rule, text)
    except ParamError as exc:
        assert exc.message
        return
    # Whatever parses has a canonical text that parses back to the same parameters.
    assert parse_params(rule, format_params(parsed)) == parsed


@settings(max_examples=300, deadline=None, database=None)
@given(text=junk)
def test_parse_value_fails_only_with_param_error(text):
    try:
        parsed = parse_value(text)
    except ParamError:
        return
    assert isinstance(parsed.value, Decimal)
    assert parsed.op in (None, ">=", ">", "<=", "<", "=")


weights = st.decimals(min_value="0.5", max_value="30", places=2)
fractions = st.decimals(min_value=0, max_value=1, places=3)
values = st.decimals(min_value="-5", max_value="300", places=3)
rates = st.decimals(min_value=0, max_value="1.5", places=4)


def _pct(value: Decimal) -> str:
    return f"{value * 100}%"


@st.composite
def leaves(draw) -> Leaf:
    rule = draw(rules)
    weight = draw(weights)
    target = actual = score = None
    params = ""
    if rule in ("ratio", "inverse_ratio"):
        params = draw(st.sampled_from(["", f"floor={_pct(draw(fractions))}"]))
        target, actual = str(draw(values)), str(draw(values))
    elif rule == "linear":
        per = draw(st.decimals(min_value="0.001", max_value=10, places=3))
        deduct = draw(st.decimals(min_value="0.001", max_value=1, places=3))
        params = f"per={per}; deduct={deduct}"
        if draw(st.booleans()):
            params += f"; zero={draw(values)}"
        op = draw(st.sampled_from(["", "≥", "≤"]))
        target, actual = f"{op}{draw(values)}", str(draw(values))
    elif rule == "bands":
        ops = st.sampled_from([">=", ">", "<=", "<"])
        bands = draw(st.lists(st.tuples(ops, values, fractions), min_size=1, max_size=4))
        params = "; ".join(f"{op}{bound}:{fraction}" for op, bound, fraction in bands)
        params += f"; else:{draw(fractions)}"
        actual = str(draw(values))
    elif rule == "elements":
        count = draw(st.integers(min_value=1, max_value=6))
        mets = draw(st.lists(fractions, min_size=count, max_size=count))
        params = "; ".join(f"1/{count}:{met}" for met in mets)
    elif rule == "qualitative":
        params = draw(st.sampled_from(["达成", "部分达成:0.65", "未达成:0.2", "达成:0.8", ""]))
        actual = "部分达成"
    elif rule == "deduction":
        points = draw(st.lists(st.decimals(min_value=0, max_value=50, places=1), max_size=5))
        params = "; ".join(str(point) for point in points)
    elif rule == "boolean":
        actual = draw(st.sampled_from(["是", "否", "Y", "N", "1", "0"]))
    elif rule == "satisfaction":
        params = draw(st.sampled_from(["method=ratio", "method=linear;per=1%;deduct=5%",
                                       "method=bands;>=90%:1;>=80%:0.8;else:0"]))  # fmt: skip
        target, actual = _pct(draw(rates)), _pct(draw(rates))
    elif rule == "expert":
        scores = draw(st.lists(st.decimals(min_value=0, max_value=weight, places=2), max_size=15))
        agg = draw(st.sampled_from(["mean", "trimmed", "median"]))
        params = "; ".join([*(str(s) for s in scores), f"agg={agg}"])
    else:
        score = draw(st.decimals(min_value=0, max_value=weight, places=3))
    return Leaf(("一级", "二级", "三级"), weight, rule=rule, params=params, target=target,
                actual=actual, score=score)  # fmt: skip


@settings(max_examples=600, deadline=None, database=None)
@given(leaf=leaves())
def test_score_always_within_weight(leaf):
    result = score_leaf(leaf)
    if result.error:
        assert result.score is None
        assert result.error_field in ("rule", "params", "target", "actual", "score", "weight")
        return
    assert Decimal(0) <= result.score <= leaf.weight
    assert result.score == result.score.quantize(Decimal("0.01"))
    assert result.explanation.endswith(f"{result.score:.2f}") or "变异系数" in result.explanation


@settings(max_examples=300, deadline=None, database=None)
@given(
    rule=st.one_of(rules, junk),
    params=junk,
    target=st.one_of(st.none(), junk),
    actual=st.one_of(st.none(), junk),
    weight=st.one_of(
        st.decimals(min_value="-10", max_value="1e6", places=2), st.just(Decimal("1e40"))
    ),
)
def test_score_leaf_never_raises(rule, params, target, actual, weight):
    leaf = Leaf(("a", "b", "c"), weight, rule=rule, params=params, target=target, actual=actual)
    result = score_leaf(leaf)
    assert (result.score is None) == (result.error is not None)
    if result.score is not None:
        assert 0 <= result.score <= weight
