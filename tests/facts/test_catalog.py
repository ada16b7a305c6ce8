"""Facts as shown and typed (pure): 万元 display, input parsing, derived rates, narrative fields."""

from decimal import Decimal

import pytest

from workbench.facts import catalog
from workbench.facts.paper_values import computed
from workbench.fieldwork.spec import fields_from

BUDGET = catalog.BY_KEY["budget"]
RATE = catalog.BY_KEY["execution_rate"]
PEOPLE = catalog.BY_KEY["beneficiaries"]


def test_display_in_the_unit_documents_use():
    assert catalog.display(BUDGET, Decimal("12500000")) == "1,250.00万元"
    assert catalog.display(BUDGET, Decimal("11202000")) == "1,120.20万元"
    assert catalog.display(RATE, Decimal("93.35")) == "93.35%"
    assert catalog.display(PEOPLE, Decimal("50936")) == "50,936人"
    assert catalog.display(BUDGET, None) == ""


def test_input_is_typed_in_the_shown_unit():
    assert catalog.parse_input(BUDGET, "1,250") == Decimal("12500000.00")
    assert catalog.parse_input(BUDGET, "１２５０万元".replace("１２５０", "1250")) == Decimal(
        "12500000.00"
    )
    assert catalog.parse_input(RATE, "96.5%") == Decimal("96.50")
    assert catalog.parse_input(PEOPLE, "") is None
    assert catalog.input_text(BUDGET, Decimal("11202000")) == "1120.2"


def test_an_amount_written_in_yuan_is_read_in_yuan():
    """An amount written with 元 is read in 元 (12,500,000元 was read as 12,500,000万元)."""
    assert catalog.parse_input(BUDGET, "12,500,000元") == Decimal("12500000.00")
    assert catalog.parse_input(BUDGET, "1250万元") == Decimal("12500000.00")


@pytest.mark.parametrize(
    ("fact", "text", "message"),
    [
        (BUDGET, "一千万", "预算资金“一千万”不是有效的数字"),
        (BUDGET, "-5", "预算资金不能为负数"),
        (PEOPLE, "12.5", "实际受益人数应为整数"),
        (RATE, "9600", "预算执行率“9600”超出合理范围（以百分数填写，如 96.5）"),
        (BUDGET, "1e400", "预算资金“1e400”不是有效的数字"),
    ],
)
def test_bad_input_names_the_fact(fact, text, message):
    with pytest.raises(ValueError) as error:
        catalog.parse_input(fact, text)
    assert str(error.value) == message


def test_rates_derive_from_the_amounts_and_prefer_the_adjusted_budget():
    values = {
        "budget": Decimal(12500000),
        "received": Decimal(12000000),
        "spent": Decimal(11202000),
    }
    assert catalog.derive(RATE, values) == Decimal("93.35")
    availability = catalog.BY_KEY["availability_rate"]
    assert catalog.derive(availability, values) == Decimal("96.00")
    assert catalog.derive(availability, values | {"adjusted_budget": Decimal(12000000)}) == 100
    assert catalog.derive(RATE, {"spent": Decimal(1)}) is None


def test_narrative_fields_render_escaped_and_never_execute():
    shown = {"budget": "1,250.00万元", "spent": "<script>"}
    text = "预算资金{{fact:budget}}，支出{{ fact:spent }}，{{fact:units_covered}}，{{ 7*7 }}"
    assert catalog.render_tokens(text, shown) == (
        "预算资金1,250.00万元，支出&lt;script&gt;，【覆盖单位数：未填写】，{{ 7*7 }}"
    )


def test_a_financial_check_paper_computes_totals_and_rates():
    spec = {
        "key": "financial_check",
        "name": "财务核查表",
        "stage": "fieldwork",
        "area": "07",
        "fields": [
            {
                "key": "funds",
                "label": "预算与支出",
                "type": "table",
                "totals": True,
                "columns": [
                    {"key": "budget", "label": "预算数", "type": "money"},
                    {"key": "available", "label": "到位数", "type": "money"},
                    {"key": "spent", "label": "支出数", "type": "money"},
                    {"key": "availability", "label": "到位率", "type": "ratio",
                     "numerator": "available", "denominator": "budget"},
                    {"key": "execution", "label": "执行率", "type": "ratio",
                     "numerator": "spent", "denominator": "available"},
                ],
            }
        ]
    }  # fmt: skip
    rows = [
        {"budget": "8000000", "available": "8000000", "spent": "7600000"},
        {"budget": "4500000", "available": "4000000", "spent": "3602000"},
    ]
    values = {v.fact_key: v.value for v in computed(fields_from(spec), {"funds": rows})}
    assert values == {
        "budget": Decimal(12500000),
        "received": Decimal(12000000),
        "spent": Decimal(11202000),
        "availability_rate": Decimal("96.00"),
        "execution_rate": Decimal("93.35"),
    }


def test_a_department_records_its_staff_structure_and_three_public_expenses():
    project = [f.key for f in catalog.for_type("project")]
    department = [f.key for f in catalog.for_type("department")]
    assert "staff_authorised" not in project and "three_public_spent" not in project
    assert department[len(project) :] == [
        "staff_authorised",
        "staff_actual",
        "internal_units",
        "subordinate_units",
        "basic_expenditure",
        "project_expenditure",
        "three_public_budget",
        "three_public_spent",
    ]
