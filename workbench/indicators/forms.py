"""Forms of the indicator system pages."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from workbench.core.forms import BaseForm, HiddenIntegerField, VersionField, choices
from workbench.core.money import parse_decimal
from workbench.indicators.models import STANDARD_TYPES
from workbench.indicators.services import IndicatorInput
from workbench.scoring.params import RULES


def _decimal(form, field) -> None:
    try:
        field.parsed = parse_decimal(field.data)
    except ValueError as error:
        raise ValidationError(str(error)) from None


class IndicatorForm(BaseForm):
    level1 = StringField(
        "一级指标",
        validators=[DataRequired("请填写一级指标"), Length(max=60)],
        render_kw={"list": "level1-names"},
    )
    level2 = StringField(
        "二级指标",
        validators=[DataRequired("请填写二级指标"), Length(max=60)],
        render_kw={"list": "level2-names"},
    )
    name = StringField("三级指标", validators=[DataRequired("请填写三级指标"), Length(max=120)])
    weight = StringField("分值", validators=[DataRequired("请填写分值"), _decimal])
    rule = SelectField(
        "评分规则", choices=choices((key, f"{name}（{key}）") for key, name in RULES.items())
    )
    params = StringField(
        "参数",
        validators=[Optional(), Length(max=2000)],
        description="指标表“参数”列的写法，如 per=1%; deduct=5%; zero=80% 或 1/3:1; 1/3:0.5; 1/3:0",
    )
    target = StringField(
        "目标值", validators=[Optional(), Length(max=100)], description="如 ≥95%、≤5元、100%"
    )
    definition = TextAreaField("指标解释", validators=[Optional(), Length(max=4000)])
    points = TextAreaField(
        "评价要点", validators=[Optional(), Length(max=4000)], description="每行一个要点"
    )
    standard = TextAreaField("评分标准", validators=[Optional(), Length(max=4000)])
    standard_type = SelectField("标准类型", choices=choices((t, t) for t in STANDARD_TYPES))
    evidence_sources = TextAreaField("数据来源/佐证材料", validators=[Optional(), Length(max=2000)])
    note = StringField("备注", validators=[Optional(), Length(max=2000)])
    not_applicable = BooleanField("不适用")
    na_reason = StringField("不适用理由", validators=[Optional(), Length(max=1000)])
    version = VersionField()

    def to_input(self) -> IndicatorInput:
        return IndicatorInput(
            level1=self.level1.data or "",
            level2=self.level2.data or "",
            name=self.name.data or "",
            weight=getattr(self.weight, "parsed", None),
            rule=self.rule.data or "",
            params=self.params.data or "",
            target=self.target.data or "",
            definition=self.definition.data or "",
            points=self.points.data or "",
            standard=self.standard.data or "",
            standard_type=self.standard_type.data or "",
            evidence_sources=self.evidence_sources.data or "",
            note=self.note.data or "",
            not_applicable=bool(self.not_applicable.data),
            na_reason=self.na_reason.data or "",
        )


class ImportForm(BaseForm):
    file = FileField("指标表（.xlsx）", validators=[FileRequired("请选择要导入的指标表文件")])


class GradesForm(BaseForm):
    grades = TextAreaField(
        "等级表",
        validators=[DataRequired("请填写等级表")],
        description="每行“等级 下限”，下限含本数，如“良 80”；须有下限为0的等级",
    )


class LibraryAddForm(BaseForm):
    library_indicator_id = HiddenIntegerField(validators=[DataRequired()])
    level1 = StringField("放入一级指标", validators=[Optional(), Length(max=60)])
    level2 = StringField("放入二级指标", validators=[Optional(), Length(max=60)])


class BenchmarkCiteForm(BaseForm):
    """Cite a value of the linked library indicator's benchmark series (blank: cite none)."""

    value_id = HiddenIntegerField()
    version = VersionField()
