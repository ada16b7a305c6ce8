"""The 公开版's personal-data patterns, with plain inputs (issue 13 item 10)."""

from __future__ import annotations

from collections import Counter

import pytest

from workbench.reports import redaction

# A made-up number with a correct check digit (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2).
ID_OK = "11010519491231002X"
ID_BAD_CHECK = "110105194912310021"


def test_id_check_digit() -> None:
    assert redaction.valid_id_number(ID_OK)
    assert redaction.valid_id_number(ID_OK.lower())
    assert not redaction.valid_id_number(ID_BAD_CHECK)
    assert not redaction.valid_id_number("110105194913310028")  # month 13
    assert redaction.valid_id_number("110105491231002")  # 15 digits, born 1949-12-31
    assert not redaction.valid_id_number("110105491331002")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"受访人身份证号{ID_OK}。", "id_number"),
        ("联系电话13812345678。", "mobile"),
        ("手机：138 1234 5678", "mobile"),
        ("手机：138-1234-5678", "mobile"),
        ("电话+86 13812345678", "mobile"),
        ("办公电话0571-87654321", "landline"),
        ("电话（010）62345678转123", "landline"),
        ("电话(0898) 6234567", "landline"),
        ("邮箱 zhang.san@example.com.cn 收", "email"),
    ],
)
def test_personal_data_is_found(text: str, kind: str) -> None:
    found = redaction.find(text)
    assert [f.kind for f in found] == [kind]
    cleaned, counts = redaction.redact(text)
    assert counts == Counter({kind: 1})
    assert found[0].text not in cleaned
    assert redaction.REPLACEMENTS[kind] in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "预算资金3,860.00万元，实际到位3,702.50万元，执行率93.35%。",
        "支付金额13800000000元",  # an amount, not a phone
        "日期2025-03-18，编号20250318，报告编号JX-2025-017。",
        "共计13812345678.50元",
        "合同号HT13812345678",
        f"序号{ID_BAD_CHECK}",  # 18 digits that are not a valid ID
        "样本量385份，N=10000，覆盖46所学校。",
        "时间2025年3月18日14:30",
        "文号财预〔2020〕10号",
    ],
)
def test_money_dates_and_numbers_are_left_alone(text: str) -> None:
    assert redaction.find(text) == []
    assert redaction.redact(text) == (text, Counter())


def test_known_names_are_removed_longest_first() -> None:
    text = "经访谈张三丰与张三，张三丰表示满意。"
    cleaned, counts = redaction.redact(text, names=["张三", "张三丰", " ", "王"])
    assert cleaned == "经访谈×××与×××，×××表示满意。"
    assert counts == Counter({"name": 3})


def test_describe_counts() -> None:
    counts = Counter({"mobile": 2, "name": 1})
    assert redaction.describe(counts) == "姓名1处、手机号码2处"
    assert redaction.describe(Counter()) == ""


def test_mixed_paragraph() -> None:
    text = (
        f"受访家长李四（电话13912345678，身份证{ID_OK}）反映：补助3,860.00万元已于2025-03-18到位。"
    )
    cleaned, counts = redaction.redact(text, names=["李四"])
    assert cleaned == (
        "受访家长×××（电话（手机号码已隐去），身份证（身份证号码已隐去））"
        "反映：补助3,860.00万元已于2025-03-18到位。"
    )
    assert counts == Counter({"name": 1, "mobile": 1, "id_number": 1})


def test_a_rendered_report_is_cleaned_in_body_and_tables() -> None:
    import io

    from docx import Document

    from tests.reports.test_render import load_samples
    from workbench.reports.render import render_docx

    context = load_samples().score_sheet()
    context["score_rows"][0]["note"] = f"访谈王五，电话0571-87654321，身份证{ID_OK}"
    data = render_docx("score_sheet", context)
    cleaned, counts = redaction.redact_docx(data, names=["王五"])
    assert counts == Counter({"name": 1, "landline": 1, "id_number": 1})
    text = "\n".join(
        cell.text
        for table in Document(io.BytesIO(cleaned)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "王五" not in text and ID_OK not in text and "87654321" not in text
    assert "（身份证号码已隐去）" in text
    assert context["score_rows"][1]["weight"] in text  # the rest is untouched
