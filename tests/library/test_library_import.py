"""Pack imports: idempotent, versions on change, deprecation on removal, all-or-nothing."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from sqlmodel import select

from tests.library.library_helpers import counts
from workbench.core.audit import AuditEntry
from workbench.core.errors import NotAllowed, ValidationFailed
from workbench.library import loading, packs, services
from workbench.library.models import LibraryIndicator, LibraryPack, Status


@pytest.fixture()
def shipped():
    return loading.read_folder(packs.default_library_root())


@pytest.fixture()
def empty_library(db):
    """The library as a fresh installation has it before any import (the demo may have filled it)."""
    from sqlalchemy import delete

    from workbench.library.models import LibraryIndicatorVersion, LibraryTag

    for model in (LibraryTag, LibraryIndicatorVersion, LibraryIndicator, LibraryPack):
        db.exec(delete(model))
    db.flush()
    return db


def _pack(shipped, key: str) -> packs.Pack:
    return copy.deepcopy(next(pack for pack in shipped if pack.key == key))


def test_shipped_packs_import_once_and_reimport_changes_nothing(empty_library, shipped):
    db = empty_library
    results = services.load_shipped(db)
    leaves = sum(len(packs.flatten(pack)) for pack in shipped)
    assert sum(len(r.created) for r in results) == leaves
    assert counts(db)["library_indicator"] == leaves
    assert counts(db)["library_indicator_version"] == leaves
    assert counts(db)["library_pack"] == len(shipped)
    rows = db.exec(select(LibraryIndicator)).all()
    assert {row.status for row in rows} == {Status.shared}
    assert {row.owner_id for row in rows} == {None}
    locks = {row.id: row.version for row in rows}
    audits = len(db.exec(select(AuditEntry).where(AuditEntry.action == "library.import")).all())
    before = counts(db)

    again = services.load_shipped(db)
    assert not any(result.changed for result in again)
    assert sum(result.unchanged for result in again) == leaves
    assert counts(db) == before
    db.expire_all()
    assert {row.id: row.version for row in db.exec(select(LibraryIndicator)).all()} == locks
    assert (
        len(db.exec(select(AuditEntry).where(AuditEntry.action == "library.import")).all())
        == audits
    )


def test_a_changed_leaf_gets_a_new_version_and_the_old_one_stays(empty_library, shipped):
    db = empty_library
    pack = _pack(shipped, "education")
    services.import_pack(db, actor=None, pack=pack)
    leaf = packs.flatten(pack)[0].indicator
    old_definition = leaf.definition
    leaf.definition = old_definition + "（2025年修订）"
    leaf.tags = [*leaf.tags, "新标签"]
    result = services.import_pack(db, actor=None, pack=pack)
    assert result.updated == [f"education.{leaf.key}"]
    assert result.unchanged == len(packs.flatten(pack)) - 1 and not result.created
    row = db.exec(
        select(LibraryIndicator).where(LibraryIndicator.key == f"education.{leaf.key}")
    ).one()
    assert row.current_version == 2
    assert services.get_version(db, row.id, 1).definition == old_definition
    current = services.current_version(db, row.id)
    assert current.definition.endswith("（2025年修订）") and "新标签" in current.tags
    assert "education" in current.change_note or "教育" in current.change_note
    hits, _ = services.search(db, tags=["新标签"])
    assert [hit.id for hit in hits] == [row.id]


def test_a_leaf_removed_from_the_pack_is_deprecated_and_comes_back(empty_library, shipped):
    db = empty_library
    pack = _pack(shipped, "water")
    services.import_pack(db, actor=None, pack=pack)
    removed = pack.indicators[0].children[0].children.pop(0)
    result = services.import_pack(db, actor=None, pack=pack)
    assert result.deprecated == [f"water.{removed.key}"]
    row = db.exec(
        select(LibraryIndicator).where(LibraryIndicator.key == f"water.{removed.key}")
    ).one()
    assert row.status == Status.deprecated and row.status_note == loading.REMOVED_NOTE
    pack.indicators[0].children[0].children.insert(0, removed)
    result = services.import_pack(db, actor=None, pack=pack)
    assert result.restored == [f"water.{removed.key}"] and not result.updated
    assert row.status == Status.shared and row.current_version == 1


def test_framework_for_each_engagement_type_in_pack_order(empty_library, shipped):
    db = empty_library
    services.load_shipped(db)
    for engagement_type in ("project", "self_eval_review", "department", "ex_ante"):
        pack = next(
            p for p in shipped if p.kind == "common" and engagement_type in p.engagement_types
        )
        leaves = services.framework_for(db, engagement_type=engagement_type)
        assert [v.name for v in leaves] == [leaf.name for _, leaf in packs.flatten(pack)]
        assert sum((v.weight for v in leaves), Decimal(0)) == Decimal(100)
        assert all(v.number == 1 for v in leaves)
    project = services.framework_for(db, engagement_type="project")
    assert (project[0].level1, project[0].name) == ("决策", "立项依据充分性")
    with pytest.raises(ValidationFailed):
        services.framework_for(db, engagement_type="audit")


def test_framework_for_is_empty_without_packs(empty_library):
    assert services.framework_for(empty_library, engagement_type="project") == []


def test_an_invalid_pack_names_pack_and_leaf_and_imports_nothing(empty_library, shipped):
    db = empty_library
    pack = _pack(shipped, "health")
    first, second = packs.flatten(pack)[0].indicator, packs.flatten(pack)[1].indicator
    first.rule = "guesswork"
    second.key = first.key
    before = counts(db)
    with pytest.raises(ValidationFailed) as raised:
        services.import_pack(db, actor=None, pack=pack)
    messages = [item["message"] for item in raised.value.details]
    assert any("guesswork" in m and "卫生健康" in m and first.name in m for m in messages)
    assert any("重复" in m and first.key in m for m in messages)
    assert counts(db) == before


def test_one_bad_pack_stops_the_whole_batch(empty_library, shipped):
    db = empty_library
    items = [_pack(shipped, "education"), _pack(shipped, "health")]
    packs.flatten(items[1])[0].indicator.weight = Decimal("-1")
    with pytest.raises(ValidationFailed) as raised:
        services.import_packs(db, actor=None, items=items)
    assert "分值" in raised.value.details[0]["message"]
    assert counts(db)["library_indicator"] == 0


def test_a_second_common_framework_for_one_type_is_refused(empty_library, shipped):
    db = empty_library
    services.import_pack(db, actor=None, pack=_pack(shipped, "project_common"))
    other = _pack(shipped, "project_common")
    other.key = "project_common_2026"
    with pytest.raises(ValidationFailed) as raised:
        services.import_pack(db, actor=None, pack=other)
    assert "已有共性框架" in raised.value.details[0]["message"]


def test_only_admins_import_from_the_page_services(demo, empty_library, shipped):
    with pytest.raises(NotAllowed):
        services.import_pack(
            empty_library, actor=demo.users["demo-lead"], pack=_pack(shipped, "water")
        )
    result = services.import_pack(
        empty_library, actor=demo.users["demo-admin"], pack=_pack(shipped, "water")
    )
    entry = empty_library.exec(
        select(AuditEntry).where(
            AuditEntry.action == "library.import",
            AuditEntry.actor_id == demo.users["demo-admin"].id,
        )
    ).one()
    assert entry.actor_id == demo.users["demo-admin"].id
    assert entry.after["created"] == len(result.created) == 18


def test_export_of_an_imported_pack_equals_the_pack(empty_library, shipped):
    db = empty_library
    services.load_shipped(db)
    for original in shipped:
        exported = services.export_pack(db, pack_key=original.key)
        assert exported == original, original.key
        assert packs.validate_pack(exported) == []
