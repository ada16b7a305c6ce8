"""Engagement services against the database: creation, team, declarations, the gated flow."""

from decimal import Decimal

import pytest
from sqlmodel import select

from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, Locked, NotAllowed, ValidationFailed
from workbench.engagements import flow, services
from workbench.engagements.models import Engagement
from workbench.engagements.stages import Stage


def _input(bureau_id, **overrides):
    data = dict(
        title="测试项目",
        type="project",
        bureau_id=bureau_id,
        budget_year=2025,
        budget_amount=Decimal("1000000.00"),
    )
    data.update(overrides)
    return services.EngagementInput(**data)


@pytest.fixture()
def team(db, make_user):
    lead = make_user("agency", role="staff")
    agency_org_id = lead.org_id
    from workbench.accounts.models import Organisation

    agency = db.get(Organisation, agency_org_id)
    evaluator = make_user("agency", org=agency)
    bureau_user = make_user("bureau")
    engagement = services.create(db, actor=lead, data=_input(bureau_user.org_id))
    return type(
        "Team",
        (),
        {
            "lead": lead,
            "evaluator": evaluator,
            "bureau": bureau_user,
            "engagement": engagement,
            "agency": agency,
        },
    )


def _audit(db, action):
    return db.exec(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_create_makes_creator_lead_and_audits(db, team):
    e = team.engagement
    assert e.stage == "commission" and e.code.startswith("PE-2025-")
    assert e.is_lead(team.lead)
    assert e.budget_amount == Decimal("1000000.00")
    assert _audit(db, "engagement.create")[0].actor_id == team.lead.id


def test_create_validates_every_field(db, team):
    with pytest.raises(ValidationFailed) as error:
        services.create(
            db,
            actor=team.lead,
            data=_input(team.agency.id, title=" ", budget_year=1990, budget_amount=Decimal("-1")),
        )
    fields = {d["field"] for d in error.value.details}
    assert fields == {"title", "bureau_id", "budget_year", "budget_amount"}


def test_only_agency_staff_create(db, team):
    with pytest.raises(NotAllowed):
        services.create(db, actor=team.bureau, data=_input(team.bureau.org_id))


def test_bureau_sees_only_its_engagements(db, team, make_user):
    other_bureau = make_user("bureau")
    visible = services.visible_query
    assert db.exec(visible(team.bureau)).all() == [team.engagement]
    assert db.exec(visible(other_bureau)).all() == []
    assert not team.engagement.visible_to(other_bureau)
    assert team.engagement.visible_to(team.bureau)


def test_member_role_must_fit_the_organisation(db, team, make_user):
    with pytest.raises(ValidationFailed):
        services.add_member(
            db,
            actor=team.lead,
            engagement=team.engagement,
            user_id=team.bureau.id,
            role="evaluator",
        )
    unit_user = make_user("unit")
    with pytest.raises(ValidationFailed):  # not the engagement's unit
        services.add_member(
            db, actor=team.lead, engagement=team.engagement, user_id=unit_user.id, role="unit"
        )
    member = services.add_member(
        db,
        actor=team.lead,
        engagement=team.engagement,
        user_id=team.evaluator.id,
        role="evaluator",
        duty="现场核查",
    )
    assert member.role_name == "评价人员"
    with pytest.raises(Conflict):
        services.add_member(
            db,
            actor=team.lead,
            engagement=team.engagement,
            user_id=team.evaluator.id,
            role="reviewer",
        )


def test_last_lead_cannot_be_removed(db, team):
    lead_member = team.engagement.lead()
    with pytest.raises(Conflict):
        services.remove_member(
            db, actor=team.lead, engagement=team.engagement, member_id=lead_member.id
        )


def test_declarations_required_before_acting(db, team):
    with pytest.raises(NotAllowed, match="签署"):
        flow.advance(db, actor=team.lead, engagement=team.engagement)
    for kind in ("independence", "confidentiality"):
        services.sign_declaration(db, actor=team.lead, engagement=team.engagement, kind=kind)
    assert services.declaration_gaps(db, team.engagement, team.lead) == []
    with pytest.raises(Conflict):
        services.sign_declaration(
            db, actor=team.lead, engagement=team.engagement, kind="independence"
        )


def test_declared_conflict_blocks_until_admin_override(db, team, make_user):
    services.add_member(
        db, actor=team.lead, engagement=team.engagement, user_id=team.evaluator.id, role="evaluator"
    )
    with pytest.raises(ValidationFailed):
        services.sign_declaration(
            db,
            actor=team.evaluator,
            engagement=team.engagement,
            kind="independence",
            has_conflict=True,
        )
    d = services.sign_declaration(
        db,
        actor=team.evaluator,
        engagement=team.engagement,
        kind="independence",
        has_conflict=True,
        conflict_detail="配偶在被评价单位任职",
    )
    services.sign_declaration(
        db, actor=team.evaluator, engagement=team.engagement, kind="confidentiality"
    )
    assert "豁免" in services.declaration_gaps(db, team.engagement, team.evaluator)[0]
    with pytest.raises(NotAllowed):
        services.override_conflict(
            db, actor=team.lead, engagement=team.engagement, declaration_id=d.id, reason="x"
        )
    admin = make_user("agency", role="admin", org=team.agency)
    with pytest.raises(ValidationFailed):
        services.override_conflict(
            db, actor=admin, engagement=team.engagement, declaration_id=d.id, reason=" "
        )
    services.override_conflict(
        db, actor=admin, engagement=team.engagement, declaration_id=d.id, reason="不涉及其分管业务"
    )
    assert services.declaration_gaps(db, team.engagement, team.evaluator) == []
    assert _audit(db, "declaration.override")[0].after == {"reason": "不涉及其分管业务"}


def _ready(db, team, *, contract: bool = True):
    """The commission gate's own conditions; the firm asks for no A- papers here (the stage
    papers' conditions are tested in tests/fieldwork/test_stage_papers.py)."""
    from workbench.fieldwork.stage_paper_models import StagePaperSetting

    db.add(StagePaperSetting(agency_id=team.agency.id, stage="commission", template_keys=[]))
    services.add_member(
        db, actor=team.lead, engagement=team.engagement, user_id=team.evaluator.id, role="evaluator"
    )
    for user in (team.lead, team.evaluator):
        for kind in ("independence", "confidentiality"):
            services.sign_declaration(db, actor=user, engagement=team.engagement, kind=kind)
    if contract:
        _contract(db, team)


def _contract(db, team):
    """The commission gate needs the contract (finance domain) with fee and deposit terms."""
    from datetime import date

    from workbench.finance import terms
    from workbench.finance.services import ContractInput, create_contract

    create_contract(
        db,
        actor=team.lead,
        engagement=team.engagement,
        data=ContractInput(
            number="HT-2025-001",
            signed_on=date(2025, 3, 1),
            fee=Decimal("300000.00"),
            deposit_rate=terms.DEFAULT_DEPOSIT_RATE,
            instalments=list(terms.DEFAULT_INSTALMENTS),
            bands=list(terms.DEFAULT_BANDS),
            release_days=terms.DEFAULT_RELEASE_DAYS,
        ),
    )


def test_gate_lists_blockers_then_advances_once_they_are_met(db, team, ctx):
    blockers = [b.text for b in flow.blockers_for(db, team.engagement, Stage.commission)]
    assert any("评价人员" in b for b in blockers) and any("合同" in b for b in blockers)
    _ready(db, team, contract=False)
    with pytest.raises(Conflict) as refused:
        flow.advance(db, actor=team.lead, engagement=team.engagement)
    assert refused.value.details and all("合同" in d for d in refused.value.details)
    _contract(db, team)
    assert flow.advance(db, actor=team.lead, engagement=team.engagement) == Stage.plan
    assert _audit(db, "stage.advance")[0].after == {"stage": "plan"}
    steps = flow.flow(db, team.engagement)
    assert steps[0].status.value == "done" and steps[1].status.value == "current"


def test_confirmations_need_the_lead_and_the_current_stage(db, team, ctx, monkeypatch):
    # Every shipped stage now derives its conditions from the record; a firm's checklist item
    # (data, CHECKLISTS) is still confirmed by the lead at the current stage only.
    from workbench.engagements import stages

    item = "plan_walkthrough"
    monkeypatch.setitem(stages.CHECKLISTS, Stage.plan, [(item, "方案已向工作组交底")])
    _ready(db, team)
    e = team.engagement
    with pytest.raises(Conflict):  # not the current stage yet
        flow.confirm_item(db, actor=team.lead, engagement=e, stage="plan", item=item)
    flow.advance(db, actor=team.lead, engagement=e)
    with pytest.raises(NotAllowed):
        flow.confirm_item(db, actor=team.evaluator, engagement=e, stage="plan", item=item)
    with pytest.raises(ValidationFailed):
        flow.confirm_item(db, actor=team.lead, engagement=e, stage="plan", item="nope")
    flow.confirm_item(db, actor=team.lead, engagement=e, stage="plan", item=item)
    with pytest.raises(Conflict):
        flow.confirm_item(db, actor=team.lead, engagement=e, stage="plan", item=item)
    flow.unconfirm_item(db, actor=team.lead, engagement=e, stage="plan", item=item)
    assert flow.confirmed_items(db, e, Stage.plan) == {}


def test_move_back_requires_reason_and_earlier_stage(db, team, ctx):
    _ready(db, team)
    flow.advance(db, actor=team.lead, engagement=team.engagement)
    with pytest.raises(ValidationFailed):
        flow.move_back(
            db, actor=team.lead, engagement=team.engagement, target="commission", reason="  "
        )
    with pytest.raises(Conflict):
        flow.move_back(db, actor=team.lead, engagement=team.engagement, target="report", reason="x")
    with pytest.raises(ValidationFailed):
        flow.move_back(
            db, actor=team.lead, engagement=team.engagement, target="nowhere", reason="x"
        )
    assert (
        flow.move_back(
            db,
            actor=team.lead,
            engagement=team.engagement,
            target="commission",
            reason="合同条款需调整",
        )
        == Stage.commission
    )
    entry = _audit(db, "stage.back")[0]
    assert entry.after["reason"] == "合同条款需调整"
    visits = flow.visits(db, team.engagement)
    assert [v.stage for v in visits] == ["commission", "plan", "commission"]
    assert visits[1].left_by == "back"


def test_walk_to_archive_locks_everything(db, team, ctx, app, monkeypatch):
    """The flow mechanics alone: every stage gated by its lead checklist (domain gates set aside)."""
    from workbench.engagements.stages import GateRegistry

    registry = GateRegistry()
    monkeypatch.setattr(flow, "registry", registry)
    _ready(db, team)
    e = team.engagement
    while not e.is_archived:
        for key, _ in registry.checklist(Stage(e.stage)):
            flow.confirm_item(db, actor=team.lead, engagement=e, stage=e.stage, item=key)
        flow.advance(db, actor=team.lead, engagement=e)
    assert e.retention_until.year >= 2036
    with pytest.raises(Locked):
        flow.advance(db, actor=team.lead, engagement=e)
    with pytest.raises(Locked):
        services.add_member(
            db, actor=team.lead, engagement=e, user_id=team.bureau.id, role="bureau"
        )
    assert all(s.status.value == "done" for s in flow.flow(db, e))


def test_stale_edit_is_refused(db, team):
    e = team.engagement
    data = _input(team.bureau.org_id, title="改名")
    services.update(db, actor=team.lead, engagement=e, data=data, version=e.version)
    with pytest.raises(Conflict, match="已被他人修改"):
        services.update(
            db,
            actor=team.lead,
            engagement=e,
            data=_input(team.bureau.org_id, title="再改"),
            version=1,
        )
    assert db.get(Engagement, e.id).title == "改名"
