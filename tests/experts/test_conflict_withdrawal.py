"""Withdrawing a declared tie: the expert only asks, the agency admin approves or refuses, and
the tie keeps blocking assignments until approved."""

from __future__ import annotations

from sqlmodel import select

from workbench.core.audit import AuditEntry
from workbench.experts import services


def _actions(db) -> list[str]:
    rows = db.exec(select(AuditEntry.action).where(AuditEntry.action.like("expert.conflict.%")))
    return list(rows.all())


def _blocked(db, pool) -> bool:
    found = services.conflict_map(db, experts=[pool.tied], engagement=pool.engagement)
    return bool(found.get(pool.tied.id))


def test_the_experts_bare_post_only_asks_and_the_tie_holds(login, db, pool):
    tie = services.conflicts_of(db, pool.tied)[0]
    url = f"/experts/{pool.tied.id}/conflicts/{tie.id}/remove"
    c = login("expert-sun")
    page = c.post(url, data={}, follow_redirects=True).get_data(as_text=True)
    assert "已提交撤回申请" in page and "撤回待审批" in page
    db.expire_all()
    assert [x.id for x in services.conflicts_of(db, pool.tied)] == [tie.id]
    assert tie.withdrawal_pending and _blocked(db, pool)
    assert "expert.conflict.withdrawal_request" in _actions(db)
    again = c.post(url, data={}, follow_redirects=True).get_data(as_text=True)
    assert "正在等待机构管理员审批" in again
    # The expert cannot approve their own request.
    assert c.post(f"{url[: -len('/remove')]}/withdrawal/approve").status_code == 403
    assert services.conflicts_of(db, pool.tied)


def test_the_admin_approves_and_the_tie_is_gone(login, db, pool):
    tie = services.conflicts_of(db, pool.tied)[0]
    base = f"/experts/{pool.tied.id}/conflicts/{tie.id}"
    login("expert-sun").post(f"{base}/remove")
    admin = login("demo-admin")
    page = admin.get(f"/experts/{pool.tied.id}").get_data(as_text=True)
    assert f"{base}/withdrawal/approve" in page and f"{base}/withdrawal/refuse" in page
    r = admin.post(f"{base}/withdrawal/approve", follow_redirects=True)
    assert "已同意撤回" in r.get_data(as_text=True)
    db.expire_all()
    assert services.conflicts_of(db, pool.tied) == [] and not _blocked(db, pool)
    assert "expert.conflict.withdrawal_approve" in _actions(db)


def test_the_admin_refuses_and_the_tie_stays(login, db, pool):
    tie = services.conflicts_of(db, pool.tied)[0]
    base = f"/experts/{pool.tied.id}/conflicts/{tie.id}"
    admin = login("demo-admin")
    nothing = admin.post(f"{base}/withdrawal/refuse", follow_redirects=True)
    assert "没有待审批的撤回申请" in nothing.get_data(as_text=True)
    login("expert-sun").post(f"{base}/remove")
    r = admin.post(f"{base}/withdrawal/refuse", follow_redirects=True)
    assert "已驳回撤回申请" in r.get_data(as_text=True)
    db.expire_all()
    kept = services.conflicts_of(db, pool.tied)
    assert [x.id for x in kept] == [tie.id] and not kept[0].withdrawal_pending
    assert _blocked(db, pool)
    assert "expert.conflict.withdrawal_refuse" in _actions(db)


def test_the_admin_withdraws_at_once(login, db, pool):
    tie = services.conflicts_of(db, pool.tied)[0]
    login("demo-admin").post(f"/experts/{pool.tied.id}/conflicts/{tie.id}/remove")
    db.expire_all()
    assert services.conflicts_of(db, pool.tied) == []
    assert _actions(db)[-1] == "expert.conflict.remove"
