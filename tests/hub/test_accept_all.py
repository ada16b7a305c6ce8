"""全部接受（无冲突的）: every pending update but the conflicts accepted in one go, audited once;
conflicts (and content that cannot be saved) stay pending for a person to decide."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import select

from tests.conftest import PASSWORD
from tests.hub.helpers import pending_update, wire_item
from tests.library.library_helpers import content
from workbench.core.audit import AuditEntry
from workbench.hub import accepting, rules, services
from workbench.hub.models import HubLink, HubUpdate, UpdateStatus
from workbench.library import editing
from workbench.library import services as library


@pytest.fixture()
def connection(db, demo):
    return services.save_connection(
        db,
        actor=demo.users["demo-admin"],
        url="https://hub.example.org",
        key="wbh_bulk",
        public_key="",
        region="浙江省",
        share_stats=False,
        secret="test-secret",
    )


def _accepted(db, connection, admin, item_id: int):
    update = pending_update(db, connection, item_id=item_id, name=f"已订阅指标{item_id}")
    return accepting.accept(
        db, actor=admin, connection=connection, update=update, version=update.version
    )


@pytest.fixture()
def mixed(db, demo, connection):
    """Pending: two new items, one update, one conflict, one with content that cannot be saved."""
    admin = demo.users["demo-admin"]
    pending_update(db, connection, item_id=1, name="新指标甲")
    pending_update(db, connection, item_id=2, name="新指标乙")
    _accepted(db, connection, admin, 3)
    services.receive(
        db,
        connection=connection,
        items=[wire_item(3, version=2, name="已订阅指标3", definition="枢纽修订的解释。")],
    )
    edited = _accepted(db, connection, admin, 4)
    editing.edit(
        db,
        actor=admin,
        indicator=edited,
        data=content(name="已订阅指标4", definition="本机构改写的解释。"),
        change_note="本机构修改",
        version=edited.version,
    )
    services.receive(
        db,
        connection=connection,
        items=[wire_item(4, version=2, name="已订阅指标4", definition="枢纽的新解释。")],
    )
    broken = pending_update(db, connection, item_id=5, name="内容有误")
    broken.content = {**broken.content, "definition": ""}
    db.add(broken)
    db.flush()
    rows, total = services.pending(db, connection=connection)
    assert total == 5
    assert sorted(row.decision.value for row in rows) == [
        "conflict",
        "new",
        "new",
        "new",
        "update",
    ]
    return edited


def _bulk_entries(db) -> list[AuditEntry]:
    return list(db.exec(select(AuditEntry).where(AuditEntry.action == "hub.accept_all")).all())


def test_accept_all_takes_everything_but_conflicts_and_audits_once(db, demo, connection, mixed):
    singles = len(db.exec(select(AuditEntry).where(AuditEntry.action == "hub.accept")).all())
    done = accepting.accept_all(db, actor=demo.users["demo-admin"], connection=connection)
    assert (done.new, done.update, done.same, done.conflicts, done.invalid) == (2, 1, 0, 1, 1)
    assert done.summary() == (
        "已接受 3 项（新指标 2 项，有更新 1 项，内容相同 0 项）；1 项冲突仍待逐项处理；"
        "1 项内容有误未接受"
    )
    left, total = services.pending(db, connection=connection)
    assert total == 2
    assert {row.update.hub_item_id for row in left} == {4, 5}
    assert next(r for r in left if r.update.hub_item_id == 4).decision is rules.Decision.conflict
    # The conflict's local edit is untouched; the update became the library's next version.
    assert library.versions_of(db, mixed.id)[0].definition == "本机构改写的解释。"
    links = {
        link.hub_item_id: link
        for link in db.exec(select(HubLink).where(HubLink.connection_id == connection.id))
    }
    assert set(links) == {1, 2, 3, 4} and links[3].hub_version == 2 and links[4].hub_version == 1
    assert library.versions_of(db, links[3].indicator_id)[0].definition == "枢纽修订的解释。"
    [entry] = _bulk_entries(db)
    assert entry.after["accepted"] == 3 and entry.after["conflicts_left"] == 1
    assert entry.actor_id == demo.users["demo-admin"].id
    now = len(db.exec(select(AuditEntry).where(AuditEntry.action == "hub.accept")).all())
    assert now == singles  # one entry for the whole batch, none per item
    # Nothing more to take: a second run accepts nothing and records nothing.
    again = accepting.accept_all(db, actor=None, connection=connection)
    assert again.accepted == 0 and again.conflicts == 1 and len(_bulk_entries(db)) == 1


def test_accept_all_works_through_batches(db, demo, connection, monkeypatch):
    monkeypatch.setattr(accepting, "BATCH", 3)
    services.receive(
        db,
        connection=connection,
        items=[wire_item(100 + n, name=f"批量指标{n}") for n in range(8)],
    )
    done = accepting.accept_all(db, actor=demo.users["demo-admin"], connection=connection)
    assert done.new == 8 and services.pending(db, connection=connection)[1] == 0


def test_a_staff_member_cannot_accept_all(db, demo, connection, mixed):
    from workbench.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        accepting.accept_all(db, actor=demo.users["demo-lead"], connection=connection)
    assert services.pending(db, connection=connection)[1] == 5


def _token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_the_page_button_needs_the_csrf_token_then_accepts(app_with, db, demo, connection, mixed):
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    client.post(
        "/login",
        data={
            "username": "demo-admin",
            "password": PASSWORD,
            "csrf_token": _token(client, "/login"),
        },
    )
    page = client.get("/hub/updates").get_data(as_text=True)
    assert "全部接受（无冲突的）" in page and 'action="/hub/updates/accept-all"' in page
    refused = client.post("/hub/updates/accept-all", data={})
    assert refused.status_code in (302, 400)
    assert services.pending(db, connection=connection)[1] == 5 and _bulk_entries(db) == []
    answer = client.post(
        "/hub/updates/accept-all",
        data={"csrf_token": _token(client, "/hub/updates")},
        follow_redirects=True,
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "已接受 3 项" in text and "1 项冲突仍待逐项处理" in text
    assert "冲突：本机构已修改" in text  # the conflict is still listed
    left = db.exec(select(HubUpdate).where(HubUpdate.status == UpdateStatus.pending)).all()
    assert {row.hub_item_id for row in left} == {4, 5} and len(_bulk_entries(db)) == 1


def test_the_command_asks_for_all():
    from workbench.hub.cli import hub

    answer = CliRunner().invoke(hub, ["accept"])
    assert answer.exit_code == 2 and "--all" in answer.output
