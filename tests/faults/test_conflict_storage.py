"""Faults inside one process: two people saving the same object; a full disk on the storage folder."""

from __future__ import annotations

import errno
import os
import re

import pytest

from workbench.core import storage
from workbench.core.blobstore import local
from workbench.core.storage import Blob, StorageFull
from workbench.engagements.models import Engagement


def _form(engagement: Engagement, *, title: str, version: int) -> dict:
    return {
        "title": title,
        "code": engagement.code,
        "type": engagement.type,
        "bureau_id": str(engagement.bureau_id),
        "unit_id": str(engagement.unit_id or 0),
        "budget_year": str(engagement.budget_year),
        "budget_amount": str(engagement.budget_amount or ""),
        "description": engagement.description,
        "version": str(version),
    }


def test_two_people_saving_the_same_engagement(login, demo, db):
    engagement = demo.engagement
    first, second = login("demo-lead"), login("demo-lead")
    edit = f"/engagements/{engagement.id}/edit"
    pages = [c.get(edit).get_data(as_text=True) for c in (first, second)]
    versions = [int(re.search(r'name="version"[^>]*value="(\d+)"', p).group(1)) for p in pages]
    assert versions[0] == versions[1] == engagement.version

    saved = first.post(edit, data=_form(engagement, title="甲修改后的标题", version=versions[0]))
    assert saved.status_code == 302 and saved.location.endswith(f"/engagements/{engagement.id}")
    refused = second.post(
        edit,
        data=_form(engagement, title="乙修改后的标题", version=versions[1]),
        headers={"Referer": edit},
        follow_redirects=True,
    )
    text = refused.get_data(as_text=True)
    assert text.count("已被他人修改") == 1
    db.expire_all()
    stored = db.get(Engagement, engagement.id)
    assert stored.title == "甲修改后的标题"  # no lost update: the first save stands
    assert stored.version == versions[0] + 1


def test_stale_service_update_is_a_conflict(db, demo):
    from workbench.core.errors import Conflict
    from workbench.engagements import services

    engagement = demo.engagement
    lead = demo.users["demo-lead"]
    version = engagement.version
    data = services.EngagementInput(
        title="第一次保存",
        type=engagement.type,
        bureau_id=engagement.bureau_id,
        unit_id=engagement.unit_id,
        budget_year=engagement.budget_year,
        code=engagement.code,
        description=engagement.description,
    )
    services.update(db, actor=lead, engagement=engagement, data=data, version=version)
    db.flush()
    data.title = "第二次保存（基于旧版本）"
    with pytest.raises(Conflict) as caught:
        services.update(db, actor=lead, engagement=engagement, data=data, version=version)
    assert caught.value.status == 409 and "已被他人修改" in caught.value.message
    assert engagement.title == "第一次保存"


def test_full_disk_gives_507_and_keeps_what_is_stored(ctx, db, monkeypatch):
    kept = storage.store(db, "已保存的底稿内容".encode(), mime="text/plain")
    before = sorted(p for p in storage.backend().root.rglob("*") if p.is_file())

    def _replace(_src, _dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(local.os, "replace", _replace)
    data = "新的材料，磁盘已满".encode()
    with pytest.raises(StorageFull) as caught:
        storage.store(db, data, mime="text/plain")
    assert caught.value.status == 507
    assert "存储空间不足" in caught.value.message
    after = sorted(p for p in storage.backend().root.rglob("*") if p.is_file())
    assert after == before  # no temporary file left behind, nothing removed
    assert db.get(Blob, storage.digest(data)) is None  # no row without its file
    assert storage.verify(kept.sha256)
    assert storage.read(kept.sha256) == "已保存的底稿内容".encode()


def test_full_disk_on_open(ctx, db, monkeypatch):
    def _mkstemp(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(local.tempfile, "mkstemp", _mkstemp)
    data = "另一份材料".encode()
    with pytest.raises(StorageFull, match="存储空间不足"):
        storage.store(db, data)
    assert db.get(Blob, storage.digest(data)) is None
    assert not storage.exists(storage.digest(data))


def test_storage_full_answers_507_with_its_message(app):
    """The error handler turns StorageFull into a 507 JSON answer carrying the Chinese message."""
    from workbench.core.errors import _domain_error

    with app.test_request_context("/api/v1/x", headers={"Accept": "application/json"}):
        response = _domain_error(StorageFull("文件保存失败（存储空间不足或不可写）"))
    assert response.status_code == 507
    assert "存储空间不足" in response.get_json()["error"]
