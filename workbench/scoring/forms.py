"""Forms of the scoring pages: one leaf's inputs, an expert's score."""

from __future__ import annotations

import re
from decimal import Decimal

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from workbench.core.errors import ValidationFailed
from workbench.core.forms import BaseForm, VersionField, choices
from workbench.core.money import parse_decimal
from workbench.scoring.params import DEFAULT_LEVELS
from workbench.scoring.services import ScoreInput
from workbench.scoring.values import ParamError, clean, parse_number

_SEPARATORS = re.compile(r"[\n;；,，、]+")


def _number(text: str | None, *, name: str, what: str) -> Decimal | None:
    """'0.7', '70%' or '1/2' as a Decimal; None when blank; ValidationFailed naming the field."""
    token = clean(text or "")
    if not token:
        return None
    try:
        return parse_number(token, what=what)
    except ParamError as error:
        raise ValidationFailed.of_field(name, error.message) from None


class ScoreForm(BaseForm):
    actual = StringField(
        "实际值", validators=[Optional(), Length(max=100)], description="如 91.2%、50,936人、是"
    )
    level = SelectField(
        "定性等级",
        choices=choices([("", "（未评定）")] + [(lv.name, lv.name) for lv in DEFAULT_LEVELS]),
        validate_choice=False,  # only qualitative leaves show it; the service checks the level
    )
    fraction = StringField(
        "得分比例", validators=[Optional()], description="可选，须在所选等级的区间内，如 0.7"
    )
    deductions = TextAreaField(
        "扣分", validators=[Optional()], description="每处问题扣减的分数，每行一处，如 0.5"
    )
    score = StringField("得分", validators=[Optional()])
    justification = TextAreaField(
        "评分理由/说明", validators=[Optional(), Length(max=4000)], description="手工评分必填"
    )
    version = VersionField()

    def to_input(self, met_texts: list[str]) -> ScoreInput:
        """The form's values as a ScoreInput; a number that cannot be read is a field error."""
        try:
            score = parse_decimal(self.score.data)
        except ValueError as error:
            raise ValidationFailed.of_field("score", str(error)) from None
        points = [
            _number(part, name="deductions", what="扣分")
            for part in _SEPARATORS.split(self.deductions.data or "")
            if part.strip()
        ]
        return ScoreInput(
            actual=self.actual.data or "",
            level=self.level.data or "",
            fraction=_number(self.fraction.data, name="fraction", what="得分比例"),
            mets=[_number(text, name="mets", what="要点达成度") for text in met_texts],
            deductions=[p for p in points if p is not None],
            score=score,
            justification=self.justification.data or "",
        )


class ExpertScoreForm(BaseForm):
    score = StringField("得分")
    comment = TextAreaField("评分意见", validators=[Optional(), Length(max=2000)])
    version = VersionField()

    def parsed_score(self) -> Decimal | None:
        try:
            return parse_decimal(self.score.data)
        except ValueError as error:
            message = str(error)
            raise ValidationFailed.of_field("score", message) from None
