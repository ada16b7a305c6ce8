"""The expert pool and an engagement's expert assignments through the API (issue 21): the pages'
services and rules, personal data kept inside the agency, versions, retries and audit entries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from tests.permissions_roles import fresh_engagement
from workbench.accounts import services as accounts
from workbench.accounts.models import Organisation, OrgKind, SystemRole
from workbench.core.audit import AuditEntry
from workbench.experts import services
from workbench.experts.models import Expert, ExpertAssignment, ExpertFee


@pytest.fixture()
def as_(demo, token_for):
    """as_("lead") → bearer headers of demo-lead (made once per user)."""
    made: dict[str, dict] = {}

    def _headers(who) -> dict:
        user = demo.users[f"demo-{who}"] if isinstance(who, str) else who
        if user.id not in made:
            made[user.id] = token_for(user)
        return made[user.id]

    return _headers


@pytest.fixture()
def agency(db, demo):
    return db.get(Organisation, demo.engagement.agency_id)


@pytest.fixture()
def other_admin(db):
    """The admin of another agency, with an expert in its own pool."""
    org = accounts.create_org(db, actor=None, name="另一评价机构", kind=OrgKind.agency)
    admin = accounts.create_user(
        db, actor=None, username="admin-other", display_name="他所管理员", password="x" * 12,
        org_id=org.id, system_role=SystemRole.admin, check_policy=False,
    )  # fmt: skip
    services.create_expert(db, actor=admin, data=services.ExpertInput(name="他所专家"))
    db.flush()
    return admin


def _expert(db, demo, name, *, user=None, tags="", organisation=""):
    row = services.create_expert(
        db, actor=demo.users["demo-admin"],
        data=services.ExpertInput(name=name, field_tags=tags, organisation=organisation,
                                  user_id=user.id if user else None),
    )  # fmt: skip
    db.flush()
    return row


def _actions(db, **where) -> list[str]:
    stmt = select(AuditEntry.action).order_by(AuditEntry.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, name) == value)
    return list(db.exec(stmt).all())


def test_the_pool_lists_newest_first_with_the_pages_filters_and_cursor(
    client, db, demo, as_, other_admin
):
    made = [
        _expert(db, demo, "赵教育", tags="接口教育,统计", organisation="接口师范大学"),
        _expert(db, demo, "钱财务", tags="财务管理"),
        _expert(db, demo, "孙教育", tags="接口教育"),
    ]
    tagged = client.get("/api/v1/experts?tag=接口教育", headers=as_("evaluator"))
    assert tagged.status_code == 200
    assert [e["name"] for e in tagged.json["items"]] == ["孙教育", "赵教育"]
    first = tagged.json["items"][1]
    assert first == {
        "id": made[0].id, "name": "赵教育", "title": "", "field_tags": ["接口教育", "统计"],
        "organisation": "接口师范大学", "phone": "", "email": "", "user_id": None, "note": "",
        "active": True, "assignment_count": 0, "created_at": first["created_at"],
        "updated_at": first["updated_at"], "version": 1,
    }  # fmt: skip
    words = client.get("/api/v1/experts?q=接口师范", headers=as_("lead")).json["items"]
    assert [e["id"] for e in words] == [made[0].id]

    ids, next_cursor = [], None
    while True:
        url = "/api/v1/experts?limit=2" + (f"&cursor={next_cursor}" if next_cursor else "")
        page = client.get(url, headers=as_("admin")).json
        assert len(page["items"]) <= 2
        ids += [e["id"] for e in page["items"]]
        next_cursor = page["next_cursor"]
        if next_cursor is None:
            break
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))
    assert {e.id for e in made} <= set(ids)
    assert "他所专家" not in {e["name"] for e in client.get("/api/v1/experts?limit=200",
                                                          headers=as_("admin")).json["items"]}  # fmt: skip
    # Another agency's staff list their own pool: none of the demo agency's experts.
    theirs = client.get("/api/v1/experts", headers=as_(other_admin)).json["items"]
    assert [e["name"] for e in theirs] == ["他所专家"]
    assert client.get("/api/v1/experts?cursor=nonsense", headers=as_("lead")).status_code == 422
    for who in ("bureau", "unit", "expert"):
        assert client.get("/api/v1/experts", headers=as_(who)).status_code == 403


def test_an_admin_creates_an_expert_once_and_bad_input_writes_nothing(
    client, db, demo, as_, make_user, agency
):
    account = make_user("expert", username="expert-api", managed_by=agency)
    body = {"name": " 周专家 ", "title": "教授", "field_tags": ["教育", " 统计 "],
            "email": "zhou@example.com", "user_id": account.id}  # fmt: skip
    retry = {**as_("admin"), "Idempotency-Key": "expert-create-1"}
    created = client.post("/api/v1/experts", json=body, headers=retry)
    assert created.status_code == 201, created.json
    assert (created.json["name"], created.json["field_tags"], created.json["user_id"]) == (
        "周专家", ["教育", "统计"], account.id,
    )  # fmt: skip
    assert created.json["conflicts"] == [] and created.headers["ETag"] == 'W/"1"'
    again = client.post("/api/v1/experts", json=body, headers=retry)
    assert again.status_code == 201 and again.json["id"] == created.json["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(db.exec(select(Expert).where(Expert.name == "周专家")).all()) == 1
    assert _actions(db, object_type="expert", object_id=created.json["id"]) == ["expert.create"]

    before = len(db.exec(select(Expert)).all())
    bad_email = client.post("/api/v1/experts", json={"name": "吴专家", "email": "not-mail"},
                            headers=as_("admin"))  # fmt: skip
    assert bad_email.status_code == 422
    assert bad_email.json["errors"] == [{"field": "email", "message": "邮箱格式不正确"}]
    taken = client.post("/api/v1/experts", json={"name": "吴专家", "user_id": account.id},
                        headers=as_("admin"))  # fmt: skip
    assert taken.status_code == 422
    assert taken.json["errors"][0]["message"] == "该账号已关联专家“周专家”的档案"
    blank = client.post("/api/v1/experts", json={"name": ""}, headers=as_("admin"))
    assert blank.status_code == 422 and blank.json["errors"][0]["field"] == "name"
    refused = client.post("/api/v1/experts", json={"name": "吴专家"}, headers=as_("lead"))
    assert refused.status_code == 403
    assert len(db.exec(select(Expert)).all()) == before


def test_a_profile_is_read_by_its_agency_and_the_expert_only_and_edited_with_if_match(
    client, db, demo, as_, make_user, agency, other_admin
):
    account = make_user("expert", username="expert-self", managed_by=agency)
    expert = _expert(db, demo, "郑专家", user=account, tags="教育")
    services.declare_conflict(
        db, actor=account, expert=expert, org_name="示例市教育局", relation="曾任职"
    )
    db.flush()
    url = f"/api/v1/experts/{expert.id}"
    shown = client.get(url, headers=as_("evaluator"))
    assert shown.status_code == 200 and shown.headers["ETag"] == 'W/"1"'
    assert [(c["org_name"], c["relation"], c["withdrawal_pending"])
            for c in shown.json["conflicts"]] == [("示例市教育局", "曾任职", False)]  # fmt: skip
    assert client.get(url, headers=as_(account)).status_code == 200
    # Another expert account, another agency's admin, the bureau: the profile is not there.
    for who in ("expert", other_admin, "bureau"):
        assert client.get(url, headers=as_(who)).status_code == 404
    theirs = db.exec(select(Expert).where(Expert.name == "他所专家")).one()
    assert client.get(f"/api/v1/experts/{theirs.id}", headers=as_("admin")).status_code == 404

    change = {"title": "研究员", "field_tags": ["教育", "卫生"], "phone": "13900000000"}
    assert client.patch(url, json=change, headers=as_("admin")).status_code == 428
    stale = client.patch(url, json=change, headers={**as_("admin"), "If-Match": 'W/"7"'})
    assert stale.status_code == 412 and "已被他人修改" in stale.json["error"]
    db.refresh(expert)
    assert (expert.title, expert.version) == ("", 1)
    bad = client.patch(url, json={"email": "nope"}, headers={**as_("admin"), "If-Match": 'W/"1"'})
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "email"
    null = client.patch(url, json={"name": None}, headers={**as_("admin"), "If-Match": 'W/"1"'})
    assert null.status_code == 422
    assert (
        client.patch(url, json=change, headers={**as_("lead"), "If-Match": 'W/"1"'}).status_code
        == 403
    )
    saved = client.patch(url, json=change, headers={**as_("admin"), "If-Match": 'W/"1"'})
    assert saved.status_code == 200, saved.json
    assert (saved.json["title"], saved.json["field_tags"], saved.json["phone"]) == (
        "研究员", ["教育", "卫生"], "13900000000",
    )  # fmt: skip
    assert saved.json["name"] == "郑专家" and saved.json["user_id"] == account.id
    assert saved.headers["ETag"] == 'W/"2"' and saved.json["version"] == 2
    assert _actions(db, object_type="expert", object_id=expert.id) == [
        "expert.create", "expert.update",
    ]  # fmt: skip
    unlinked = client.patch(
        url, json={"user_id": None}, headers={**as_("admin"), "If-Match": 'W/"2"'}
    )
    assert unlinked.status_code == 200 and unlinked.json["user_id"] is None


@pytest.fixture()
def engagement(db, demo):
    return fresh_engagement(db, demo, "专家接口")


def test_the_lead_assigns_refuses_conflicts_ends_and_records_fees(
    client, db, demo, as_, make_user, agency, engagement
):
    clean = _expert(db, demo, "钱专家", user=make_user("expert", managed_by=agency))
    tied = _expert(db, demo, "孙专家", user=make_user("expert", managed_by=agency))
    services.declare_conflict(
        db,
        actor=demo.users["demo-admin"],
        expert=tied,
        org_name="示例市教育局",
        relation="配偶任职",
    )
    db.flush()
    url = f"/api/v1/engagements/{engagement.id}/experts"
    retry = {**as_("lead"), "Idempotency-Key": "assign-qian"}
    assigned = client.post(url, json={"expert_id": clean.id, "duty": "方案评审"}, headers=retry)
    assert assigned.status_code == 201, assigned.json
    assert (assigned.json["expert_name"], assigned.json["duty"], assigned.json["active"]) == (
        "钱专家", "方案评审", True,
    )  # fmt: skip
    again = client.post(url, json={"expert_id": clean.id, "duty": "方案评审"}, headers=retry)
    assert again.status_code == 201 and again.json["id"] == assigned.json["id"]
    twice = client.post(url, json={"expert_id": clean.id}, headers=as_("lead"))
    assert twice.status_code == 409 and twice.json["error"] == "钱专家 已指派到本项目"

    conflict = client.post(url, json={"expert_id": tied.id}, headers=as_("lead"))
    assert conflict.status_code == 409 and "利益冲突" in conflict.json["error"]
    assert len(conflict.json["blockers"]) == 1 and "示例市教育局" in conflict.json["blockers"][0]
    waived_by_lead = client.post(url, json={"expert_id": tied.id, "override_reason": "唯一人选"},
                                 headers=as_("lead"))  # fmt: skip
    assert waived_by_lead.status_code == 403
    unknown = client.post(url, json={"expert_id": 999999}, headers=as_("lead"))
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "expert_id"
    assert db.exec(select(ExpertAssignment).where(
        ExpertAssignment.expert_id == tied.id)).all() == []  # fmt: skip
    waived = client.post(url, json={"expert_id": tied.id, "override_reason": "唯一人选"},
                         headers=as_("admin"))  # fmt: skip
    assert waived.status_code == 201
    assert (
        waived.json["override_reason"] == "唯一人选" and "示例市教育局" in waived.json["conflicts"]
    )

    aid = assigned.json["id"]
    fees = f"{url}/{aid}/fees"
    bad_fee = client.post(fees, json={"item": "评审费", "amount": "-1", "fee_date": "2026-03-05"},
                          headers=as_("lead"))  # fmt: skip
    assert bad_fee.status_code == 422 and bad_fee.json["errors"] == [
        {"field": "amount", "message": "金额须大于 0"}
    ]
    assert db.exec(select(ExpertFee).where(ExpertFee.assignment_id == aid)).all() == []
    fee = client.post(fees, json={"item": "评审费", "amount": "800.5", "fee_date": "2026-03-05"},
                      headers=as_("lead"))  # fmt: skip
    assert fee.status_code == 201 and (fee.json["amount"], fee.json["item"]) == ("800.50", "评审费")

    listed = client.get(url, headers=as_("evaluator"))
    assert listed.status_code == 200 and listed.json["next_cursor"] is None
    assert [i["expert_name"] for i in listed.json["items"]] == ["孙专家", "钱专家"]
    mine = listed.json["items"][1]
    assert mine["fee_total"] == "800.50" and [f["amount"] for f in mine["fees"]] == ["800.50"]
    paged = client.get(url + "?limit=1", headers=as_("lead")).json
    assert len(paged["items"]) == 1 and paged["next_cursor"]

    end = f"{url}/{aid}/end"
    assert client.post(end, json={"reason": ""}, headers=as_("lead")).status_code == 422
    ended = client.post(end, json={"reason": "项目调整"}, headers=as_("lead"))
    assert ended.status_code == 200
    assert (ended.json["active"], ended.json["end_reason"]) == (False, "项目调整")
    assert ended.json["fee_total"] == "800.50"  # the fees stay
    assert client.post(end, json={"reason": "再次"}, headers=as_("lead")).status_code == 409
    removed = client.delete(
        f"/api/v1/engagements/{engagement.id}/expert-fees/{fee.json['id']}", headers=as_("lead")
    )
    assert removed.status_code == 204 and db.get(ExpertFee, fee.json["id"]) is None
    assert [a for a in _actions(db, engagement_id=engagement.id) if a.startswith("expert.")] == [
        "expert.assign", "expert.conflict_override", "expert.assign", "expert.fee.add",
        "expert.unassign", "expert.fee.delete",
    ]  # fmt: skip
    # Another engagement's assignment is not this one's.
    other = fresh_engagement(db, demo, "另一个项目")
    elsewhere = f"/api/v1/engagements/{other.id}/experts/{aid}/end"
    assert client.post(elsewhere, json={"reason": "x"}, headers=as_("lead")).status_code == 404


def test_the_assignments_are_the_teams_and_hidden_from_other_parties(
    client, demo, as_, other_admin
):
    url = f"/api/v1/engagements/{demo.engagement.id}/experts"
    assert client.get(url, headers=as_("reviewer")).status_code == 200
    assert client.get(url, headers=as_("expert")).status_code == 403
    assert client.get(url, headers=as_("bureau")).status_code == 403
    for who in ("bureau2", other_admin):
        assert client.get(url, headers=as_(who)).status_code == 404
        assert client.post(url, json={"expert_id": 1}, headers=as_(who)).status_code == 404


def test_the_plan_review_state_is_the_flow_pages(client, db, demo, as_):
    from workbench.experts import plan_reviews

    url = f"/api/v1/engagements/{demo.engagement.id}/plan-reviews"
    answer = client.get(url, headers=as_("expert"))
    assert answer.status_code == 200
    rows = plan_reviews.of_engagement(db, demo.engagement)
    assert [i["id"] for i in answer.json["items"]] == [r.id for r in rows]
    [gate] = plan_reviews.plan_reviewed(db, demo.engagement)
    assert (answer.json["reviewed"], answer.json["detail"]) == (gate.ok, gate.detail)
    first = answer.json["items"][0]
    assert first["current"] is True and first["conclusion_name"] == rows[0].conclusion_name
    assert client.get(url, headers=as_("bureau")).status_code == 403
    assert client.get(url, headers=as_("bureau2")).status_code == 404


def test_decimal_fee_amounts_keep_two_places(client, db, demo, as_, make_user, agency, engagement):
    expert = _expert(db, demo, "冯专家", user=make_user("expert", managed_by=agency))
    aid = services.assign(
        db, actor=demo.users["demo-lead"], engagement=engagement, expert_id=expert.id
    ).id
    db.flush()
    url = f"/api/v1/engagements/{engagement.id}/experts/{aid}/fees"
    three = client.post(url, json={"item": "x", "amount": "1.005", "fee_date": "2026-01-01"},
                        headers=as_("lead"))  # fmt: skip
    assert three.status_code == 422
    ok = client.post(url, json={"item": "x", "amount": "1200", "fee_date": "2026-01-01"},
                     headers=as_("lead"))  # fmt: skip
    assert ok.status_code == 201 and Decimal(ok.json["amount"]) == Decimal("1200.00")
    assert ok.json["amount"] == "1200.00"
