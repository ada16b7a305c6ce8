"""A survey created from a 问卷星 export: questions detected from the file, its answers staged."""

from __future__ import annotations

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.core.errors import ValidationFailed
from workbench.engagements.models import Engagement
from workbench.surveys.design.surveys import create_survey
from workbench.surveys.imports import ImportIssue, detect_questions
from workbench.surveys.imports.service import read_upload, upload_import
from workbench.surveys.models import Survey, SurveyImport


def detected_questions(filename: str, data: bytes):
    """The questionnaire a 问卷星 export implies (types, options, matrix rows, Likert scales)."""
    _checked, table = read_upload(filename, data)
    questions = detect_questions(table)
    if not questions:
        message = "文件中没有找到“1、题干”形式的题目列，无法识别问卷；请上传问卷星导出的原始文件"
        raise ValidationFailed(message, details=[ImportIssue(message, row=1, column=None)])
    return questions


def create_from_export(
    db: Session, *, actor: User, engagement: Engagement, title: str, filename: str, data: bytes
) -> tuple[Survey, SurveyImport]:
    """Create a draft survey from the file's questions and stage the file's answers for import."""
    questions = detected_questions(filename, data)
    survey = create_survey(db, actor=actor, engagement=engagement, title=title, questions=questions)
    job = upload_import(
        db,
        actor=actor,
        engagement=engagement,
        survey=survey,
        filename=filename,
        data=data,
        kind="wjx",
    )
    return survey, job
