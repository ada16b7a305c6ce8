"""从Excel导入专家 (issue 21), the service: how a row finds its expert, each row through the pool's
own create/update, every refusal named by row and column, another agency's pool never read."""

from __future__ import annotations

import pytest
from sqlmodel import select

from workbench.accounts.models import Organisation
from workbench.core.audit import AuditEntry
from workbench.core.errors import NotAllowed
from workbench.core.spreadsheet import TableRead, TableRow
from workbench.core.staging import RowsRefused, rehearse
from workbench.experts import services
from workbench.experts.models import Expert
from workbench.experts.pool_import import (
    AMBIGUOUS,
    FIELDS,
    TWICE,
    import_experts,
    matches,
)


def _read(*rows: dict) -> TableRead:
    """Rows as the reader gives them: every field present, blank cells None, from sheet row 2."""
    blank = {spec.key: None for spec in FIELDS}
    return TableRead(rows=[TableRow(n, blank | row) for n, row in enumerate(rows, start=2)])


def _pool(db, agency_id: int) -> dict[str, Expert]:
    db.expire_all()
    experts = db.exec(select(Expert).where(Expert.agency_id == agency_id)).all()
    return {e.name: e for e in experts}


def _add(db, admin, name: str, **fields) -> Expert:
    expert = services.create_expert(db, actor=admin, data=services.ExpertInput(name=name, **fields))
    db.flush()
    return expert


def _refused(db, admin, read: TableRead) -> list[str]:
    with pytest.raises(RowsRefused) as refused:
        rehearse(db, lambda: import_experts(db, actor=admin, read=read))
    return [p.text for p in refused.value.problems]


# --- matching (plain experts, no database) ----------------------------------------------------


def test_a_row_is_the_expert_with_its_email_or_account_else_its_name_uncontradicted():
    zhang = Expert(id=1, agency_id=1, name="张伟", phone="138-0000-0001", email="zw@a.cn")
    other_zhang = Expert(id=2, agency_id=1, name="张伟", phone="13900000002")
    li = Expert(id=3, agency_id=1, name="李娜", user_id=7)
    pool = [zhang, other_zhang, li]

    def found(**row) -> list[int]:
        return [e.id for e in matches(pool, services.ExpertInput(**row))]

    assert found(name="张伟改名", email=" ZW@A.CN ") == [1]  # the e-mail decides, the name follows
    assert found(name="李四", user_id=7) == [3]  # so does the linked account
    assert found(name="张伟", phone="138 0000 0001") == [1]  # spaces and dashes aside
    assert found(name="张伟", phone="13900000002") == [2]
    assert found(name="张伟", phone="13700000000") == []  # another 张伟: a new expert
    assert found(name="张伟") == [1, 2]  # nothing to tell them apart: a problem
    assert found(name="张伟", email="new@a.cn") == [2]  # 1 has another e-mail; 2 none
    assert found(name="李娜", user_id=8) == []  # linked to another account
    assert found(name="李娜", phone="1") == [3]
    assert found(name="王五") == []


# --- the service ------------------------------------------------------------------------------


def test_rows_create_update_or_leave_experts_through_the_pools_services(db, demo):
    admin = demo.users["demo-admin"]
    agency = admin.org_id
    zheng = _pool(db, agency)["郑高工"]  # the demo's: no phone, no e-mail
    version = zheng.version
    logged = len(db.exec(select(AuditEntry)).all())
    read = _read(
        {"name": "郑高工", "phone": "13800000000", "field_tags": "教育，基本建设"},  # matched
        {"name": "新专家", "title": "教授", "field_tags": "教育、 统计", "active": "inactive"},
        {"name": "陈专家", "email": "demo-expert@example.com"},  # as stored: unchanged
    )
    done = import_experts(db, actor=admin, read=read)
    assert [(r.row, r.action, r.changed) for r in done] == [
        (2, "update", ("联系电话",)),  # the tags are the same once split and joined
        (3, "add", ()),
        (4, "same", ()),
    ]
    experts = _pool(db, agency)
    assert (experts["郑高工"].phone, experts["郑高工"].title) == ("13800000000", "高级工程师")
    assert experts["郑高工"].version == version + 1
    new = experts["新专家"]
    assert (new.title, new.tags, new.active, new.created_by_id) == (
        "教授", ["教育", "统计"], False, admin.id,
    )  # fmt: skip
    entries = db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()[logged:]
    assert [(e.action, e.actor_id) for e in entries] == [
        ("expert.update", admin.id), ("expert.create", admin.id),
    ]  # fmt: skip


def test_a_blank_cell_keeps_the_profile_and_an_account_is_linked_by_username(db, demo, make_user):
    admin = demo.users["demo-admin"]
    agency = demo.orgs["示例绩效评价咨询有限公司"]
    account = make_user("expert", username="Expert-Lin", managed_by=agency)
    _add(db, admin, "林专家", title="研究员", organisation="示例研究院", note="保留", active=False)
    read = _read({"name": "林专家", "username": "expert-lin", "email": "lin@example.cn"})
    (row,) = import_experts(db, actor=admin, read=read)
    assert row.changed == ("电子邮箱", "关联登录账号")
    lin = _pool(db, admin.org_id)["林专家"]
    assert (lin.title, lin.organisation, lin.note, lin.active) == (
        "研究员",
        "示例研究院",
        "保留",
        False,
    )
    assert (lin.email, lin.user_id) == ("lin@example.cn", account.id)


def test_another_agencys_experts_are_never_matched_nor_touched(db, demo, make_user):
    admin = demo.users["demo-admin"]
    other_admin = make_user("agency", role="admin", username="other-admin")
    theirs = _add(db, other_admin, "郑高工", email="zheng@other.cn")
    their_account = make_user(
        "expert", username="their-expert", managed_by=db.get(Organisation, other_admin.org_id)
    )
    read = _read({"name": "郑高工", "email": "zheng@other.cn"})
    (row,) = import_experts(db, actor=admin, read=read)  # the demo's own 郑高工 (no e-mail)
    assert row.action == "update"
    db.refresh(theirs)
    assert (theirs.version, theirs.email) == (1, "zheng@other.cn")
    problems = _refused(db, admin, _read({"name": "某专家", "username": "their-expert"}))
    assert problems == ["第2行“关联登录账号”列：本机构没有用户名为“their-expert”的账号"]
    assert their_account.id not in {e.user_id for e in _pool(db, admin.org_id).values()}
    # The other admin's rows land in their own pool.
    (added,) = import_experts(db, actor=other_admin, read=_read({"name": "陈专家"}))
    assert added.action == "add"


def test_every_refused_row_is_named_by_row_and_column_and_nothing_stays(db, demo, make_user):
    admin = demo.users["demo-admin"]
    agency = demo.orgs["示例绩效评价咨询有限公司"]
    make_user("agency", org=agency, username="gone-staff", managed_by=agency).active = False
    make_user("bureau", username="a-bureau", managed_by=agency)
    _add(db, admin, "张伟", phone="13800000001")
    _add(db, admin, "张伟", phone="13800000002", organisation="示例大学")
    before = {name: e.version for name, e in _pool(db, admin.org_id).items()}
    read = _read(
        {"name": "好专家"},  # fine alone, but the file has errors
        {"name": "坏邮箱", "email": "not-an-email"},
        {"name": "张伟"},
        {"name": "无账号", "username": "nobody"},
        {"name": "停用账号", "username": "gone-staff"},
        {"name": "局方账号", "username": "a-bureau"},
        {"name": "某专家", "email": "demo-expert@example.com", "username": "demo-expert-wu"},
        {"name": "好专家", "title": "教授"},  # the same as row 2
        {"name": "陈专家", "email": "x@y", "note": "n"},
    )
    assert _refused(db, admin, read) == [
        "第3行“电子邮箱”列：邮箱格式不正确",
        f"第4行：与专家库中的 2 位专家都相符：“张伟”、“张伟”（示例大学），{AMBIGUOUS}",
        "第5行“关联登录账号”列：本机构没有用户名为“nobody”的账号",
        "第6行“关联登录账号”列：关联账号须为有效的专家账号或本机构人员账号",
        "第7行“关联登录账号”列：关联账号须为有效的专家账号或本机构人员账号",
        "第8行：与专家库中的 2 位专家都相符：“陈专家”（示例大学经济管理学院）、"
        f"“吴研究员”（示例市农业科学院），{AMBIGUOUS}",
        f"第9行：与第2行是同一位专家“好专家”；{TWICE}",
        "第10行“电子邮箱”列：邮箱格式不正确",
    ]
    after = _pool(db, admin.org_id)
    assert "好专家" not in after
    assert {name: e.version for name, e in after.items()} == before


def test_only_an_admin_imports(db, demo):
    with pytest.raises(NotAllowed):
        import_experts(db, actor=demo.users["demo-lead"], read=_read({"name": "新专家"}))
