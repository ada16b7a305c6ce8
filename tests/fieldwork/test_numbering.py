"""Index numbers D-03-02: format, parse, order."""

import pytest

from workbench.engagements.stages import Stage
from workbench.fieldwork.numbering import format_index, parse_index, scheme_rows, sort_key


def test_format_and_parse():
    assert format_index("fieldwork", "03", 2) == "D-03-02"
    assert format_index("survey", "01", 123) == "E-01-123"
    assert parse_index("D-03-02") == (Stage.fieldwork, "03", 2)
    assert scheme_rows()[0] == ("A", "接受委托") and scheme_rows()[-1] == ("J", "归档")


@pytest.mark.parametrize("bad", ["D-3-2", "Z-01-01", "D0301", ""])
def test_parse_refuses(bad):
    with pytest.raises(ValueError, match="不是有效的底稿索引号"):
        parse_index(bad)


@pytest.mark.parametrize(("area", "seq"), [("3", 1), ("00", 1), ("03", 0), ("03", 1000)])
def test_format_refuses(area, seq):
    with pytest.raises(ValueError):
        format_index("fieldwork", area, seq)


def test_sort_key_orders_by_stage_area_then_number():
    numbers = ["E-01-01", "D-01-10", "D-01-09", "D-03-01", "G-01-01", "D-01-100"]
    assert sorted(numbers, key=sort_key) == [
        "D-01-09",
        "D-01-10",
        "D-01-100",
        "D-03-01",
        "E-01-01",
        "G-01-01",
    ]
