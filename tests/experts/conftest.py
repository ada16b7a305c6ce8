"""Expert fixtures: the demo agency's pool with a fresh engagement and expert accounts."""

import pytest

from workbench.accounts.models import Organisation
from workbench.engagements import services as engagements
from workbench.engagements.models import DeclarationKind
from workbench.experts import services


@pytest.fixture()
def pool(db, demo, make_user):
    """A fresh engagement of demo-lead (bureau 示例市财政局, unit 示例市教育局) and two experts
    with accounts: 钱专家 (no ties) and 孙专家 (tied to the evaluated unit)."""
    lead, admin = demo.users["demo-lead"], demo.users["demo-admin"]
    engagement = engagements.create(
        db,
        actor=lead,
        data=engagements.EngagementInput(
            title="专家测试项目",
            type="project",
            bureau_id=demo.engagement.bureau_id,
            unit_id=demo.engagement.unit_id,
            budget_year=2025,
        ),
    )
    for kind in DeclarationKind:
        engagements.sign_declaration(db, actor=lead, engagement=engagement, kind=kind)
    agency = db.get(Organisation, engagement.agency_id)  # the agency's own expert accounts
    clean_user = make_user("expert", username="expert-qian", managed_by=agency)
    tied_user = make_user("expert", username="expert-sun", managed_by=agency)
    clean = services.create_expert(
        db,
        actor=admin,
        data=services.ExpertInput(
            name="钱专家", title="研究员", field_tags="教育, 统计", user_id=clean_user.id
        ),
    )
    tied = services.create_expert(
        db,
        actor=admin,
        data=services.ExpertInput(
            name="孙专家", title="高级会计师", field_tags="财务管理", user_id=tied_user.id
        ),
    )
    services.declare_conflict(
        db, actor=tied_user, expert=tied, org_name="示例市教育局", relation="配偶任职"
    )
    db.flush()
    return type(
        "Pool",
        (),
        {
            "engagement": engagement,
            "lead": lead,
            "admin": admin,
            "clean": clean,
            "tied": tied,
            "clean_user": clean_user,
            "tied_user": tied_user,
        },
    )
