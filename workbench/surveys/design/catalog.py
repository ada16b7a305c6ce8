"""Questionnaire templates for common respondent groups, read from questionnaire_templates/*.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from workbench.surveys.design.edit_rules import check_questionnaire
from workbench.surveys.design.questions import Question, questions_from_dicts

FOLDER = Path(__file__).parent / "questionnaire_templates"


@dataclass(frozen=True)
class QuestionnaireTemplate:
    key: str
    name: str
    respondents: str
    purpose: str
    questions: tuple[Question, ...]


class TemplateError(ValueError):
    """A template file that does not describe a valid questionnaire."""


def parse_template(text: str, *, source: str) -> QuestionnaireTemplate:
    """One template from its YAML text; TemplateError names the file and the problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise TemplateError(f"{source}：YAML 格式有误（{error}）") from None
    if not isinstance(data, dict):
        raise TemplateError(f"{source}：内容应为键值结构")
    try:
        questions = questions_from_dicts(data.get("questions") or [])
    except (ValueError, TypeError, AttributeError) as error:
        raise TemplateError(f"{source}：{error}") from None
    problems = check_questionnaire(questions)
    if not questions:
        problems.append("没有题目")
    for name in ("key", "name"):
        if not str(data.get(name) or "").strip():
            problems.append(f"缺少 {name}")
    if problems:
        raise TemplateError(f"{source}：" + "；".join(problems))
    return QuestionnaireTemplate(
        key=str(data["key"]).strip(),
        name=str(data["name"]).strip(),
        respondents=str(data.get("respondents") or "").strip(),
        purpose=str(data.get("purpose") or "").strip(),
        questions=tuple(questions),
    )


@lru_cache(maxsize=1)
def templates() -> tuple[QuestionnaireTemplate, ...]:
    """Every shipped template, in file-name order (read once)."""
    found = [
        parse_template(path.read_text(encoding="utf-8"), source=path.name)
        for path in sorted(FOLDER.glob("*.yaml"))
    ]
    keys = [t.key for t in found]
    if len(set(keys)) != len(keys):
        raise TemplateError(f"问卷模板的 key 重复：{keys}")
    return tuple(found)


def get_template(key: str) -> QuestionnaireTemplate | None:
    return next((t for t in templates() if t.key == key), None)
