"""Finance forms: default terms, the contract, ledger entries and the deposit release."""

from __future__ import annotations

from decimal import Decimal

from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from workbench.core.forms import BaseForm, VersionField, choices
from workbench.core.money import parse_decimal
from workbench.finance import terms as t
from workbench.finance.ledger import KIND_NAMES, MANUAL_KINDS

ROWS = 6  # blank rows offered for instalments and release bands


class InstalmentRow(Form):
    event = SelectField(
        "付款节点",
        choices=choices([("", "—")] + [(k.value, v) for k, v in t.EVENT_NAMES.items()]),
        validate_choice=False,
    )
    percent = StringField("比例（%）", validators=[Optional(), Length(max=20)])


class BandRow(Form):
    min_score = StringField("得分不低于", validators=[Optional(), Length(max=20)])
    fraction = StringField("释放比例（%）", validators=[Optional(), Length(max=20)])


class TermsForm(BaseForm):
    """The terms a contract starts from (also the firm settings page)."""

    deposit_rate = StringField(
        "质量保证金比例（%）", validators=[DataRequired("请填写保证金比例"), Length(max=20)]
    )
    instalments = FieldList(FormField(InstalmentRow), min_entries=ROWS, max_entries=20)
    bands = FieldList(FormField(BandRow), min_entries=ROWS, max_entries=20)
    release_days = StringField(
        "验收后释放期限（天）", validators=[DataRequired("请填写释放期限"), Length(max=10)]
    )
    version = VersionField()


class ContractForm(TermsForm):
    number = StringField("合同编号", validators=[DataRequired("请填写合同编号"), Length(max=60)])
    signed_on = DateField("签订日期", validators=[DataRequired("请填写合同签订日期")])
    fee = StringField("合同金额（元）", validators=[DataRequired("请填写合同金额"), Length(max=30)])
    note = TextAreaField("备注", validators=[Optional(), Length(max=2000)])


class EntryForm(BaseForm):
    kind = SelectField("款项", choices=choices((k.value, KIND_NAMES[k]) for k in MANUAL_KINDS))
    instalment = SelectField("对应分期", validate_choice=False)
    amount = StringField("金额（元）", validators=[DataRequired("请填写金额"), Length(max=30)])
    entry_date = DateField("日期", validators=[DataRequired("请填写日期")])
    note = StringField("摘要", validators=[Optional(), Length(max=1000)])


class ReleaseForm(BaseForm):
    amount = StringField("到账金额（元）", validators=[DataRequired("请填写金额"), Length(max=30)])
    paid_on = DateField("到账日期", validators=[DataRequired("请填写到账日期")])
    note = StringField("摘要", validators=[Optional(), Length(max=1000)])


class VoidForm(BaseForm):
    reason = StringField("作废原因", validators=[DataRequired("请填写作废原因"), Length(max=1000)])


# --- conversions between forms and terms ------------------------------------------------------


def plain(value: Decimal | None) -> str:
    """A Decimal without trailing zeros for form fields: 30.00 → '30', 0.125 → '0.125'."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def terms_data(terms: t.Terms) -> dict:
    """Form data showing `terms` (fractions as percentages)."""
    return {
        "deposit_rate": plain(terms.deposit_rate),
        "release_days": str(terms.release_days),
        "instalments": [{"event": i.event, "percent": plain(i.percent)} for i in terms.instalments],
        "bands": [
            {"min_score": plain(b.min_score), "fraction": plain(b.fraction * 100)}
            for b in terms.bands
        ],
    }


def number(text: str | None) -> Decimal | None:
    """User text as a Decimal; None when blank; ValueError (with a Chinese message) when not."""
    value = parse_decimal((text or "").replace("%", "").replace("％", ""))
    if value is not None and not value.is_finite():
        raise ValueError(f"“{text}”不是有效的数字")
    return value


def terms_from(form: TermsForm) -> tuple[t.Terms, list[dict]]:
    """The terms typed into the form and the cells that are not numbers (blank rows skipped)."""
    errors: list[dict] = []

    def read(text: str | None, field: str, row: int | None, column: str) -> Decimal | None:
        try:
            return number(text)
        except ValueError:
            where = f"第 {row} 行“{column}”：" if row else f"{column}："
            errors.append(
                {
                    "field": field,
                    "row": row,
                    "column": column,
                    "message": f"{where}“{text}”不是数字",
                }
            )
            return None

    instalments = []
    for n, entry in enumerate(form.instalments.entries, start=1):
        event, text = entry.form.event.data or "", (entry.form.percent.data or "").strip()
        if not event and not text:
            continue
        percent = read(text, "instalments", n, "比例")
        if not text:
            errors.append(
                {
                    "field": "instalments",
                    "row": n,
                    "column": "比例",
                    "message": f"第 {n} 行：请填写比例",
                }
            )
        instalments.append(t.Instalment(event, percent if percent is not None else Decimal(0)))
    bands = []
    for n, entry in enumerate(form.bands.entries, start=1):
        low, share = (
            (entry.form.min_score.data or "").strip(),
            (entry.form.fraction.data or "").strip(),
        )
        if not low and not share:
            continue
        min_score = read(low, "bands", n, "得分不低于")
        fraction = read(share, "bands", n, "释放比例")
        if not low or not share:
            errors.append(
                {
                    "field": "bands",
                    "row": n,
                    "column": "",
                    "message": f"第 {n} 行：请同时填写得分下限和释放比例",
                }
            )
        bands.append(
            t.Band(
                min_score if min_score is not None else Decimal(-1),
                fraction / 100 if fraction is not None else Decimal(-1),
            )
        )
    rate = read(form.deposit_rate.data, "deposit_rate", None, "保证金比例")
    days_text = (form.release_days.data or "").strip()
    days = int(days_text) if days_text.isdigit() else None
    if days is None and days_text:
        errors.append({"field": "release_days", "message": "释放期限须为整数天数"})
    terms = t.Terms(
        instalments=instalments,
        deposit_rate=rate if rate is not None else Decimal(-1),
        bands=bands,
        release_days=days if days is not None else -1,
    )
    return terms, errors
