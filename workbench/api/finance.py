"""Finance endpoint: an engagement's quality deposit (agency team and admins only)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from workbench import db
from workbench.api.blueprint import operation, respond
from workbench.core.permissions import guarded_object, requires
from workbench.engagements import services as engagements
from workbench.engagements.models import Engagement
from workbench.finance import services


class DepositOut(BaseModel):
    """Decimals as strings; null until known (no contract yet, not yet rated)."""

    fee: str | None = Field(description="合同金额（元，两位小数）")
    deposit: str | None = Field(description="质量保证金 = 合同金额 × 比例（元）")
    rate: str | None = Field(description="保证金比例（小数，如 0.10 表示 10%）")
    quality_score: str | None = Field(description="委托方质量考核得分")
    release_fraction: str | None = Field(description="按得分档次确定的释放比例（小数）")
    released: str | None = Field(description="已释放到账金额（元）")
    due_date: str | None = Field(description="释放到期日（验收日 + 约定天数），YYYY-MM-DD")
    status: str = Field(description="none | withheld | due | overdue | released | closed")


def load(id: int, **_) -> Engagement:  # noqa: A002 - the path parameter is called id in DESIGN.md
    return engagements.get(db.session(), id)


@operation(
    "/engagements/{id}/deposit",
    "GET",
    summary="质量保证金：金额、比例、考核得分、释放比例、已释放、到期日与状态",
    response=DepositOut,
    tag="finance",
)
@requires("finance.view", load=load)
def get_deposit(id: int):  # noqa: A002
    summary = services.summary(db.session(), guarded_object())
    return respond(DepositOut(**services.deposit_figures(summary)))
