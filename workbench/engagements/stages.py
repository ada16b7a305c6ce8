"""The ten stages of an engagement, their order, transitions and gate registry (pure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Stage(StrEnum):
    commission = "commission"
    plan = "plan"
    indicators = "indicators"
    fieldwork = "fieldwork"
    survey = "survey"
    scoring = "scoring"
    report = "report"
    consultation = "consultation"
    bureau_review = "bureau_review"
    archive = "archive"


ORDER: tuple[Stage, ...] = tuple(Stage)

STAGE_NAMES: dict[Stage, str] = {
    Stage.commission: "接受委托",
    Stage.plan: "评价方案",
    Stage.indicators: "指标体系",
    Stage.fieldwork: "资料收集与现场评价",
    Stage.survey: "满意度调查",
    Stage.scoring: "综合评分",
    Stage.report: "报告撰写",
    Stage.consultation: "征求意见",
    Stage.bureau_review: "提交与审核",
    Stage.archive: "归档",
}

STAGE_WORK: dict[Stage, str] = {
    Stage.commission: "委托合同、工作组、费用与保证金条款、回避声明和保密承诺",
    Stage.plan: "评价范围、方法、进度、抽样方案，方案专家评审与委托方确认",
    Stage.indicators: "指标体系、权重与评分标准",
    Stage.fieldwork: "资料清单、内业审核、现场核查、访谈与座谈",
    Stage.survey: "问卷设计、发放回收、问卷星导入与统计",
    Stage.scoring: "逐项评分、汇总得分与评价等级",
    Stage.report: "按提纲撰写报告并三级复核",
    Stage.consultation: "征求被评价单位意见并逐条回复",
    Stage.bureau_review: "提交委托方审核、修改完善、质量考核",
    Stage.archive: "归档目录、保管期限、锁定",
}


class Status(StrEnum):
    done = "done"
    current = "current"
    blocked = "blocked"
    todo = "todo"
    not_applicable = "not_applicable"


STATUS_NAMES = {
    Status.done: "已完成",
    Status.current: "进行中",
    Status.blocked: "受阻",
    Status.todo: "待开始",
    Status.not_applicable: "不适用",
}


@dataclass(frozen=True)
class Blocker:
    """Why a stage cannot be completed yet: a sentence and, where useful, where to fix it."""

    text: str
    link: str | None = None


@dataclass
class FlowStep:
    key: Stage
    name: str
    status: Status
    blockers: list[Blocker] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key.value,
            "name": self.name,
            "status": self.status.value,
            "blockers": [b.text for b in self.blockers],
        }


# Until a domain computes a stage's gate, the lead confirms a checklist (data, not code).
CHECKLISTS: dict[Stage, list[tuple[str, str]]] = {
    Stage.commission: [("contract_signed", "委托合同已签订，费用与质量保证金条款已明确")],
    # The plan's expert review and the bureau's approval are derived from the record (DerivedItem).
    Stage.plan: [],
    Stage.indicators: [("indicators_confirmed", "指标体系及评分标准已确定，分值合计 100 分")],
    Stage.fieldwork: [("fieldwork_done", "资料收集、内业审核和现场核查已完成，底稿已复核")],
    Stage.survey: [("survey_done", "满意度调查已完成，有效样本量达到方案要求")],
    Stage.scoring: [("scores_signed", "全部指标已评分，项目负责人已签字确认")],
    Stage.report: [("report_reviewed", "评价报告初稿已完成三级复核")],
    Stage.consultation: [("opinions_answered", "被评价单位意见已逐条回复")],
    Stage.bureau_review: [("report_approved", "正式报告已经委托方审核通过，质量考核已完成")],
    Stage.archive: [("archive_complete", "档案资料已按目录整理齐全")],
}


@dataclass(frozen=True)
class DerivedItem:
    """A gate condition read from the record (not ticked by hand): met or not, and why."""

    text: str
    ok: bool
    detail: str = ""
    link: str | None = None

    def blocker(self) -> Blocker:
        return Blocker(f"{self.text}：{self.detail}" if self.detail else self.text, self.link)


GateFn = Callable[[Any, Any], list[Blocker]]
ItemFn = Callable[[Any, Any], list[DerivedItem]]
ApplicabilityFn = Callable[[Any, Any], str | None]


@dataclass
class GateRegistry:
    """Each domain contributes gate checks for the stages it owns."""

    gates: dict[Stage, list[GateFn]] = field(default_factory=dict)
    replaces_checklist: set[Stage] = field(default_factory=set)
    applicability: dict[Stage, ApplicabilityFn] = field(default_factory=dict)
    items: dict[Stage, list[ItemFn]] = field(default_factory=dict)

    def gate(self, stage: Stage, *, replaces_checklist: bool = True) -> Callable[[GateFn], GateFn]:
        def decorate(fn: GateFn) -> GateFn:
            self.gates.setdefault(stage, []).append(fn)
            if replaces_checklist:
                self.replaces_checklist.add(stage)
            return fn

        return decorate

    def derived(self, stage: Stage) -> Callable[[ItemFn], ItemFn]:
        """Register conditions shown on the flowchart with their state; unmet ones block."""

        def decorate(fn: ItemFn) -> ItemFn:
            self.items.setdefault(stage, []).append(fn)
            return fn

        return decorate

    def not_applicable_when(self, stage: Stage) -> Callable[[ApplicabilityFn], ApplicabilityFn]:
        """Register a check returning a reason when the stage does not apply, else None."""

        def decorate(fn: ApplicabilityFn) -> ApplicabilityFn:
            self.applicability[stage] = fn
            return fn

        return decorate

    def checklist(self, stage: Stage) -> list[tuple[str, str]]:
        return [] if stage in self.replaces_checklist else CHECKLISTS.get(stage, [])


registry = GateRegistry()


def index(stage: Stage) -> int:
    return ORDER.index(Stage(stage))


def next_stage(
    current: Stage, not_applicable: set[Stage] | frozenset = frozenset()
) -> Stage | None:
    """The stage after `current`, skipping stages that do not apply; None after archive."""
    for stage in ORDER[index(current) + 1 :]:
        if stage not in not_applicable:
            return stage
    return None


def can_move_back(current: Stage, target: Stage) -> bool:
    return index(target) < index(current)


def checklist_blockers(
    stage: Stage, items: list[tuple[str, str]], confirmed: set[str]
) -> list[Blocker]:
    return [Blocker(f"待确认：{text}") for key, text in items if key not in confirmed]


def build_flow(
    current: Stage,
    *,
    blockers: list[Blocker],
    not_applicable: set[Stage] | frozenset = frozenset(),
    archived: bool = False,
) -> list[FlowStep]:
    """Statuses of all ten stages; `blockers` are the current stage's unmet gate conditions.

    They belong to the current stage (what it still needs before it can be left); the stages after
    it are only to do, never shown as blocked themselves.
    """
    steps: list[FlowStep] = []
    here = index(current)
    for i, stage in enumerate(ORDER):
        if stage in not_applicable:
            status = Status.not_applicable
        elif archived or i < here:
            status = Status.done
        elif i == here:
            status = Status.current
        else:
            status = Status.todo
        step_blockers = list(blockers) if status == Status.current else []
        steps.append(FlowStep(stage, STAGE_NAMES[stage], status, step_blockers))
    return steps
