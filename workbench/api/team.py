"""The team and its declarations: who works on the engagement in which role, who has signed what.

The same services as the 工作组与声明 page: a member joins through `join_team` (an expert is
assigned from the pool), leaves through `leave_team`, and each person signs their own
independence and confidentiality declarations before working on the engagement.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func
from sqlmodel import col, select

from workbench import db
from workbench.accounts.models import User
from workbench.api import cursor
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.engagements import load
from workbench.core.errors import NotFound
from workbench.core.permissions import guarded_object, requires
from workbench.engagements import services
from workbench.engagements.models import DECLARATION_NAMES, Engagement, Member
from workbench.experts import services as experts

Role = Literal["lead", "evaluator", "reviewer", "expert", "bureau", "unit"]
Kind = Literal["independence", "confidentiality"]


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: int | None = Field(default=None, ge=1)
    username: str | None = Field(default=None, min_length=1, max_length=60)
    role: Role
    duty: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _one_person(self) -> MemberIn:
        if (self.user_id is None) == (self.username is None):
            raise ValueError("user_id 与 username 须且只须给出一个")
        return self


class DeclarationOut(BaseModel):
    kind: Kind
    kind_name: str
    signed_at: datetime
    has_conflict: bool
    conflict_detail: str


class MemberOut(BaseModel):
    id: int
    user_id: int
    username: str
    name: str
    role: Role
    role_name: str
    duty: str
    declarations: list[DeclarationOut]


class TeamOut(BaseModel):
    items: list[MemberOut]
    next_cursor: str | None = None


class DeclarationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    has_conflict: bool = False
    conflict_detail: str = Field(default="", max_length=2000)


def _declaration(d) -> DeclarationOut:
    return DeclarationOut(
        kind=d.kind,
        kind_name=DECLARATION_NAMES[d.kind],
        signed_at=d.signed_at,
        has_conflict=d.has_conflict,
        conflict_detail=d.conflict_detail,
    )


def _members(engagement: Engagement) -> list[MemberOut]:
    session = db.session()
    users = services.users_by_id(session, {m.user_id for m in engagement.members})
    signed = services.declarations(session, engagement)
    return [
        MemberOut(
            id=m.id,
            user_id=m.user_id,
            username=users[m.user_id].username if m.user_id in users else "",
            name=users[m.user_id].display_name if m.user_id in users else "",
            role=m.role,
            role_name=m.role_name,
            duty=m.duty,
            declarations=[_declaration(d) for (uid, _k), d in signed.items() if uid == m.user_id],
        )
        for m in engagement.members
    ]


@operation(
    "/engagements/{id}/team",
    "GET",
    summary="工作组成员：角色、分工和各自签署的独立性声明、保密承诺（新加入的在前；分页：limit, cursor）",
    response=TeamOut,
    tag="team",
)
@requires("engagement.internal", load=load)
def get_team(id: int):  # noqa: A002
    rows, next_cursor = cursor.page_of(_members(guarded_object()), lambda m: m.id)
    return respond(TeamOut(items=rows, next_cursor=next_cursor))


@operation(
    "/engagements/{id}/team",
    "POST",
    summary=(
        "添加成员 {user_id | username, role, duty}：与工作组页同一规则（机构角色须为本机构人员，"
        "委托方、被评价单位联系人须属于本项目的对应单位，专家须已在专家库建档）；已是成员时 409"
    ),
    body=MemberIn,
    response=MemberOut,
    status=201,
    tag="team",
)
@requires("engagement.manage", load=load)
def add_team_member(id: int):  # noqa: A002
    engagement = guarded_object()
    body = parse_body(MemberIn)
    session = db.session()
    user_id = body.user_id
    if user_id is None:
        user_id = session.exec(
            select(User.id).where(func.lower(col(User.username)) == body.username.lower())
        ).first()
        if user_id is None:
            raise NotFound("没有该用户名的账号")
    member = experts.join_team(session, actor=current_user, engagement=engagement,
                               user_id=user_id, role=body.role, duty=body.duty)  # fmt: skip
    session.refresh(engagement)
    return respond(next(m for m in _members(engagement) if m.id == member.id), 201)


@operation(
    "/engagements/{id}/team/{member_id}",
    "DELETE",
    summary="移除成员（专家的指派随之结束，历史和费用保留）；项目须保留一名项目负责人",
    status=204,
    tag="team",
)
@requires("engagement.manage", load=load)
def remove_team_member(id: int, member_id: int):  # noqa: A002
    engagement = guarded_object()
    member = db.session().get(Member, member_id)
    if member is None or member.engagement_id != engagement.id:
        raise NotFound("成员不存在")
    experts.leave_team(db.session(), actor=current_user, engagement=engagement, member_id=member_id)
    return "", 204


@operation(
    "/engagements/{id}/declarations",
    "POST",
    summary=(
        "签署本人的声明 {kind: independence|confidentiality, has_conflict, conflict_detail}："
        "项目负责人、评价人员、复核人和专家须先签署两份声明方可参与工作；已签署时 409"
    ),
    body=DeclarationIn,
    response=DeclarationOut,
    status=201,
    tag="team",
)
@requires("engagement.declare", load=load)
def sign_declaration(id: int):  # noqa: A002
    body = parse_body(DeclarationIn)
    declaration = services.sign_declaration(
        db.session(),
        actor=current_user,
        engagement=guarded_object(),
        kind=body.kind,
        has_conflict=body.has_conflict,
        conflict_detail=body.conflict_detail,
    )
    return respond(_declaration(declaration), 201)
