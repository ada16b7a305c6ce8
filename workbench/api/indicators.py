"""Indicator tree and score endpoints: replace the tree (sheet or JSON), read the scores."""

from __future__ import annotations

from decimal import Decimal

from flask import request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from workbench import db
from workbench.api.blueprint import form_flag, operation, parse_body, respond
from workbench.core.errors import ValidationFailed
from workbench.core.money import q2
from workbench.core.permissions import guarded_object, requires
from workbench.engagements import services as engagements
from workbench.engagements.models import Engagement
from workbench.indicators.services import json_tree, transfer
from workbench.scoring import services as scoring


def load(id: int, **_) -> Engagement:  # noqa: A002 - the path parameter is called id in DESIGN.md
    return engagements.get(db.session(), id)


def _s(value: Decimal | None) -> str | None:
    return None if value is None else f"{q2(value):.2f}"


class IndicatorIn(BaseModel):
    """One leaf of a JSON tree; `path` is [一级, 二级, 三级]."""

    model_config = ConfigDict(extra="forbid")

    path: list[str] = Field(min_length=3, max_length=3)
    weight: Decimal = Field(allow_inf_nan=False, ge=0, le=100)
    rule: str | None = Field(default=None, max_length=30)
    params: str = Field(default="", max_length=2000)
    target: str | None = Field(default=None, max_length=100)
    actual: str | None = Field(default=None, max_length=100)
    score: Decimal | None = Field(default=None, allow_inf_nan=False)
    not_applicable: bool = False
    na_reason: str = Field(default="", max_length=1000)
    definition: str = Field(default="", max_length=4000)
    points: str = Field(default="", max_length=4000)
    standard: str = Field(default="", max_length=4000)
    standard_type: str = Field(default="计划标准", max_length=20)
    evidence_sources: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=2000)
    justification: str = Field(default="", max_length=4000)


class TreeIn(BaseModel):
    """A whole indicator tree, optionally with the grade table [[name, lower bound], …]."""

    model_config = ConfigDict(extra="forbid")

    indicators: list[IndicatorIn] = Field(min_length=1, max_length=2000)
    grades: list[tuple[str, Decimal]] | None = None
    # Replacing a confirmed or signed system clears the confirmation and the score sign-off.
    confirm_clear_signoffs: bool = False


class ImportOut(BaseModel):
    imported: int
    created: int
    updated: int
    deleted: int
    grades_set: bool
    warnings: list[str]


class ScoreLeafOut(BaseModel):
    path: list[str]
    weight: str
    score: str | None
    rule: str | None
    not_applicable: bool


class ScoresOut(BaseModel):
    total: str | None
    grade: str | None
    indicators: list[ScoreLeafOut]


@operation(
    "/engagements/{id}/indicators",
    "PUT",
    summary=(
        "替换指标体系：JSON 指标树 {indicators, grades?}，或 multipart 的 file=指标表（.xlsx）；"
        "有误时 422 {errors: [{row, column, message}]}，不做任何修改；"
        "指标体系已确认或评分已签字时，须同时传 confirm_clear_signoffs=true（JSON 字段或表单字段），"
        "否则 409 并说明将被清除的确认和签字"
    ),
    body=TreeIn,
    multipart="file",
    response=ImportOut,
)
@requires("indicators.edit", load=load)
def put_indicators(id: int):  # noqa: A002
    session = db.session()
    engagement = guarded_object()
    upload = request.files.get("file")
    if upload is not None:
        outcome = transfer.import_sheet(
            session,
            actor=current_user,
            engagement=engagement,
            filename=upload.filename or "",
            data=upload.read(),
            confirm_clear=form_flag("confirm_clear_signoffs"),
        )
    elif request.mimetype == "multipart/form-data":
        message = "请以 file 字段上传指标表（.xlsx）"
        raise ValidationFailed.of_field("file", message)
    else:
        body = parse_body(TreeIn)
        outcome = json_tree.import_tree(
            session,
            actor=current_user,
            engagement=engagement,
            items=[item.model_dump() for item in body.indicators],
            grades=body.grades,
            confirm_clear=body.confirm_clear_signoffs,
        )
    return respond(ImportOut(**outcome.__dict__))


@operation(
    "/engagements/{id}/scores",
    "GET",
    summary="各指标得分、总分和等级（有指标未能计分时 total、grade 为 null）",
    response=ScoresOut,
)
@requires("indicators.edit", load=load)
def get_scores(id: int):  # noqa: A002
    result, _rows = scoring.compute(db.session(), guarded_object())
    return respond(
        ScoresOut(
            total=_s(result.total),
            grade=result.grade,
            indicators=[
                ScoreLeafOut(
                    path=list(leaf.path),
                    weight=_s(leaf.weight),
                    score=_s(leaf.score),
                    rule=leaf.rule,
                    not_applicable=leaf.not_applicable,
                )
                for leaf in result.leaves
            ],
        )
    )
