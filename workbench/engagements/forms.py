"""Engagement forms."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from workbench.core.forms import BaseForm, DecimalInput, VersionField, choices
from workbench.engagements.models import ROLE_NAMES, TYPE_NAMES


class EngagementForm(BaseForm):
    title = StringField("项目名称", validators=[DataRequired("请输入项目名称"), Length(max=200)])
    code = StringField(
        "项目编号", validators=[Optional(), Length(max=40)], description="留空则自动编号"
    )
    type = SelectField("评价类型", choices=choices((k.value, v) for k, v in TYPE_NAMES.items()))
    bureau_id = SelectField("委托方（财政部门）", coerce=int, validate_choice=False)
    unit_id = SelectField("被评价单位", coerce=int, validate_choice=False)
    budget_year = IntegerField(
        "预算年度", validators=[DataRequired("请输入预算年度"), NumberRange(2000, 2100, "年份无效")]
    )
    budget_amount = DecimalInput(
        "预算金额（元）",
        places=2,
        validators=[Optional(), NumberRange(min=0, message="金额不能为负")],
    )
    funds_available = DecimalInput(
        "实际到位资金（元）",
        places=2,
        validators=[Optional(), NumberRange(min=0, message="金额不能为负")],
    )
    funds_spent = DecimalInput(
        "实际支出（元）",
        places=2,
        validators=[Optional(), NumberRange(min=0, message="金额不能为负")],
    )
    planned_start = DateField("计划开始日期", validators=[Optional()])
    planned_end = DateField("计划完成日期", validators=[Optional()])
    description = TextAreaField("项目概况", validators=[Optional(), Length(max=4000)])
    version = VersionField()


class MemberForm(BaseForm):
    user_id = SelectField("人员", coerce=int, validate_choice=False)
    role = SelectField("角色", choices=choices((k.value, v) for k, v in ROLE_NAMES.items()))
    duty = StringField("分工", validators=[Optional(), Length(max=200)])


class DeclarationForm(BaseForm):
    kind = HiddenField(validators=[DataRequired()])
    has_conflict = BooleanField("本人存在需要申报的利害关系")
    conflict_detail = TextAreaField("利害关系说明", validators=[Optional(), Length(max=2000)])
    agree = BooleanField("我已阅读并承诺遵守上述内容", validators=[DataRequired("请勾选承诺")])


class ReasonForm(BaseForm):
    reason = TextAreaField("理由", validators=[DataRequired("请填写理由"), Length(max=1000)])


class BackForm(BaseForm):
    target = SelectField("退回到", validate_choice=False)
    reason = TextAreaField(
        "退回原因", validators=[DataRequired("退回须说明原因"), Length(max=1000)]
    )


class ConfirmForm(BaseForm):
    stage = HiddenField(validators=[DataRequired()])
    item = HiddenField(validators=[DataRequired()])
    note = StringField("说明", validators=[Optional(), Length(max=1000)])
