"""/settings/webhooks through HTTP: register, edit, rotate, test, redeliver, delete; isolation."""

from sqlmodel import select

from workbench.core import jobs
from workbench.core.audit import AuditEntry
from workbench.webhooks.models import WebhookDelivery, WebhookEndpoint


def _create(client, receiver, **extra):
    data = {"url": receiver.url + "/hooks", "description": "预算管理一体化系统",
            "events": ["engagement.stage_advanced", "submission.decided"], "bureau_id": "0", **extra}  # fmt: skip
    return client.post("/settings/webhooks", data=data)


def test_admin_registers_an_endpoint_and_sees_its_secret(login, db, demo, receiver):
    client = login("demo-admin")
    r = _create(client, receiver)
    assert r.status_code == 302
    [endpoint] = db.exec(select(WebhookEndpoint)).all()
    assert r.headers["Location"].endswith(f"/settings/webhooks/{endpoint.id}")
    assert endpoint.events == ["engagement.stage_advanced", "submission.decided"]
    assert endpoint.bureau_id is None and endpoint.secret.startswith("whsec_")
    page = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert endpoint.secret in page and "X-Workbench-Signature" in page
    listing = client.get("/settings/webhooks").get_data(as_text=True)
    assert receiver.url in listing and "项目推进到下一阶段、委托方审核决定" in listing
    [entry] = db.exec(select(AuditEntry).where(AuditEntry.action == "webhook.create")).all()
    assert entry.actor_id == demo.users["demo-admin"].id


def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(login, db, demo, receiver):
    client = login("demo-admin")
    cases = [
        ({"url": ""}, "请填写推送地址"),
        ({"url": "http://192.168.10.2/hook"}, "不能作为推送地址"),
        ({"url": "javascript:alert(1)"}, "http:// 或 https://"),
        ({"events": []}, "请至少选择一个事件"),
        ({"events": ["engagement.deleted"]}, "没有这些选项：engagement.deleted"),
        ({"bureau_id": "99999"}, "不是有效的选择"),
    ]
    for extra, message in cases:
        page = _create(client, receiver, **extra)
        assert page.status_code == 200, extra
        assert message in page.get_data(as_text=True), extra
    assert db.exec(select(WebhookEndpoint)).all() == []


def test_edit_rotate_ping_redeliver_delete(login, db, demo, receiver, hook):
    client = login("demo-admin")
    base = f"/settings/webhooks/{hook.id}"
    r = client.post(base, data={"url": receiver.url + "/v2", "events": ["rating.recorded"],
                                "bureau_id": str(demo.engagement.bureau_id), "description": ""})  # fmt: skip
    assert r.status_code == 302
    db.refresh(hook)
    assert (hook.url, hook.events, hook.active) == (
        receiver.url + "/v2",
        ["rating.recorded"],
        False,
    )
    assert hook.bureau_id == demo.engagement.bureau_id
    client.post(base, data={"url": hook.url, "events": ["rating.recorded"], "bureau_id": "0",
                            "active": "y"})  # fmt: skip
    old = hook.secret
    assert client.post(base + "/secret").status_code == 302
    db.refresh(hook)
    assert hook.secret != old and hook.active
    assert client.post(base + "/ping").status_code == 302
    db.commit()
    jobs.run_pending()
    [delivery] = db.exec(select(WebhookDelivery)).all()
    page = client.get(base).get_data(as_text=True)
    assert "已送达" in page and "测试事件" in page and "推送地址连通测试" in page
    assert client.post(f"{base}/deliveries/{delivery.id}/redeliver").status_code == 302
    db.commit()
    jobs.run_pending()
    assert len(receiver.received) == 2
    hook_id = hook.id
    assert client.post(base + "/delete").status_code == 302
    db.expire_all()
    assert db.get(WebhookEndpoint, hook_id) is None
    assert db.exec(select(WebhookDelivery)).all() == []
    actions = set(
        db.exec(select(AuditEntry.action).where(AuditEntry.action.like("webhook.%"))).all()
    )
    assert actions >= {"webhook.create", "webhook.update", "webhook.rotate_secret", "webhook.ping",
                       "webhook.redeliver", "webhook.delete"}  # fmt: skip


def _other_admin(db):
    from tests.conftest import PASSWORD
    from workbench.accounts import services
    from workbench.accounts.models import OrgKind, SystemRole

    org = services.create_org(db, actor=None, name="另一评价机构有限公司", kind=OrgKind.agency)
    services.create_user(
        db, actor=None, username="demo-admin2", display_name="其他机构管理员", password=PASSWORD,
        org_id=org.id, system_role=SystemRole.admin, check_policy=False,
    )  # fmt: skip
    db.commit()


def test_another_agency_and_other_roles_cannot_reach_an_endpoint(login, db, demo, hook):
    _other_admin(db)
    base = f"/settings/webhooks/{hook.id}"
    assert login("demo-admin2").get(base).status_code == 404
    assert login("demo-admin2").post(base + "/secret").status_code == 404
    assert login("demo-lead").get(base).status_code == 404  # only admins know endpoints
    assert hook.secret not in login("demo-admin2").get("/settings/webhooks").get_data(as_text=True)


def test_a_delivery_of_another_endpoint_is_not_found(login, db, demo, hook, receiver):
    client = login("demo-admin")
    other = WebhookEndpoint(agency_id=hook.agency_id, url=receiver.url, events=["deposit.due"],
                            secret="whsec_o", created_by_id=hook.created_by_id)  # fmt: skip
    db.add(other)
    db.flush()
    delivery = WebhookDelivery(endpoint_id=other.id, event="ping", event_key="k", event_id="e",
                               payload="{}", status="failed")  # fmt: skip
    db.add(delivery)
    db.commit()
    r = client.post(f"/settings/webhooks/{hook.id}/deliveries/{delivery.id}/redeliver")
    assert r.status_code == 404
    db.refresh(delivery)
    assert delivery.status == "failed"
