"""The demo: one agency, two bureaus, a unit, one user per role and an engagement part-way through."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from workbench.accounts import services as accounts
from workbench.accounts.models import OrgKind, SystemRole, User
from workbench.domains import modules
from workbench.engagements import services as engagements
from workbench.engagements.models import DeclarationKind, Engagement
from workbench.engagements.services import flow
from workbench.engagements.stages import Stage, registry

DEMO_TITLE = "2025年度农村义务教育学生营养改善计划补助资金绩效评价"

USERS = [
    # username, name, org key, role, label
    ("demo-admin", "王管理", "agency", SystemRole.admin, "机构管理员"),
    ("demo-lead", "李项目", "agency", SystemRole.staff, "项目负责人"),
    ("demo-evaluator", "张评价", "agency", SystemRole.staff, "评价人员"),
    ("demo-reviewer", "赵复核", "agency", SystemRole.staff, "复核人"),
    ("demo-expert", "陈专家", None, SystemRole.external, "专家"),
    ("demo-bureau", "刘财政", "bureau", SystemRole.external, "委托方（示例市财政局）审核人"),
    (
        "demo-bureau2",
        "孙财政",
        "bureau2",
        SystemRole.external,
        "另一委托方（示例县财政局），看不到演示项目",
    ),
    ("demo-unit", "周联络", "unit", SystemRole.external, "被评价单位（示例市教育局）联系人"),
]

# 职称 and 资格证书 of the agency's people, as the plan's team table prints them.
QUALIFICATIONS = {
    "demo-lead": ("高级会计师", "中国注册会计师\n中国注册资产评估师"),
    "demo-evaluator": ("经济师", "初级会计专业技术资格"),
    "demo-reviewer": ("高级会计师", "中国注册会计师"),
}

ORGS = {
    "agency": ("示例绩效评价咨询有限公司", OrgKind.agency),
    "bureau": ("示例市财政局", OrgKind.bureau),
    "bureau2": ("示例县财政局", OrgKind.bureau),
    "unit": ("示例市教育局", OrgKind.unit),
}


def load_demo(session: Session, *, password: str) -> list[tuple[str, str]]:
    """Create the demo once (idempotent) and return the logins to print."""
    logins = [(u[0], u[4]) for u in USERS]
    if session.exec(select(User).where(User.username == "demo-admin")).first() is not None:
        return logins
    orgs = {
        key: accounts.get_or_create_org(session, actor=None, name=name, kind=kind)
        for key, (name, kind) in ORGS.items()
    }
    users = {
        username: accounts.create_user(
            session,
            actor=None,
            username=username,
            display_name=name,
            password=password,
            org_id=orgs[org].id if org else None,
            system_role=role,
            check_policy=False,
            managed_by_id=orgs["agency"].id,  # the demo agency's admin administers them all
        )
        for username, name, org, role, _label in USERS
    }
    for username, (title, qualifications) in QUALIFICATIONS.items():
        accounts.save_qualifications(
            session,
            actor=users[username],
            user=users[username],
            values={"title": title, "qualifications": qualifications},
        )
    engagement = _engagement(session, users, orgs)
    for module in modules("demo"):  # each domain fills its part of the demo engagement
        module.fill(session, engagement, users)
    walk(session, engagement, users["demo-lead"], until=Stage.fieldwork)
    return logins


def _engagement(session: Session, users: dict[str, User], orgs: dict) -> Engagement:
    lead = users["demo-lead"]
    today = date.today()
    engagement = engagements.create(
        session,
        actor=lead,
        data=engagements.EngagementInput(
            title=DEMO_TITLE,
            type="project",
            bureau_id=orgs["bureau"].id,
            unit_id=orgs["unit"].id,
            budget_year=2025,
            budget_amount=Decimal("12500000.00"),
            funds_available=Decimal("12000000.00"),
            funds_spent=Decimal("11202000.00"),
            description=(
                "为改善农村义务教育阶段学生营养状况，市级财政安排补助资金，按每生每天 5 元标准为"
                "农村义务教育学生提供营养膳食补助，计划覆盖全市 126 所学校约 5.2 万名学生。"
            ),
            planned_start=today - timedelta(days=40),
            planned_end=today + timedelta(days=50),
        ),
    )
    staff(
        session,
        engagement,
        lead=lead,
        users=users,
        team=(
            ("demo-evaluator", "evaluator", "资料审核、现场核查、问卷调查"),
            ("demo-reviewer", "reviewer", "底稿及报告复核"),
            ("demo-expert", "expert", "方案评审、专家评分"),
            ("demo-unit", "unit", "资料提供与意见反馈"),
        ),
    )
    return engagement


def staff(
    session: Session,
    engagement: Engagement,
    *,
    lead: User,
    users: dict[str, User],
    team: tuple[tuple[str, str, str], ...],
) -> None:
    """The demo team on an engagement: (username, role, duty) members added by the lead, and the
    firm's people (lead, evaluator, reviewer, expert) sign their declarations."""
    for username, role, duty in team:
        engagements.add_member(
            session,
            actor=lead,
            engagement=engagement,
            user_id=users[username].id,
            role=role,
            duty=duty,
        )
    for username in ("demo-lead", "demo-evaluator", "demo-reviewer", "demo-expert"):
        for kind in DeclarationKind:
            engagements.sign_declaration(
                session, actor=users[username], engagement=engagement, kind=kind
            )


def walk(session: Session, engagement: Engagement, lead: User, *, until: Stage) -> None:
    """Advance the demo to `until`, confirming checklists on the way, while the gates allow."""
    while Stage(engagement.stage) != until:
        stage = Stage(engagement.stage)
        for key, _text in registry.checklist(stage):
            flow.confirm_item(
                session, actor=lead, engagement=engagement, stage=stage, item=key, note="演示数据"
            )
        if flow.blockers_for(session, engagement, stage):
            return
        flow.advance(session, actor=lead, engagement=engagement)
