"""Fieldwork forms (the structured fields of a paper are read from f-* inputs, see values.py)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from workbench.core.forms import BaseForm, DecimalInput, HiddenIntegerField, VersionField, choices
from workbench.fieldwork.findings import KIND_NAMES
from workbench.fieldwork.review_rules import LEVEL_NAMES


class CsrfForm(BaseForm):
    """A button that only needs the CSRF token."""


class ConfirmForm(BaseForm):
    confirm = HiddenField(validators=[DataRequired("请确认操作")])


class PaperForm(BaseForm):
    template = SelectField("底稿模板", validate_choice=False)
    title = StringField(
        "底稿名称", validators=[Optional(), Length(max=200)], description="留空则使用模板名称"
    )
    indicator_ids = SelectMultipleField("涉及指标", coerce=int, validate_choice=False)
    assignee_id = SelectField("编制人", coerce=int, validate_choice=False)
    version = VersionField()


class SignForm(BaseForm):
    level = SelectField(
        "签字级次",
        choices=choices((k.value, v) for k, v in LEVEL_NAMES.items()),
        validators=[DataRequired()],
    )
    comment = StringField("签字意见", validators=[Optional(), Length(max=1000)])


class ReturnForm(BaseForm):
    reason = TextAreaField(
        "退回原因", validators=[DataRequired("退回底稿须说明原因"), Length(max=1000)]
    )


class NoteForm(BaseForm):
    text = TextAreaField("复核意见", validators=[DataRequired("请填写意见内容"), Length(max=4000)])
    parent_id = HiddenIntegerField()


class FindingForm(BaseForm):
    text = TextAreaField(
        "发现的问题", validators=[DataRequired("请填写发现的问题"), Length(max=2000)]
    )
    kind = SelectField("类型", choices=choices((k.value, v) for k, v in KIND_NAMES.items()))
    indicator_id = SelectField("对应指标", coerce=int, validate_choice=False)
    points = DecimalInput("扣分", places=2, validators=[Optional()])
    element_index = IntegerField("评价要点序号", validators=[Optional()])
    met = DecimalInput("达成度（0–1）", places=4, validators=[Optional()])
    money = DecimalInput("涉及金额（元）", places=2, validators=[Optional()])
    evidence_ids = SelectMultipleField("依据的佐证材料", coerce=int, validate_choice=False)


class EvidenceForm(BaseForm):
    source = StringField("来源", validators=[Optional(), Length(max=200)])
    note = StringField("备注/页码", validators=[Optional(), Length(max=500)])
    # Ticked on the page when the upload will clear the paper's review and approval signatures.
    confirm_clear_signoffs = BooleanField("确认清除签字")


class RequestForm(BaseForm):
    title = StringField("清单名称", validators=[DataRequired("请填写清单名称"), Length(max=200)])
    due_date = DateField("统一截止日期", validators=[Optional()])
    items = TextAreaField(
        "资料明细",
        validators=[DataRequired("请至少列出一项资料")],
        description="每行一项：资料名称 | 截止日期（可省略） | 说明（可省略）",
    )
    note = TextAreaField("说明", validators=[Optional(), Length(max=2000)])
    paper_id = SelectField("记录在底稿（资料清单）", coerce=int, validate_choice=False)
    receipt_paper_id = SelectField(
        "收到的文件归入底稿（资料接收清单）", coerce=int, validate_choice=False
    )


class ItemsForm(BaseForm):
    items = TextAreaField("新增资料", validators=[DataRequired("请至少列出一项资料")])
    due_date = DateField("截止日期", validators=[Optional()])


class SendForm(BaseForm):
    contact_user_id = SelectField("被评价单位联系人", coerce=int, validate_choice=False)


class LinkForm(BaseForm):
    days = IntegerField(
        "有效天数",
        validators=[InputRequired("请填写有效天数"), NumberRange(1, 90, "有效期应为 1–90 天")],
    )


class ItemStatusForm(BaseForm):
    action = HiddenField(validators=[DataRequired()])
    reason = StringField("原因", validators=[Optional(), Length(max=1000)])


class TemplateForm(BaseForm):
    definition = TextAreaField("模板定义（YAML）", validators=[DataRequired("请填写模板定义")])
    version = VersionField()


class TemplateUploadForm(BaseForm):
    file = FileField("模板文件（.yaml）")
