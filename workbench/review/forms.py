"""Review forms (the rating form's score fields are built from the rubric in the template)."""

from __future__ import annotations

from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from workbench.core.forms import BaseForm, VersionField, choices
from workbench.review.states import REVIEW_KIND_NAMES


class SubmitForm(BaseForm):
    kind = SelectField(
        "提交内容", choices=choices((k.value, v) for k, v in REVIEW_KIND_NAMES.items())
    )
    version_id = SelectField("文档版本", coerce=int, validate_choice=False)
    note = TextAreaField("提交说明", validators=[Optional(), Length(max=2000)])


class CommentForm(BaseForm):
    section = SelectField("针对章节", validate_choice=False)
    paragraph = IntegerField("段落序号", validators=[Optional(), NumberRange(min=1)])
    body = TextAreaField("审核意见", validators=[DataRequired("请填写审核意见"), Length(max=4000)])


class DecisionForm(BaseForm):
    decision = HiddenField(validators=[DataRequired("请选择审核结论")])
    note = TextAreaField("审核说明", validators=[Optional(), Length(max=4000)])


class AnswerForm(BaseForm):
    answer = TextAreaField("回复", validators=[DataRequired("请填写回复"), Length(max=4000)])
    version = VersionField()


class RatingForm(BaseForm):
    rubric = SelectField("考核表", validate_choice=False)
    comment = TextAreaField("考核意见", validators=[Optional(), Length(max=4000)])


class RubricForm(BaseForm):
    name = StringField("名称", validators=[DataRequired("请填写考核表名称"), Length(max=100)])
    bureau_id = SelectField("适用范围", coerce=int, validate_choice=False)
    definition = TextAreaField("考核表内容（YAML）", validators=[DataRequired("请填写考核表内容")])
    version = VersionField()


class RectificationForm(BaseForm):
    problems = TextAreaField(
        "问题清单（每行一个，可用“|”分隔问题与整改要求）",
        validators=[DataRequired("请至少填写一个问题")],
    )
    base_date = DateField("起算日期", validators=[Optional()])
    feedback_days = IntegerField("反馈期限（天）", validators=[Optional()])
    rectify_days = IntegerField("整改期限（反馈后，天）", validators=[Optional()])


class ItemForm(BaseForm):
    problem = TextAreaField("问题", validators=[DataRequired("问题描述不能为空"), Length(max=2000)])
    requirement = TextAreaField("整改要求", validators=[Optional(), Length(max=2000)])
    feedback_due = DateField("反馈期限", validators=[Optional()])
    rectify_due = DateField("整改期限", validators=[Optional()])
    version = VersionField()


class ProgressForm(BaseForm):
    status = SelectField("进展", validate_choice=False)
    note = TextAreaField("说明", validators=[Optional(), Length(max=2000)])
    version = VersionField()


class PlainForm(BaseForm):
    """A form with only the CSRF token (buttons that post)."""


class UnitReportForm(BaseForm):
    """The unit's rectification report on one item (files come from the multiple file input)."""

    kind = SelectField("报送类型", validate_choice=False)
    text = TextAreaField(
        "整改情况说明", validators=[DataRequired("请填写整改情况说明"), Length(max=2000)]
    )
    version = VersionField()
