"""Expert pool and assignment forms."""

from __future__ import annotations

from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from workbench.core.forms import BaseForm, VersionField


class ExpertForm(BaseForm):
    name = StringField("姓名", validators=[DataRequired("请填写专家姓名"), Length(max=60)])
    title = StringField("职称", validators=[Optional(), Length(max=60)])
    field_tags = StringField(
        "专业领域",
        validators=[Optional(), Length(max=500)],
        description="多个领域用顿号或逗号分隔，如：教育、财务管理",
    )
    organisation = StringField("工作单位", validators=[Optional(), Length(max=200)])
    phone = StringField("联系电话", validators=[Optional(), Length(max=40)])
    email = StringField(
        "电子邮箱", validators=[Optional(), Email("邮箱格式不正确"), Length(max=200)]
    )
    user_id = SelectField("关联登录账号", coerce=int, validate_choice=False)
    note = TextAreaField("备注", validators=[Optional(), Length(max=2000)])
    active = BooleanField("在库（可指派）", default=True)
    version = VersionField()


class ConflictForm(BaseForm):
    org_name = StringField(
        "关联单位", validators=[DataRequired("请填写关联单位名称"), Length(max=200)]
    )
    relation = StringField(
        "关联关系",
        validators=[Optional(), Length(max=200)],
        description="如：曾任职、近亲属任职、担任顾问",
    )


class AssignForm(BaseForm):
    expert_id = SelectField("专家", coerce=int, validate_choice=False)
    duty = StringField("分工", validators=[Optional(), Length(max=200)])
    override_reason = TextAreaField(
        "利益冲突豁免理由（仅机构管理员）", validators=[Optional(), Length(max=1000)]
    )


class EndForm(BaseForm):
    reason = StringField("结束原因", validators=[DataRequired("请填写结束原因"), Length(max=1000)])


class FeeForm(BaseForm):
    item = StringField("费用项目", validators=[DataRequired("请填写费用项目"), Length(max=200)])
    amount = StringField("金额（元）", validators=[DataRequired("请填写金额"), Length(max=30)])
    fee_date = DateField("日期", validators=[DataRequired("请填写日期")])
    note = StringField("备注", validators=[Optional(), Length(max=1000)])


class DeleteForm(BaseForm):
    """An empty form: only the CSRF token of a delete button."""
