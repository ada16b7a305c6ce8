"""Survey forms (the public questionnaire and the paper-entry screen read request.form directly:
their fields are the questions)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from workbench.core.forms import BaseForm, DecimalInput, VersionField, choices
from workbench.surveys.design.questions import QUESTION_TYPES, TYPE_NAMES


class CsrfForm(BaseForm):
    """A button that only needs the CSRF token."""


class VersionForm(BaseForm):
    version = VersionField()


class CreateForm(BaseForm):
    title = StringField("问卷名称", validators=[Optional(), Length(max=200)])
    template = SelectField("问卷模板", validate_choice=False)


class CopyForm(BaseForm):
    source_id = SelectField("复制以往项目的问卷", coerce=int, validate_choice=False)
    title = StringField("新问卷名称（留空沿用原名称）", validators=[Optional(), Length(max=200)])


class DetectForm(BaseForm):
    title = StringField("问卷名称", validators=[DataRequired("请填写问卷名称"), Length(max=200)])
    file = FileField("问卷星导出文件（.xls / .xlsx / .csv）")


class SettingsForm(BaseForm):
    title = StringField("问卷名称", validators=[DataRequired("请填写问卷名称"), Length(max=200)])
    respondents = StringField("调查对象", validators=[Optional(), Length(max=60)])
    purpose = TextAreaField(
        "调查目的（显示在问卷首页和海报上）", validators=[Optional(), Length(max=2000)]
    )
    opens_at = DateTimeLocalField(
        "开始填写时间（北京时间，可留空）", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    closes_at = DateTimeLocalField(
        "截止填写时间（北京时间，可留空）", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    one_per_device = BooleanField("同一设备只能填写一次")
    thank_you = TextAreaField("提交后的感谢语", validators=[Optional(), Length(max=1000)])
    version = VersionField()


class QuestionForm(BaseForm):
    text = TextAreaField("题干", validators=[DataRequired("请填写题干"), Length(max=500)])
    type = SelectField("题型", choices=choices((t, TYPE_NAMES[t]) for t in QUESTION_TYPES))
    options = TextAreaField(
        "选项（每行一个，从最满意到最不满意）",
        validators=[Optional()],
        description="量表题、矩阵题留空则使用“非常满意……非常不满意”五级",
    )
    scores = StringField(
        "分值（与选项一一对应，如 100/80/60/30/0 或 100/75/50/25/0）",
        validators=[Optional(), Length(max=300)],
        description="留空：五级量表按 100/80/60/30/0",
    )
    rows = TextAreaField("矩阵行（每行一个评价项目）", validators=[Optional()])
    required = BooleanField("必答")
    satisfaction_item = BooleanField("计入满意度（满意度题目）")
    weight = StringField("权重", default="1", validators=[Optional(), Length(max=20)])
    group = BooleanField("作为受访者分组题（如身份、区域）")
    version = VersionField()


class StateForm(BaseForm):
    action = HiddenField(validators=[DataRequired()])
    reason = TextAreaField("重新开启的原因", validators=[Optional(), Length(max=1000)])


class PlanForm(BaseForm):
    population = IntegerField(
        "总体数量 N（未知或很大时留空）",
        validators=[Optional(), NumberRange(min=1, message="总体数量应为正整数")],
    )
    confidence = SelectField(
        "置信水平", choices=choices([("0.90", "90%"), ("0.95", "95%"), ("0.99", "99%")])
    )
    margin = DecimalInput(
        "允许误差（%）",
        places=2,
        default=5,
        validators=[
            DataRequired("请填写允许误差"),
            NumberRange(0.5, 20, "允许误差应在 0.5%%–20%% 之间"),
        ],
    )
    version = VersionField()


class ReasonForm(BaseForm):
    reason = TextAreaField("理由", validators=[DataRequired("请填写理由"), Length(max=1000)])


class UploadForm(BaseForm):
    file = FileField("答卷文件（.xls / .xlsx / .csv）")
    kind = SelectField(
        "文件类型",
        choices=choices(
            [
                ("auto", "自动识别"),
                ("wjx", "问卷星导出（按选项文本或按选项序号）"),
                ("generic", "其他表格（逐列指定对应的题目）"),
            ]
        ),
    )


class RulesForm(BaseForm):
    min_duration_seconds = IntegerField("答题用时少于（秒）", validators=[Optional()])
    duplicate_ip_window_minutes = IntegerField(
        "同一 IP 重复作答的时间窗口（分钟）", validators=[Optional()]
    )
    straightlining_min_rows = IntegerField(
        "矩阵题行数不少于（行）时判定直线作答", validators=[Optional()]
    )
    require_answers = BooleanField("剔除必答题未作答的答卷")
    top_k = IntegerField(
        "计为“满意”的等级数（前 k 级）",
        default=2,
        validators=[DataRequired("请填写满意等级数"), NumberRange(1, 10, "应在 1–10 之间")],
    )
    version = VersionField()


class OverrideForm(BaseForm):
    decision = HiddenField(validators=[DataRequired()])
    reason = StringField("理由", validators=[Optional(), Length(max=1000)])


class LinkForm(BaseForm):
    indicator_id = SelectField("满意度指标", coerce=int, validate_choice=False)
    metric = SelectField("取值", validate_choice=False)
    item = SelectField("题目", validate_choice=False)
    group = SelectField("受访者范围", validate_choice=False)
