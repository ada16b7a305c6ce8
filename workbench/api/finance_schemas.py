"""The bodies and answers of the finance record's API (api/finance_record.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from workbench.finance import terms as t

Event = Literal["signing", "plan_approved", "report_approved", "deposit_release"]


# --- bodies -----------------------------------------------------------------------------------


class ContractInstalmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: Event = Field(description="付款节点")
    percent: Decimal = Field(description="占合同金额的百分比，如 30 表示 30%")


class ReleaseBandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_score: Decimal = Field(description="得分不低于（0–100）")
    fraction: Decimal = Field(description="释放比例（0–1 的小数，如 0.8 表示释放 80%）")


class _Terms(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deposit_rate: Decimal | None = Field(default=None, description="质量保证金比例（%，如 10）")
    instalments: list[ContractInstalmentIn] | None = Field(default=None, max_length=20)
    bands: list[ReleaseBandIn] | None = Field(
        default=None, max_length=20, description="从高分到低分"
    )
    release_days: int | None = Field(default=None, ge=0, le=t.MAX_RELEASE_DAYS)
    note: str | None = Field(default=None, max_length=2000)


class ContractIn(_Terms):
    """A new contract; the terms left out are the agency's defaults (费用与保证金规则)."""

    number: str = Field(min_length=1, max_length=60, description="合同编号")
    signed_on: date
    fee: Decimal = Field(description="合同金额（元，两位小数）")


class ContractPatch(_Terms):
    """The contract fields a client changes; those left out keep their values."""

    number: str | None = Field(default=None, min_length=1, max_length=60)
    signed_on: date | None = None
    fee: Decimal | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> ContractPatch:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} 不能为 null")
        return self


class LedgerEntryIn(BaseModel):
    """An invoice or a receipt."""

    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(description="金额（元，两位小数）")
    entry_date: date
    instalment: int | None = Field(
        default=None, ge=0, le=99, description="对应分期：分期列表的 index（从 0 起），可不填"
    )
    note: str = Field(default="", max_length=1000)


class DepositWithholdingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(description="预留的质量保证金（元）")
    entry_date: date
    note: str = Field(default="", max_length=1000)


class DepositReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(description="本次到账的释放金额（元，可分次）")
    paid_on: date
    note: str = Field(default="", max_length=1000)


class LedgerVoidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000, description="作废原因")


# --- answers ----------------------------------------------------------------------------------


class ContractInstalmentOut(BaseModel):
    event: str
    event_name: str
    percent: Decimal
    amount: Decimal


class ReleaseBandOut(BaseModel):
    min_score: Decimal
    fraction: Decimal


class ContractOut(BaseModel):
    id: int
    engagement_id: int
    number: str
    signed_on: date
    fee: Decimal
    deposit_rate: Decimal = Field(description="质量保证金比例（%）")
    deposit: Decimal = Field(description="质量保证金 = 合同金额 × 比例（元）")
    instalments: list[ContractInstalmentOut]
    bands: list[ReleaseBandOut]
    release_days: int
    note: str
    quality_score: Decimal | None
    accepted_on: date | None
    release_fraction: Decimal | None
    release_amount: Decimal | None
    release_due: date | None
    version: int
    created_at: datetime
    updated_at: datetime


class InstalmentProgressOut(BaseModel):
    index: int
    event: str
    event_name: str
    percent: Decimal
    amount: Decimal
    invoiced: Decimal = Field(description="已开票（保证金一期：已预留）")
    received: Decimal = Field(description="已收款（保证金一期：已释放到账）")
    is_deposit: bool
    triggered: bool = Field(description="付款节点已到（应收）")


class InstalmentProgressList(BaseModel):
    items: list[InstalmentProgressOut]


class LedgerEntryOut(BaseModel):
    id: int
    kind: str
    kind_name: str
    amount: Decimal
    instalment: int | None
    entry_date: date
    note: str
    created_by_id: int | None
    created_at: datetime
    voided: bool
    voided_at: datetime | None
    voided_by_id: int | None
    void_reason: str


class LedgerEntryPage(BaseModel):
    items: list[LedgerEntryOut]
    next_cursor: str | None
