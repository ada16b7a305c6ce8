"""The demo expert pool: demo-expert's profile, linked and assigned, plus two more experts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session

from workbench.accounts.models import User
from workbench.engagements.models import Engagement
from workbench.experts import plan_reviews
from workbench.experts.assignments import add_fee, assign
from workbench.experts.pool import ExpertInput, create_expert, declare_conflict


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
    for name, title, tags, organisation in (
        ("吴研究员", "研究员", "农业、乡村振兴", "示例市农业科学院"),
        ("郑高工", "高级工程师", "教育、基本建设", "示例市教育局"),
    ):
        create_expert(
            session,
            actor=admin,
            data=ExpertInput(name=name, title=title, field_tags=tags, organisation=organisation),
        )
    # demo-expert is already on the team (the demo adds the member): the assignment links it.
    assignment = assign(
        session, actor=lead, engagement=engagement, expert_id=expert.id, duty="方案评审、专家评分"
    )
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
