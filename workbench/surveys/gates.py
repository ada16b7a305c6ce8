"""The `survey` stage gate, and when the stage does not apply.

The stage is complete when every survey is closed, holds at least the sample plan's required
number of valid answers (or the lead waived it with a reason), and every satisfaction leaf of the
indicator tree is linked to a survey figure. Without a satisfaction leaf the stage does not apply.
"""

from __future__ import annotations

from sqlmodel import Session

from workbench.engagements.models import Engagement
from workbench.engagements.stages import Blocker, Stage, registry
from workbench.surveys.collection.sample_plan import required_sample
from workbench.surveys.design.surveys import list_surveys
from workbench.surveys.linking import has_satisfaction_leaf, satisfaction_leaves
from workbench.surveys.models import Survey
from workbench.surveys.statistics.service import valid_count


@registry.not_applicable_when(Stage.survey)
def survey_not_applicable(db: Session, engagement: Engagement) -> str | None:
    if has_satisfaction_leaf(db, engagement):
        return None
    return "指标体系中没有满意度指标，无需开展满意度调查"


@registry.gate(Stage.survey)
def survey_gate(db: Session, engagement: Engagement) -> list[Blocker]:
    """Open surveys, too few valid answers, missing plans and unlinked satisfaction leaves."""
    base = f"/engagements/{engagement.id}/surveys"
    surveys = list_surveys(db, engagement)
    found: list[Blocker] = []
    if not surveys:
        found.append(Blocker("尚未建立满意度调查问卷", base))
    by_id: dict[int, Survey] = {s.id: s for s in surveys}
    for survey in surveys:
        link = f"{base}/{survey.id}"
        if not survey.is_closed:
            found.append(Blocker(f"问卷“{survey.title}”尚未结束回收（{survey.status_name}）", link))
        required = required_sample(survey)
        if required is None:
            found.append(
                Blocker(f"问卷“{survey.title}”尚未确定抽样方案（应回收的有效问卷数）", link)
            )
            continue
        if survey.waived:
            continue
        valid, _collected = valid_count(db, survey)
        if valid < required:
            found.append(
                Blocker(
                    f"问卷“{survey.title}”有效问卷 {valid} 份，少于抽样方案要求的 {required} 份"
                    "（可补充回收，或由项目负责人说明理由后豁免）",
                    link,
                )
            )
    for leaf in satisfaction_leaves(db, engagement):
        target = (
            (leaf.survey_link or {}).get("survey_id")
            if isinstance(leaf.survey_link, dict)
            else None
        )
        if target not in by_id:
            found.append(Blocker(f"满意度指标“{leaf.name}”尚未关联问卷结果", base))
    return found
