"""A member's services against a hub app in-process: publish, subscribe, accept, conflicts,
revoked keys, an unreachable hub, offline packs and shared statistics."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from tests.library.library_helpers import content
from workbench.core.errors import ValidationFailed
from workbench.hub import accepting, hub_side, rules, services, stats, sync
from workbench.hub.client import HubClient
from workbench.hub.models import HubStatCache, HubUpdate
from workbench.library import editing
from workbench.library import services as library
from workbench.library.models import Status

URL = "http://127.0.0.1"
SECRET = "test-secret"


@pytest.fixture()
def firms(db, demo):
    """Two agency admins, each with a member key of the hub and a connection."""
    from tests.conftest import PASSWORD
    from workbench.accounts import services as accounts
    from workbench.accounts.models import OrgKind, SystemRole

    org = accounts.create_org(db, actor=None, name="乙评价机构有限公司", kind=OrgKind.agency)
    other = accounts.create_user(
        db,
        actor=None,
        username="hub-admin-b",
        display_name="乙机构管理员",
        password=PASSWORD,
        org_id=org.id,
        system_role=SystemRole.admin,
        check_policy=False,
    )
    found = {}
    for name, user in (("甲评价机构", demo.users["demo-admin"]), ("乙评价机构", other)):
        _member, key = hub_side.create_member(db, actor=None, name=name)
        connection = services.save_connection(
            db,
            actor=user,
            url=URL,
            key=key,
            public_key="",
            region="浙江省",
            share_stats=True,
            secret=SECRET,
            allow_loopback_http=True,
        )
        found[name] = (user, connection, key)
    return found


@pytest.fixture()
def hub_app(app_with):
    return app_with(HUB_MODE=True, HUB_MIN_GROUP=1)


def client(hub_app, key: str) -> HubClient:
    return HubClient(URL, key, transport=httpx.WSGITransport(app=hub_app))


def shared_indicator(db, user, **changes):
    row = editing.create_personal(db, actor=user, data=content(**changes))
    row.status = Status.shared
    db.add(row)
    db.flush()
    return row


def test_publish_subscribe_accept_and_a_local_edit_is_kept(db, firms, hub_app):
    admin_a, conn_a, key_a = firms["甲评价机构"]
    admin_b, conn_b, key_b = firms["乙评价机构"]
    mine = shared_indicator(db, admin_a, name="学生资助精准率")
    sync.publish(
        db,
        actor=admin_a,
        connection=conn_a,
        client=client(hub_app, key_a),
        indicator_ids=[mine.id],
        anonymous=False,
    )
    got = sync.sync(db, actor=admin_b, connection=conn_b, client=client(hub_app, key_b))
    assert got.ok and got.received.new == 1
    [item], total = services.pending(db, connection=conn_b)
    assert total == 1 and item.decision is rules.Decision.new
    assert item.update.publisher == "甲评价机构"
    theirs = accepting.accept(
        db, actor=admin_b, connection=conn_b, update=item.update, version=item.update.version
    )
    assert theirs.current_version == 1 and theirs.name == "学生资助精准率"

    # 乙 edits its copy; 甲 publishes a new version of the original.
    editing.edit(
        db,
        actor=admin_b,
        indicator=theirs,
        data=content(name="学生资助精准率", definition="乙机构按本省口径改写的指标解释。"),
        change_note="按本省口径",
        version=theirs.version,
    )
    editing.edit(
        db,
        actor=admin_a,
        indicator=mine,
        data=content(name="学生资助精准率", definition="甲机构修订后的指标解释。"),
        change_note="修订",
        version=mine.version,
    )
    assert (
        sync.sync(db, actor=admin_a, connection=conn_a, client=client(hub_app, key_a)).published
        == 1
    )
    got = sync.sync(db, actor=admin_b, connection=conn_b, client=client(hub_app, key_b))
    assert got.received.changed == 1
    [item], _ = services.pending(db, connection=conn_b)
    assert item.decision is rules.Decision.conflict
    accepting.accept(
        db, actor=admin_b, connection=conn_b, update=item.update, version=item.update.version
    )
    history = library.versions_of(db, theirs.id)
    assert [row.number for row in history] == [3, 2, 1]
    assert history[0].definition == "甲机构修订后的指标解释。"
    assert history[1].definition == "乙机构按本省口径改写的指标解释。"  # kept as its own version
    # 甲 never receives its own publication.
    assert (
        sync.sync(db, actor=admin_a, connection=conn_a, client=client(hub_app, key_a)).received.new
        == 0
    )


def test_keeping_the_local_version_leaves_the_library_alone(db, firms, hub_app):
    admin_b, conn_b, _key = firms["乙评价机构"]
    from tests.hub.helpers import pending_update, wire_item

    update = pending_update(db, conn_b, item_id=7)
    indicator = accepting.accept(
        db, actor=admin_b, connection=conn_b, update=update, version=update.version
    )
    services.receive(
        db, connection=conn_b, items=[wire_item(7, version=2, definition="新的解释。")]
    )
    [item], _ = services.pending(db, connection=conn_b)
    assert item.decision is rules.Decision.update
    accepting.keep_local(
        db, actor=admin_b, connection=conn_b, update=item.update, version=item.update.version
    )
    assert indicator.current_version == 1
    assert services.pending(db, connection=conn_b)[1] == 0


def test_a_revoked_key_is_refused_and_recorded(db, firms, hub_app):
    admin_b, conn_b, key_b = firms["乙评价机构"]
    member = hub_side.member_for_key(db, key_b)
    hub_side.revoke_member(db, actor=None, member=member)
    got = sync.sync(db, actor=admin_b, connection=conn_b, client=client(hub_app, key_b))
    assert not got.ok and "已被撤销" in got.error
    assert "已被撤销" in conn_b.last_error and conn_b.cursor == 0


def test_an_unreachable_hub_is_recorded_and_the_cursor_kept(db, firms):
    admin_b, conn_b, key_b = firms["乙评价机构"]
    conn_b.cursor = 42

    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    away = HubClient(URL, key_b, transport=httpx.MockTransport(refuse))
    got = sync.sync(db, actor=admin_b, connection=conn_b, client=away)
    assert not got.ok and "无法连接枢纽" in conn_b.last_error
    assert conn_b.cursor == 42 and conn_b.last_success_at is None


def test_offline_pack_verified_then_received_and_a_tampered_one_refused(
    db, firms, hub_app, tmp_path
):
    admin_a, conn_a, key_a = firms["甲评价机构"]
    admin_b, conn_b, _key = firms["乙评价机构"]
    mine = shared_indicator(db, admin_a, name="离线包中的指标")
    sync.publish(
        db,
        actor=admin_a,
        connection=conn_a,
        client=client(hub_app, key_a),
        indicator_ids=[mine.id],
        anonymous=True,
    )
    data = hub_side.pack_file(db, instance=tmp_path)
    from workbench.hub import signing

    conn_b.public_key = signing.public_key_text(hub_side.signing_key(tmp_path))
    tampered = data.replace(b'"payload": "', b'"payload": "AAAA', 1)
    with pytest.raises(ValidationFailed) as refused:
        sync.import_pack(db, actor=admin_b, connection=conn_b, data=tampered)
    assert "未导入任何内容" in refused.value.details[0]["message"]
    assert db.exec(select(HubUpdate).where(HubUpdate.connection_id == conn_b.id)).all() == []
    got = sync.import_pack(db, actor=admin_b, connection=conn_b, data=data)
    assert got.new == 1
    [item], _ = services.pending(db, connection=conn_b)
    assert item.update.publisher is None  # published anonymously


def test_shared_statistics_respect_the_minimum_group(db, firms, app_with, demo):
    admin_a, conn_a, key_a = firms["甲评价机构"]
    observations = rules.contributions(stats.observations(db, connection=conn_a))
    assert observations, "the demo engagement uses shipped library indicators"
    strict = app_with(HUB_MODE=True, HUB_MIN_GROUP=5)
    sync.sync(db, actor=admin_a, connection=conn_a, client=client(strict, key_a))
    assert db.exec(select(HubStatCache).where(HubStatCache.connection_id == conn_a.id)).all() == []
    lenient = app_with(HUB_MODE=True, HUB_MIN_GROUP=1)
    got = sync.sync(db, actor=admin_a, connection=conn_a, client=client(lenient, key_a))
    assert got.ok and got.stats_groups
    cached = db.exec(select(HubStatCache).where(HubStatCache.connection_id == conn_a.id)).all()
    assert {row.indicator_key for row in cached} == {row.key for row in observations}


def test_publishing_while_the_hub_is_away_says_so_and_changes_nothing(app, db, firms, login):
    from workbench.hub.models import HubLink

    admin_a, conn_a, _key = firms["甲评价机构"]
    mine = shared_indicator(db, admin_a, name="发布时枢纽不在")
    conn_a.url = "https://hub.example.org"
    db.add(conn_a)
    db.flush()

    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    app.extensions["hub_transport"] = httpx.MockTransport(refuse)
    try:
        page = login("demo-admin").post(
            "/hub/publish",
            data={"indicator_ids": str(mine.id), "shown_as": "named"},
            follow_redirects=True,
        )
    finally:
        app.extensions.pop("hub_transport")
    assert page.status_code == 200
    assert "未能发布：无法连接枢纽" in page.get_data(as_text=True)
    assert db.exec(select(HubLink).where(HubLink.indicator_id == mine.id)).all() == []
