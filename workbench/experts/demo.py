"""The demo expert pool: demo-expert and the four who score with them assigned; 郑高工 unassigned."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session

from workbench.accounts.models import SystemRole, User
from workbench.accounts.services import create_user
from workbench.engagements.models import DeclarationKind, Engagement
from workbench.engagements.services import sign_declaration
from workbench.experts import plan_reviews
from workbench.experts.assignments import add_fee, assign
from workbench.experts.pool import ExpertInput, create_expert, declare_conflict

# username, name, title, fields, organisation of the experts who score with demo-expert.
SCORERS = [
    ("demo-expert-wu", "吴研究员", "研究员", "农业、乡村振兴", "示例市农业科学院"),
    ("demo-expert-qian", "钱高会", "高级会计师", "财务管理、预算绩效", "示例会计师事务所"),
    ("demo-expert-sun", "孙教授", "教授", "营养与食品卫生", "示例医科大学公共卫生学院"),
    ("demo-expert-zhou", "周主任", "主任医师", "儿童保健", "示例市妇幼保健院"),
]


@dataclass
class _Scorer:
    id: int
    user: User


def _scoring_expert(session: Session, admin: User, username, name, title, tags, organisation):
    """A pool expert with an account of their own (random password: not a demo login)."""
    user = create_user(
        session,
        actor=None,
        username=username,
        display_name=name,
        password=secrets.token_urlsafe(24),
        org_id=None,
        system_role=SystemRole.external,
        check_policy=False,
        managed_by_id=admin.org_id,
    )
    expert = create_expert(
        session,
        actor=admin,
        data=ExpertInput(
            name=name, title=title, field_tags=tags, organisation=organisation, user_id=user.id
        ),
    )
    return _Scorer(expert.id, user)


def fill(session: Session, engagement: Engagement, users: dict[str, User]) -> None:
    """Profiles for the pool; demo-expert (already a member) linked and assigned with a fee."""
    admin, lead = users["demo-admin"], users["demo-lead"]
    expert = create_expert(
        session,
        actor=admin,
        data=ExpertInput(
            name=users["demo-expert"].display_name,
            title="教授、高级会计师",
            field_tags="教育、财务管理、绩效评价",
            organisation="示例大学经济管理学院",
            phone="0000-12345678",
            email="demo-expert@example.com",
            user_id=users["demo-expert"].id,
            note="演示专家：参与方案评审和专家评分",
        ),
    )
    declare_conflict(
        session,
        actor=users["demo-expert"],
        expert=expert,
        org_name="示例县教育局",
        relation="近亲属任职",
    )
    # 郑高工 works at the evaluated unit: in the pool, never assigned (the conflict check says why).
    create_expert(
        session,
        actor=admin,
        data=ExpertInput(
            name="郑高工",
            title="高级工程师",
            field_tags="教育、基本建设",
            organisation="示例市教育局",
        ),
    )
    scorers = [_scoring_expert(session, admin, *row) for row in SCORERS]
    # demo-expert is already on the team (the demo adds the member): the assignment links it.
    assignment = assign(
        session, actor=lead, engagement=engagement, expert_id=expert.id, duty="方案评审、专家评分"
    )
    # The other four of the five who score 绩效指标明确性: accounts they have not used yet.
    for scorer in scorers:
        assign(session, actor=lead, engagement=engagement, expert_id=scorer.id, duty="专家评分")
        for kind in DeclarationKind:
            sign_declaration(session, actor=scorer.user, engagement=engagement, kind=kind)
    add_fee(
        session,
        actor=lead,
        engagement=engagement,
        assignment_id=assignment.id,
        item="评价方案评审费",
        amount=Decimal("1500.00"),
        fee_date=(engagement.planned_start or engagement.created_at.date()) + timedelta(days=7),
        note="演示数据",
    )
    # demo-expert signs the plan review in the app (the plan stage's gate reads it).
    if plan_reviews.newest_plan(session, engagement) is not None:
        plan_reviews.sign(
            session,
            actor=users["demo-expert"],
            engagement=engagement,
            data=plan_reviews.ReviewInput(
                conclusion="passed_after_changes",
                opinion="评价方案的范围、方法和进度安排总体可行，指标体系框架符合项目支出绩效评价的"
                "要求。建议：一、满意度调查应说明抽样方法和样本量测算依据，并按城区、乡镇学校分层；"
                "二、现场核查学校的抽取应兼顾资金规模和地域分布；三、明确资料提交的时限。"
                "按上述意见修改后通过。",
            ),
        )
