"""Forms of the indicator library pages."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange

from workbench.core.forms import BaseForm, MultiCheckboxField, VersionField, choices
from workbench.library import packs


class IndicatorForm(BaseForm):
    level1 = StringField("一级指标", validators=[DataRequired("请填写一级指标"), Length(max=60)])
    level2 = StringField("二级指标", validators=[DataRequired("请填写二级指标"), Length(max=60)])
    name = StringField("三级指标名称", validators=[DataRequired("请填写指标名称"), Length(max=120)])
    definition = TextAreaField(
        "指标解释", validators=[DataRequired("请填写指标解释"), Length(max=4000)]
    )
    points = TextAreaField("评价要点", description="每行一条", validators=[Length(max=4000)])
    evidence = TextAreaField(
        "数据来源 / 佐证材料", description="每行一项", validators=[Length(max=4000)]
    )
    standard_type = SelectField("评价标准类型", choices=choices((s, s) for s in packs.STANDARDS))
    rule = SelectField(
        "计分规则", choices=choices((key, f"{name}（{key}）") for key, name in packs.RULES.items())
    )
    params = StringField(
        "规则参数",
        description="语法同指标体系表“参数”列，如 per=1%; deduct=5%; zero=80%",
        validators=[Length(max=2000)],
    )
    weight = StringField("建议分值", validators=[DataRequired("请填写分值"), Length(max=10)])
    target = StringField("常用目标值", validators=[Length(max=100)])
    scoring = TextAreaField("评分标准", validators=[Length(max=4000)])
    notes = TextAreaField("备注", validators=[Length(max=4000)])
    tags = StringField("标签", description="用顿号或逗号分隔", validators=[Length(max=600)])
    benchmarks = TextAreaField(
        "基准值",
        description="每行一项：数值|年份|来源，如 95.7%|2023|2023年全国教育事业发展统计公报",
        validators=[Length(max=4000)],
    )
    sector = StringField("所属领域", validators=[Length(max=60)])
    engagement_types = MultiCheckboxField(
        "适用评价类型",
        choices=choices(packs.ENGAGEMENT_TYPES.items()),
        default=["project"],
    )
    change_note = StringField("修改说明", validators=[Length(max=1000)])
    version = VersionField()


class ActionForm(BaseForm):
    """A state change that needs nothing but the version seen."""

    version = VersionField()


class ReasonForm(BaseForm):
    reason = TextAreaField("理由", validators=[DataRequired("请填写理由"), Length(max=1000)])
    version = VersionField()


class BenchmarkForm(BaseForm):
    value = StringField("数值", validators=[DataRequired("请填写基准值"), Length(max=60)])
    year = IntegerField(
        "年份",
        validators=[DataRequired("请填写年份"), NumberRange(1949, 2100, "年份不合理")],
    )
    source = StringField("来源", validators=[DataRequired("请填写来源"), Length(max=300)])
    version = VersionField()


class ImportForm(BaseForm):
    file = FileField("指标包文件（.yaml / .yml / .xlsx）")
