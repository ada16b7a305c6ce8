"""The 参数 column: every rule's syntax, Chinese names, full-width input and errors."""

from decimal import Decimal

import pytest

from workbench.scoring.params import (
    DEFAULT_LEVELS,
    RULES,
    Band,
    BandsParams,
    DeductionParams,
    ElementsParams,
    ExpertParams,
    LinearParams,
    NoParams,
    ParamError,
    QualitativeLevel,
    QualitativeParams,
    RatioParams,
    SatisfactionParams,
    format_params,
    normalise_rule,
    parse_params,
)

D = Decimal


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("ratio", "ratio"),
        ("正向比率", "ratio"),
        ("Ratio", "ratio"),
        ("反向比率", "inverse_ratio"),
        ("inverse_ratio", "inverse_ratio"),
        ("线性扣减", "linear"),
        ("分档", "bands"),
        ("要素", "elements"),
        ("要素计分", "elements"),
        ("定性", "qualitative"),
        ("定性分档", "qualitative"),
        ("扣分", "deduction"),
        ("是否", "boolean"),
        ("满意度", "satisfaction"),
        ("专家", "expert"),
        ("专家打分", "expert"),
        ("手工", "manual"),
        (" 手 工 ", "manual"),
    ],
)
def test_normalise_rule(text, key):
    assert normalise_rule(text) == key


def test_every_rule_has_a_chinese_name():
    assert set(RULES) == {
        "ratio", "inverse_ratio", "linear", "bands", "elements", "qualitative",
        "deduction", "boolean", "satisfaction", "expert", "manual",
    }  # fmt: skip
    for key, name in RULES.items():
        assert normalise_rule(name) == key


def test_unknown_rule_lists_the_known_ones():
    with pytest.raises(ParamError) as info:
        normalise_rule("加权")
    assert "未知的评分规则“加权”" in info.value.message
    assert "正向比率(ratio)" in info.value.message
    assert info.value.field == "rule"


def test_ratio_params():
    assert parse_params("ratio", "") == RatioParams()
    assert parse_params("ratio", None) == RatioParams()
    assert parse_params("ratio", "floor=60%") == RatioParams(floor=D("0.6"))
    assert parse_params("inverse_ratio", "floor = 0.6") == RatioParams(floor=D("0.6"))
    assert parse_params("ratio", "下限＝60％") == RatioParams(floor=D("0.6"))


def test_linear_params_with_full_width_separators():
    expected = LinearParams(per=D("0.01"), deduct=D("0.05"), zero=D("0.8"))
    assert parse_params("linear", "per=1%; deduct=5%; zero=80%") == expected
    assert parse_params("linear", "per＝1％；deduct＝5％；zero＝80％") == expected
    assert parse_params("linear", "per=0.01;deduct=0.05;zero=0.8") == expected
    assert parse_params("linear", "per=1%，deduct=5%，zero=80%") == expected
    assert parse_params("linear", "per=1%;deduct=5%") == LinearParams(D("0.01"), D("0.05"))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("per=1%", "须填写参数 deduct"),
        ("deduct=5%", "须填写参数 per"),
        ("per=0; deduct=5%", "必须大于0"),
        ("per=1%; deduct=150%", "应在0到1之间"),
        ("per=1%; deduct=0", "不能为0"),
        ("per=1%; deduct=5%; step=2", "不认识参数“step=2”"),
        ("per=1%; per=2%; deduct=5%", "重复"),
        ("per=; deduct=5%", "没有填写数值"),
        ("per=abc; deduct=5%", "不是有效的数字"),
        ("per=1%; deduct", "不认识参数“deduct”"),
    ],
)
def test_linear_param_errors(text, fragment):
    with pytest.raises(ParamError) as info:
        parse_params("linear", text)
    assert fragment in info.value.message
    assert info.value.field == "params"


def test_bands_params():
    parsed = parse_params("bands", ">=95%:1; >=90%:0.8; >=80%:0.6; else:0")
    assert parsed == BandsParams(
        bands=(Band(">=", D("0.95"), D(1)), Band(">=", D("0.9"), D("0.8")),
               Band(">=", D("0.8"), D("0.6"))),
        otherwise=D(0),
    )  # fmt: skip
    assert parse_params("bands", "≥95%：1；≥90%：0.8") == BandsParams(
        bands=(Band(">=", D("0.95"), D(1)), Band(">=", D("0.9"), D("0.8")))
    )
    assert parse_params("bands", "<3:1; <=5:0.5; >10:0").bands[1] == Band("<=", D(5), D("0.5"))
    assert parse_params("bands", ">=52,000:1; else:0").bands[0].bound == D(52000)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "至少需要一档"),
        ("else:0", "至少需要一档"),
        ("95%:1", "缺少比较符号"),
        (">=95%", "格式应为"),
        (">=95%:1.5", "应在0到1之间"),
        ("else:0; >=90%:1", "else 必须是最后一档"),
        (">=90%:1; else:0; else:0.5", "重复"),
        (">=abc:1", "不是有效的数字"),
    ],
)
def test_bands_param_errors(text, fragment):
    with pytest.raises(ParamError) as info:
        parse_params("bands", text)
    assert fragment in info.value.message


def test_elements_params():
    third = D(1) / D(3)
    assert parse_params("elements", "1/3:1; 1/3:0.5; 1/3:0") == ElementsParams(
        items=((third, D(1)), (third, D("0.5")), (third, D(0)))
    )
    assert parse_params("elements", "10%:1;80%:0.4066;10%:0.5").items[1] == (D("0.8"), D("0.4066"))
    # Shares alone describe the 评价要点 before anyone has judged them.
    assert parse_params("elements", "1/4;1/4;1/4;1/4").items[0] == (D("0.25"), None)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1/2:1; 1/3:1", "之和应为1"),
        ("60%:1; 60%:1", "之和应为1"),
        ("1/2:1.5; 1/2:1", "应在0到1之间"),
        ("1/2:-0.5; 1/2:1", "应在0到1之间"),
        ("0:1; 1:1", "必须大于0"),
        ("", "须列出各评价要点"),
        ("33.3%:1; 33.3%:1; 33.3%:1", "当前为99.9%"),
    ],
)
def test_elements_param_errors(text, fragment):
    with pytest.raises(ParamError) as info:
        parse_params("elements", text)
    assert fragment in info.value.message


def test_qualitative_params():
    assert parse_params("qualitative", "部分达成:0.7") == QualitativeParams("部分达成", D("0.7"))
    assert parse_params("qualitative", "达成") == QualitativeParams("达成", None)
    assert parse_params("qualitative", "") == QualitativeParams()
    assert parse_params("qualitative", "未达成：0.3") == QualitativeParams("未达成", D("0.3"))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("部分达成:0.8", "[0.6, 0.8)"),
        ("达成:0.7", "[0.8, 1]"),
        ("未达成:0.6", "[0, 0.6)"),
        ("优秀", "未知的定性等级“优秀”"),
        ("达成; 部分达成", "只填一个等级"),
    ],
)
def test_qualitative_param_errors(text, fragment):
    with pytest.raises(ParamError) as info:
        parse_params("qualitative", text)
    assert fragment in info.value.message


def test_qualitative_levels_are_configurable():
    half = (
        QualitativeLevel("达成", D("0.8"), D(1), True, D(1)),
        QualitativeLevel("基本达成", D("0.5"), D("0.8"), False, D("0.6")),
        QualitativeLevel("未达成", D(0), D("0.5"), False, D(0)),
    )
    assert parse_params("qualitative", "基本达成:0.5", half) == QualitativeParams(
        "基本达成", D("0.5")
    )
    with pytest.raises(ParamError):
        parse_params("qualitative", "部分达成:0.7", half)
    assert DEFAULT_LEVELS[1].name == "部分达成"


def test_deduction_params():
    assert parse_params("deduction", "0.5; 1") == DeductionParams((D("0.5"), D(1)))
    assert parse_params("deduction", "") == DeductionParams(())
    with pytest.raises(ParamError, match="不能为负数"):
        parse_params("deduction", "-1")


def test_expert_params():
    assert parse_params("expert", "4; 4.5; 3.5; 5; 4; agg=trimmed") == ExpertParams(
        scores=(D(4), D("4.5"), D("3.5"), D(5), D(4)), agg="trimmed"
    )
    assert parse_params("expert", "3;4").agg == "mean"
    assert parse_params("expert", "3;4;汇总=中位数").agg == "median"
    assert parse_params("expert", "agg=trimmed") == ExpertParams((), "trimmed")
    with pytest.raises(ParamError, match="mean、trimmed 或 median"):
        parse_params("expert", "3;4;agg=max")
    with pytest.raises(ParamError, match="不是百分比"):
        parse_params("expert", "90%")
    with pytest.raises(ParamError, match="不能为负数"):
        parse_params("expert", "-1; 3")


def test_satisfaction_params():
    assert parse_params("satisfaction", "method=linear; per=1%; deduct=5%") == SatisfactionParams(
        "linear", LinearParams(D("0.01"), D("0.05"))
    )
    assert parse_params("satisfaction", "method=ratio") == SatisfactionParams(
        "ratio", RatioParams()
    )
    assert parse_params("satisfaction", "") == SatisfactionParams("ratio", RatioParams())
    # Without method= the items say which method is meant.
    assert parse_params("satisfaction", "per=1%;deduct=5%").method == "linear"
    assert parse_params("satisfaction", ">=90%:1;else:0.5").method == "bands"
    with pytest.raises(ParamError, match="ratio、linear 或 bands"):
        parse_params("satisfaction", "method=mean")
    with pytest.raises(ParamError, match="须填写参数"):
        parse_params("satisfaction", "method=linear; per=1%")


@pytest.mark.parametrize("rule", ["boolean", "manual"])
def test_rules_without_params(rule):
    assert parse_params(rule, "") == NoParams()
    with pytest.raises(ParamError, match="不需要参数"):
        parse_params(rule, "floor=60%")


def test_ratio_refuses_other_keys():
    with pytest.raises(ParamError, match="不认识参数“per=1%”"):
        parse_params("ratio", "per=1%")
    with pytest.raises(ParamError, match="应在0到1之间"):
        parse_params("ratio", "floor=160%")


@pytest.mark.parametrize(
    ("rule", "text", "canonical"),
    [
        ("ratio", "floor=0.6", "floor=60%"),
        ("ratio", "", ""),
        ("linear", "per＝1％；deduct=0.05；zero=0.8", "per=1%; deduct=5%; zero=80%"),
        ("bands", ">=200:1;>=180:0.8;else:0", ">=200:1; >=180:0.8; else:0"),
        ("bands", "≥95%:1", ">=95%:1"),
        ("elements", "1/3:1;1/3:0.5;1/3:0", "1/3:1; 1/3:0.5; 1/3:0"),
        ("elements", "0.2:1;0.6:0.5;0.2:1", "20%:1; 60%:0.5; 20%:1"),
        ("elements", "1/4;3/4", "25%; 75%"),
        ("qualitative", "部分达成：0.70", "部分达成:0.7"),
        ("deduction", "0.50;1", "0.5; 1"),
        ("expert", "2.5;3;2;2.8;2.6;agg=trimmed", "2.5; 3; 2; 2.8; 2.6; agg=trimmed"),
        ("expert", "3;4;agg=mean", "3; 4"),
        ("satisfaction", "", "method=ratio"),
        ("satisfaction", "per=1%;deduct=5%", "method=linear; per=1%; deduct=5%"),
        ("boolean", "", ""),
    ],
)
def test_format_params_is_canonical_and_round_trips(rule, text, canonical):
    parsed = parse_params(rule, text)
    assert format_params(parsed) == canonical
    assert parse_params(rule, canonical) == parsed
