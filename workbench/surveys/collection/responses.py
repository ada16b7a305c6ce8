"""Answers: the public form, paper entry by evaluators, manual re-inclusion/exclusion, filters."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from workbench.accounts.models import User
from workbench.core import audit
from workbench.core.errors import Conflict, NotFound, ValidationFailed
from workbench.core.hygiene import find_problems, strip_illegal
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.engagements.services import guard_write
from workbench.surveys.collection.entry import Entry, read_entry
from workbench.surveys.collection.states import accepting_problem
from workbench.surveys.design.common import check_version, respondent
from workbench.surveys.design.questionnaire import questions_of
from workbench.surveys.linking import require_results_change_confirmed, results_changed
from workbench.surveys.models import Channel, Survey, SurveyResponse
from workbench.surveys.statistics import verdicts
from workbench.surveys.statistics.service import rules_of

MAX_SECONDS = 7 * 24 * 3600  # a form kept open longer than a week gives no useful duration


def _refuse_entry(entry: Entry, message: str) -> None:
    if entry.errors:
        raise ValidationFailed(message, details=entry.errors)
    if not entry.answered:
        text = "请至少回答一道题后再提交"
        raise ValidationFailed.of_field("form", text)


def _stripped(form: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The form without control characters: a parent on a phone is never refused for them."""
    return {strip_illegal(k): [strip_illegal(v) for v in values] for k, values in form.items()}


def _refuse_illegal(form: Mapping[str, Sequence[str]], paper_no: str) -> None:
    """Paper entry is typed by an evaluator: control characters are a field error, not stripped."""
    found = find_problems({**form, "paper_no": paper_no})
    if found:
        details = [{"field": str(path[0]), "message": message} for path, message in found]
        raise ValidationFailed("这份问卷有录入错误，未保存", details=details)


def submit_online(
    db: Session,
    *,
    survey: Survey,
    engagement: Engagement,
    form: Mapping[str, Sequence[str]],
    ip: str | None,
    started_at: datetime | None,
    channel: Channel = Channel.online,
) -> SurveyResponse:
    """Store one answer from the public form (anonymous; the form enforces required questions).

    `channel` is `offline` when the form is served by a laptop in the field.
    """
    problem = accepting_problem(survey)
    if problem or engagement.is_archived:
        raise Conflict(problem or "问卷已结束回收，感谢您的关注")
    entry = read_entry(questions_of(survey), _stripped(form), codes=False, enforce_required=True)
    _refuse_entry(entry, "问卷还有未完成或填写有误的题目，请检查后再提交")
    now = utcnow()
    duration = None
    if started_at is not None:
        seconds = int((now - started_at).total_seconds())
        duration = seconds if 0 <= seconds <= MAX_SECONDS else None
    response = SurveyResponse(
        survey_id=survey.id,
        source_key=f"web:{uuid.uuid4().hex}",
        channel=channel.value,
        submitted_at=now,
        duration_seconds=duration,
        ip=(ip or "")[:64] or None,
        answers=entry.answers,
        missing=entry.missing,
    )
    db.add(response)
    db.flush()
    actor = respondent("在线问卷")
    audit.record(
        db,
        actor=actor,
        action="survey.answer",
        obj=response,
        engagement_id=engagement.id,
        after={"survey_id": survey.id, "channel": response.channel},
        summary=f"{survey.title}：收到{'离线采集的' if channel == Channel.offline else '在线'}答卷",
    )
    results_changed(db, actor=actor, engagement=engagement, survey=survey, reason="收到新的答卷")
    return response


def enter_paper(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    form: Mapping[str, Sequence[str]],
    paper_no: str = "",
) -> SurveyResponse:
    """Store one paper questionnaire typed in by an evaluator (option numbers from 1)."""
    guard_write(db, engagement, actor)
    if survey.is_closed:
        raise Conflict("问卷已结束回收，不能再录入；如需补录，请项目负责人先重新开启问卷")
    _refuse_illegal(form, paper_no)
    entry = read_entry(questions_of(survey), form, codes=True, enforce_required=False)
    _refuse_entry(entry, "这份问卷有录入错误，未保存")
    paper_no = (paper_no or "").strip()
    if len(paper_no) > 40:
        message = "纸质问卷编号不能超过 40 个字符"
        raise ValidationFailed.of_field("paper_no", message)
    key = f"paper:{paper_no}" if paper_no else f"paper:{uuid.uuid4().hex}"
    taken = db.exec(
        select(SurveyResponse.id).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.source_key == key
        )
    ).first()
    if taken is not None:
        message = f"编号为“{paper_no}”的纸质问卷已经录入过，请核对编号"
        raise ValidationFailed.of_field("paper_no", message)
    response = SurveyResponse(
        survey_id=survey.id,
        source_key=key,
        channel=Channel.paper.value,
        serial=int(paper_no) if paper_no.isdigit() and len(paper_no) < 10 else None,
        submitted_at=utcnow(),
        answers=entry.answers,
        missing=entry.missing,
        entered_by_id=actor.id,
    )
    db.add(response)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="survey.paper_entry",
        obj=response,
        engagement_id=engagement.id,
        after={"survey_id": survey.id, "paper_no": paper_no, "answers": entry.answers},
        summary=f"{survey.title}：录入纸质问卷" + (f"（编号 {paper_no}）" if paper_no else ""),
    )
    results_changed(db, actor=actor, engagement=engagement, survey=survey, reason="录入了纸质问卷")
    return response


DECISIONS = {"include": True, "exclude": False, "auto": None}
DECISION_NAMES = {"include": "人工认定为有效", "exclude": "人工排除", "auto": "恢复按筛选规则判定"}


def set_override(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    response_id: int,
    decision: str,
    reason: str = "",
    confirm_clear: bool = False,
) -> SurveyResponse:
    """Re-include a filtered answer, exclude one by hand, or return it to the filters' verdict."""
    guard_write(db, engagement, actor)
    response = db.get(SurveyResponse, response_id)
    if response is None or response.survey_id != survey.id:
        raise NotFound("答卷不存在")
    if decision not in DECISIONS:
        raise ValidationFailed.of_field("decision", "操作无效")
    reason = (reason or "").strip()
    if decision != "auto" and not reason:
        message = "请说明理由（将记入审计日志）"
        raise ValidationFailed.of_field("reason", message)
    require_results_change_confirmed(
        db,
        engagement,
        survey,
        confirmed=confirm_clear,
        action=f"调整答卷 #{response.id} 的有效认定",
    )
    before = {"override": response.override, "reason": response.override_reason}
    response.override = DECISIONS[decision]
    response.override_reason = reason[:1000] if decision != "auto" else ""
    response.override_by_id = actor.id if decision != "auto" else None
    response.override_at = utcnow() if decision != "auto" else None
    verdicts.after_override(db, response)
    db.add(response)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="survey.response_override",
        obj=response,
        engagement_id=engagement.id,
        before=before,
        after={"override": response.override, "reason": response.override_reason},
        summary=f"{survey.title}：答卷 #{response.id} {DECISION_NAMES[decision]}",
    )
    results_changed(
        db, actor=actor, engagement=engagement, survey=survey, reason="的有效答卷认定已调整"
    )
    return response


@dataclass
class RulesInput:
    min_duration_seconds: int | None = None
    duplicate_ip_window_minutes: int | None = None
    straightlining_min_rows: int | None = None
    require_answers: bool = False
    top_k: int = 2


def set_rules(
    db: Session,
    *,
    actor: User,
    engagement: Engagement,
    survey: Survey,
    data: RulesInput,
    version: int | None,
    confirm_clear: bool = False,
) -> Survey:
    """The survey's validity filters and the number of top levels counted as satisfied."""
    guard_write(db, engagement, actor)
    check_version(survey, version)
    errors = []
    checks = [
        ("min_duration_seconds", data.min_duration_seconds, 1, 3600, "答题用时下限应在 1–3600 秒之间"),
        ("duplicate_ip_window_minutes", data.duplicate_ip_window_minutes, 1, 10080,
         "同一 IP 的时间窗口应在 1–10080 分钟之间"),
        ("straightlining_min_rows", data.straightlining_min_rows, 2, 60,
         "直线作答判定的矩阵行数应在 2–60 之间"),
    ]  # fmt: skip
    for name, value, low, high, message in checks:
        if value is not None and not low <= value <= high:
            errors.append({"field": name, "message": message})
    widest = max(
        (len(q.options) for q in questions_of(survey) if q.type in ("likert", "matrix", "single")),
        default=5,
    )
    if not 1 <= data.top_k <= max(widest - 1, 1):
        errors.append({"field": "top_k", "message": f"满意等级数应在 1–{max(widest - 1, 1)} 之间"})
    if errors:
        raise ValidationFailed("筛选规则有误，未保存", details=errors)
    require_results_change_confirmed(
        db, engagement, survey, confirmed=confirm_clear, action="修改有效问卷筛选规则"
    )
    before = {"rules": dict(survey.rules or {}), "top_k": survey.top_k}
    survey.rules = {
        "min_duration_seconds": data.min_duration_seconds,
        "duplicate_ip_window_minutes": data.duplicate_ip_window_minutes,
        "straightlining_min_rows": data.straightlining_min_rows,
        "require_answers": bool(data.require_answers),
    }
    survey.top_k = data.top_k
    survey.updated_at = utcnow()
    db.add(survey)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="survey.rules",
        obj=survey,
        engagement_id=engagement.id,
        before=before,
        after={"rules": survey.rules, "top_k": survey.top_k},
        summary=f"{survey.title}：修改有效问卷筛选规则",
    )
    results_changed(
        db, actor=actor, engagement=engagement, survey=survey, reason="的筛选规则已修改"
    )
    return survey


def rules_summary(survey: Survey) -> list[str]:
    """The enabled filters in words."""
    rules = rules_of(survey)
    found = []
    if rules.min_duration_seconds is not None:
        found.append(f"答题用时少于 {rules.min_duration_seconds} 秒")
    if rules.duplicate_ip_window_minutes is not None:
        found.append(f"同一 IP 在 {rules.duplicate_ip_window_minutes} 分钟内重复作答")
    if rules.straightlining_min_rows is not None:
        found.append(f"{rules.straightlining_min_rows} 行及以上的矩阵题全部选同一项")
    if rules.require_answers:
        found.append("必答题未作答")
    return found
