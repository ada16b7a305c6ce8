"""The library workflow: personal → proposed → shared, versions, locking, permissions, audit."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlmodel import select

from tests.library.library_helpers import content, counts, engagement_indicator
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict, NotAllowed, ValidationFailed
from workbench.library import services
from workbench.library.editing import content_of
from workbench.library.models import LibraryIndicator, Status


def _actions(db, indicator) -> list[str]:
    rows = db.exec(
        select(AuditEntry)
        .where(AuditEntry.object_type == "library_indicator", AuditEntry.object_id == indicator.id)
        .order_by(AuditEntry.id)
    ).all()
    return [row.action for row in rows]


def test_personal_indicator_is_private_until_shared(db, demo):
    evaluator, lead = demo.users["demo-evaluator"], demo.users["demo-lead"]
    mine = services.create_personal(db, actor=evaluator, data=content(), sector="教育")
    assert mine.status == Status.personal and mine.owner_id == evaluator.id
    assert mine.key.startswith("contributed.ind_") and mine.current_version == 1
    assert mine.visible_to(evaluator) and not mine.visible_to(lead)
    assert mine.visible_to(demo.users["demo-admin"]) is False
    own, _ = services.search(db, q="食堂食品安全", viewer=evaluator)
    other, _ = services.search(db, q="食堂食品安全", viewer=lead)
    assert [row.id for row in own] == [mine.id] and other == []
    assert services.current_version(db, mine.id).tags == ["食品安全", "学校食堂"]


def test_only_agency_staff_create_indicators(db, demo):
    for username in ("demo-expert", "demo-bureau", "demo-unit"):
        with pytest.raises(NotAllowed):
            services.create_personal(db, actor=demo.users[username], data=content())


def test_invalid_content_is_refused_field_by_field_and_nothing_written(db, demo):
    before = counts(db)
    bad = content(
        name="", definition="", rule="guesswork", standard_type="国际标准", weight=Decimal("2.555")
    )
    with pytest.raises(ValidationFailed) as raised:
        services.create_personal(db, actor=demo.users["demo-lead"], data=bad)
    fields = {item["field"] for item in raised.value.details}
    assert {"name", "definition", "rule", "standard_type", "weight"} <= fields
    with pytest.raises(ValidationFailed) as raised:
        services.create_personal(
            db, actor=demo.users["demo-lead"], data=content(rule="linear", params="per=abc")
        )
    assert raised.value.details[0]["field"] == "params"
    assert counts(db) == before


def test_editing_adds_an_immutable_version_with_a_change_note(db, demo):
    lead = demo.users["demo-lead"]
    item = services.create_personal(db, actor=lead, data=content())
    first = services.current_version(db, item.id)
    second = services.edit(
        db,
        actor=lead,
        indicator=item,
        data=content(definition="修订后的解释：含学校食堂与校外供餐单位。"),
        change_note="扩大到校外供餐单位",
        version=item.version,
    )
    assert (second.number, item.current_version) == (2, 2)
    assert second.change_note == "扩大到校外供餐单位" and second.created_by_id == lead.id
    db.expire_all()
    assert services.get_version(db, item.id, 1).definition == first.definition
    assert services.current_version(db, item.id).definition.startswith("修订后")
    # A version row never changes in place.
    first.definition = "篡改"
    with pytest.raises(RuntimeError, match="immutable"):
        db.flush()
    db.rollback()


def test_edits_need_a_note_a_change_and_a_fresh_version(db, demo):
    lead = demo.users["demo-lead"]
    item = services.create_personal(db, actor=lead, data=content())
    with pytest.raises(ValidationFailed) as raised:
        services.edit(
            db,
            actor=lead,
            indicator=item,
            data=content(target="98%"),
            change_note="",
            version=item.version,
        )
    assert raised.value.details[0]["field"] == "change_note"
    with pytest.raises(ValidationFailed, match="没有变化"):
        services.edit(
            db,
            actor=lead,
            indicator=item,
            data=content(),
            change_note="无改动",
            version=item.version,
        )
    stale = item.version
    services.edit(
        db,
        actor=lead,
        indicator=item,
        data=content(target="98%"),
        change_note="目标",
        version=item.version,
    )
    with pytest.raises(Conflict, match="已被他人修改"):
        services.edit(
            db,
            actor=lead,
            indicator=item,
            data=content(target="99%"),
            change_note="晚了",
            version=stale,
        )
    assert item.current_version == 2


def test_scope_of_a_personal_indicator_changes_without_a_version(db, demo):
    lead = demo.users["demo-lead"]
    item = services.create_personal(db, actor=lead, data=content(), engagement_types=["project"])
    row = services.edit(
        db,
        actor=lead,
        indicator=item,
        data=content(),
        change_note="",
        sector="教育",
        engagement_types=["project", "department"],
        version=item.version,
    )
    assert row is None and item.current_version == 1
    assert item.sector == "教育" and item.engagement_type_list == ["project", "department"]
    found, _ = services.search(db, engagement_type="department", viewer=lead, status="personal")
    assert [r.id for r in found] == [item.id]


def test_propose_approve_reject_deprecate_restore(db, demo):
    evaluator, admin, lead = (
        demo.users["demo-evaluator"],
        demo.users["demo-admin"],
        demo.users["demo-lead"],
    )
    item = services.create_personal(db, actor=evaluator, data=content())
    with pytest.raises(NotAllowed):
        services.propose(db, actor=lead, indicator=item, version=item.version)
    services.propose(db, actor=evaluator, indicator=item, version=item.version)
    assert item.status == Status.proposed and item.proposed_at is not None
    assert item.visible_to(lead)  # colleagues see proposals
    with pytest.raises(NotAllowed, match="管理员"):
        services.approve(db, actor=lead, indicator=item, version=item.version)
    with pytest.raises(ValidationFailed):
        services.reject(db, actor=admin, indicator=item, reason="  ", version=item.version)
    services.reject(
        db, actor=admin, indicator=item, reason="指标解释缺少计算公式", version=item.version
    )
    assert item.status == Status.personal and item.status_note == "指标解释缺少计算公式"
    services.propose(db, actor=evaluator, indicator=item, version=item.version)
    assert item.status_note == ""
    with pytest.raises(Conflict):
        services.restore(db, actor=admin, indicator=item, version=item.version)
    services.approve(db, actor=admin, indicator=item, version=item.version)
    assert item.status == Status.shared and item.reviewed_by_id == admin.id
    with pytest.raises(NotAllowed):
        services.edit(
            db,
            actor=evaluator,
            indicator=item,
            data=content(target="90%"),
            change_note="改",
            version=item.version,
        )
    with pytest.raises(NotAllowed):
        services.deprecate(db, actor=lead, indicator=item, reason="过时", version=item.version)
    services.deprecate(db, actor=admin, indicator=item, reason="被新指标取代", version=item.version)
    assert item.status == Status.deprecated
    hidden, _ = services.search(db, q="食堂食品安全", viewer=lead)
    shown, _ = services.search(db, q="食堂食品安全", viewer=lead, status="deprecated")
    assert hidden == [] and [r.id for r in shown] == [item.id]
    services.restore(db, actor=admin, indicator=item, version=item.version)
    assert item.status == Status.shared
    assert _actions(db, item) == [
        "library.create",
        "library.propose",
        "library.reject",
        "library.propose",
        "library.approve",
        "library.deprecate",
        "library.restore",
    ]
    reject = db.exec(select(AuditEntry).where(AuditEntry.action == "library.reject")).one()
    assert reject.before["status"] == "proposed" and reject.after["status"] == "personal"


def test_stale_workflow_action_is_refused(db, demo):
    evaluator, admin = demo.users["demo-evaluator"], demo.users["demo-admin"]
    item = services.create_personal(db, actor=evaluator, data=content())
    seen = item.version
    services.propose(db, actor=evaluator, indicator=item, version=seen)
    with pytest.raises(Conflict, match="已被他人修改"):
        services.approve(db, actor=admin, indicator=item, version=seen)
    assert item.status == Status.proposed


def test_admin_edits_shared_pack_indicators(db, demo):
    admin, lead = demo.users["demo-admin"], demo.users["demo-lead"]
    row = db.exec(select(LibraryIndicator).where(LibraryIndicator.pack_key == "water")).first()
    current = services.current_version(db, row.id)
    changed = replace(content_of(current), target="≥98%")
    assert not row.can_edit(lead)
    new = services.edit(
        db,
        actor=admin,
        indicator=row,
        data=changed,
        change_note="按新规划调整目标",
        version=row.version,
    )
    assert new.number == current.number + 1 and row.status == Status.shared
    assert new.target == "≥98%" and services.get_version(db, row.id, 1).target == current.target


def test_benchmarks_add_versions_and_refuse_duplicates(db, demo):
    lead = demo.users["demo-lead"]
    item = services.create_personal(db, actor=lead, data=content())
    row = services.add_benchmark(
        db,
        actor=lead,
        indicator=item,
        value="96.5%",
        year=2024,
        source="全国食品安全抽检公报",
        version=item.version,
    )
    assert row.number == 2 and row.benchmarks == [
        {"value": "96.5%", "year": 2024, "source": "全国食品安全抽检公报"}
    ]
    assert "96.5%" in row.change_note
    with pytest.raises(ValidationFailed, match="重复"):
        services.add_benchmark(
            db,
            actor=lead,
            indicator=item,
            value="96.5%",
            year=2024,
            source="全国食品安全抽检公报",
            version=item.version,
        )
    with pytest.raises(ValidationFailed):
        services.add_benchmark(
            db, actor=lead, indicator=item, value="1|2", year=1800, source="x", version=item.version
        )
    with pytest.raises(NotAllowed):
        services.add_benchmark(
            db,
            actor=demo.users["demo-expert"],
            indicator=item,
            value="1",
            year=2024,
            source="x",
            version=item.version,
        )
    assert item.current_version == 2


def test_propose_from_engagement_keeps_provenance(db, demo):
    evaluator = demo.users["demo-evaluator"]
    source = engagement_indicator(db, demo.engagement, name="食谱营养达标率（测试）")
    created = services.propose_from_engagement(db, actor=evaluator, indicator=source)
    assert created.status == Status.proposed and created.owner_id == evaluator.id
    assert (created.source_engagement_id, created.source_indicator_id) == (
        demo.engagement.id,
        source.id,
    )
    version = services.current_version(db, created.id)
    assert version.points == ["核实食谱", "抽查供餐记录"]
    assert version.evidence == ["食谱", "供餐台账"]
    assert version.weight == Decimal("5.00") and version.scoring == "得分＝达标率×分值"
    assert demo.engagement.title in version.change_note
    assert created.engagement_type_list == [demo.engagement.type]
    assert _actions(db, created) == ["library.create", "library.propose"]
    with pytest.raises(Conflict, match="已提交过"):
        services.propose_from_engagement(db, actor=evaluator, indicator=source)


def test_propose_from_engagement_permissions_and_gaps(db, demo):
    source = engagement_indicator(db, demo.engagement, name="无解释指标", definition="")
    before = counts(db)
    for username in ("demo-expert", "demo-bureau", "demo-unit"):
        with pytest.raises(NotAllowed):
            services.propose_from_engagement(db, actor=demo.users[username], indicator=source)
    with pytest.raises(ValidationFailed) as raised:
        services.propose_from_engagement(db, actor=demo.users["demo-lead"], indicator=source)
    assert "信息不完整" in raised.value.message
    assert raised.value.details[0]["field"] == "definition"
    assert counts(db) == before


def _copy_of(db, demo, row, **changes):
    used = services.current_version(db, row.id)
    fields = dict(
        level1=used.level1,
        level2=used.level2,
        name=used.name,
        weight=used.weight,
        rule=used.rule,
        params=used.params,
        target=used.target,
        definition=used.definition,
        points="\n".join(used.points),
        evidence_sources="\n".join(used.evidence),
        standard_type=used.standard_type,
        standard=used.scoring,
        note=used.notes,
        library_indicator_id=row.id,
        library_version=used.number,
    )
    fields.update(changes)
    return used, engagement_indicator(db, demo.engagement, **fields)


def test_propose_unchanged_library_copy_is_refused(db, demo):
    row = db.exec(select(LibraryIndicator).where(LibraryIndicator.pack_key == "health")).first()
    _used, copy = _copy_of(db, demo, row)
    before = counts(db)
    with pytest.raises(Conflict, match="相同"):
        services.propose_from_engagement(db, actor=demo.users["demo-lead"], indicator=copy)
    assert counts(db) == before


def test_propose_adapted_library_copy_keeps_tags_and_origin(db, demo):
    row = db.exec(select(LibraryIndicator).where(LibraryIndicator.pack_key == "health")).first()
    used, copy = _copy_of(db, demo, row, name="改编后的指标", target="≥99%")
    created = services.propose_from_engagement(db, actor=demo.users["demo-lead"], indicator=copy)
    version = services.current_version(db, created.id)
    assert version.tags == used.tags and version.target == "≥99%"
    assert f"改编自指标库“{used.name}”第{used.number}版" in version.change_note
