"""Forms of the plan, report and consultation pages.

They render the fields; the views read the submitted values and the services validate them with
messages in Chinese (WTForms' built-in messages are English); CSRF is checked app-wide.
"""

from __future__ import annotations

from wtforms import (
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)

from workbench.core.forms import BaseForm, VersionField, choices
from workbench.reports.models import Adoption
from workbench.reports.services.generation import LABELS


class SectionForm(BaseForm):
    content = TextAreaField("正文")
    version = VersionField()


class AssignForm(BaseForm):
    user_id = SelectField("撰写人", coerce=int, validate_choice=False)


class CommentForm(BaseForm):
    body = TextAreaField("批注")


class RestoreForm(BaseForm):
    number = HiddenField()
    version = VersionField()


class GenerateForm(BaseForm):
    label = SelectField("版本说明", choices=choices([("", "（无）")] + [(x, x) for x in LABELS]))


class SignForm(BaseForm):
    level = HiddenField()
    comment = StringField("签字意见")


class PlanSettingsForm(BaseForm):
    # Numbers are text here: the view parses them with Chinese messages (WTForms' are English).
    population = StringField("调查总体数量 N", description="留空表示总体很大（不作有限总体校正）")
    confidence = SelectField(
        "置信水平",
        choices=choices([("0.90", "90%"), ("0.95", "95%"), ("0.99", "99%")]),
        default="0.95",
    )
    margin = StringField("允许误差 e（%）", default="5")
    proportion = StringField("预估比例 p", default="0.5")
    target = StringField("计划发放问卷份数", description="留空则按计算出的样本量")
    strata = TextAreaField(
        "分层（每行“类别,总体数量”）", description="如：城区学校家长,4000；留空则不分层"
    )
    version = VersionField()


class SendForm(BaseForm):
    version_id = SelectField("征求意见稿", coerce=int, validate_choice=False)
    recipient_id = SelectField("被评价单位联系人", coerce=int, validate_choice=False)
    due_date = StringField("反馈截止日期", render_kw={"type": "date"})
    message = TextAreaField("说明")


class NoOpinionsForm(BaseForm):
    note = TextAreaField("情况说明", description="如：单位于某日回函表示无修改意见")


class AnswerForm(BaseForm):
    adoption = SelectField(
        "采纳情况",
        choices=choices([("", "请选择")] + [(a.value, a.value) for a in Adoption]),
        validate_choice=False,
    )
    reason = TextAreaField("理由及修改情况")
    version = VersionField()


class OpinionForm(BaseForm):
    reference = StringField("章节/页码", description="如：第三部分第2页")
    content = TextAreaField("意见内容")
    version = VersionField()
