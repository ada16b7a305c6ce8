"""The expert review of the evaluation plan (方案专家评审意见): opinion, conclusion, signature."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from workbench.core.timeutil import utcnow


class Conclusion(StrEnum):
    passed = "passed"
    passed_after_changes = "passed_after_changes"
    failed = "failed"


CONCLUSION_NAMES = {
    Conclusion.passed: "通过",
    Conclusion.passed_after_changes: "修改后通过",
    Conclusion.failed: "不通过",
}


class PlanReview(SQLModel, table=True):
    """One expert's opinion on the plan: signed in the app by the expert, or a paper opinion
    recorded by the lead with its scan. Rows are never edited; a new review supersedes."""

    __tablename__ = "plan_review"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    expert_id: int = Field(foreign_key="expert.id", index=True)
    plan_version_id: int | None = Field(default=None, foreign_key="deliverable_version.id")
    plan_version_number: int | None = None
    conclusion: str = Field(max_length=24)
    opinion: str = Field(max_length=4000)
    signed_by_id: int | None = Field(default=None, foreign_key="user.id")  # the expert, in-app
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")  # the lead, paper
    scan_sha256: str | None = Field(default=None, foreign_key="blob.sha256", max_length=64)
    scan_name: str = Field(default="", max_length=255)
    scan_mime: str = Field(default="", max_length=120)
    content_hash: str = Field(max_length=64)  # SHA-256 of what was signed
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def conclusion_name(self) -> str:
        return CONCLUSION_NAMES[Conclusion(self.conclusion)]

    @property
    def on_paper(self) -> bool:
        return self.signed_by_id is None
