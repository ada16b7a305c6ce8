"""A checkout package opened on the laptop: every row with its server key, every file, the team's
usual passwords; a refused package leaves nothing behind."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from tests.offline.laptop_helpers import DEVICE, PASSPHRASE, demo_engagement_id, write_checkout
from workbench.core.blobstore import stored_hash
from workbench.core.blobstore.local import LocalStore
from workbench.core.errors import ValidationFailed
from workbench.db import make_engine
from workbench.offline import laptop, package, scope


def _rows(folder, name: str) -> dict[str, dict]:
    tbl = SQLModel.metadata.tables[name]
    engine = make_engine(laptop.database_url(folder))
    try:
        with engine.connect() as conn:
            found = [scope.plain_row(dict(r._mapping)) for r in conn.execute(select(tbl))]
    finally:
        engine.dispose()
    return {scope.key_of(tbl, r): r for r in found}


def test_every_carried_row_is_on_the_laptop_under_its_server_key(checkout_file, laptop_folder):
    _path, manifest, records = checkout_file
    carried: dict[str, list[dict]] = {}
    for group in ("reference", "merged"):
        for name, rows in records[group].items():
            carried.setdefault(name, []).extend(rows)
    assert {"engagement", "user", "working_paper", "evidence", "survey_response"} <= set(carried)
    for name, rows in carried.items():
        tbl = SQLModel.metadata.tables[name]
        expected = {scope.key_of(tbl, r): r for r in rows}
        assert _rows(laptop_folder, name) == expected, name
    papers = _rows(laptop_folder, "working_paper")
    assert sorted(int(k) for k in papers) == sorted(r["id"] for r in carried["working_paper"])


def test_the_files_and_the_checkout_are_kept_in_the_folder(checkout_file, laptop_folder):
    _path, manifest, _records = checkout_file
    store = LocalStore(laptop.storage_dir(laptop_folder))
    assert manifest["blobs"] and sorted(store.shas()) == sorted(manifest["blobs"])
    assert all(stored_hash(store, sha) == sha for sha in manifest["blobs"])
    found = laptop.settings(laptop_folder)
    assert found == json.loads((laptop_folder / "offline.json").read_text(encoding="utf-8"))
    header = package.read_header(_path)
    for name in ("checkout", "engagement_id", "engagement_title", "device", "issued_at"):
        assert found[name] == manifest[name]
    assert found["token"] == manifest["token"] and found["team_ids"] == manifest["team_ids"]
    assert found["issued_by"] == "张三" and found["device"] == DEVICE
    assert (found["kdf"], found["check"]) == (header["kdf"], header["check"])
    assert laptop.passphrase_matches(found, PASSPHRASE)
    assert not laptop.passphrase_matches(found, "别的口令")
    assert PASSPHRASE not in (laptop_folder / "offline.json").read_text(encoding="utf-8")
    secret = (laptop_folder / "secret_key").read_text().strip()
    assert len(secret) == 64 and secret not in {"test-secret", "server-secret"}


def test_a_team_member_signs_in_with_the_usual_password_and_no_one_else_can(
    checkout_file, laptop_client
):
    _path, manifest, records = checkout_file
    users = {u["username"]: u for u in records["reference"]["user"]}
    team = {name for name, u in users.items() if u["id"] in manifest["team_ids"]}
    assert team == {"demo-lead", "demo-evaluator", "demo-reviewer"}
    for name in sorted(team):
        assert laptop_client(name).get("/").status_code == 200
    outsiders = sorted(set(users) - team)
    assert "demo-unit" in outsiders and "demo-expert" in outsiders
    for name in outsiders:
        answer = laptop_client().post("/login", data={"username": name, "password": "demo12345"})
        assert answer.status_code == 200 and "用户名或密码错误" in answer.get_data(as_text=True)


def test_opening_the_same_checkout_again_keeps_the_folder(checkout_file, laptop_folder):
    before = (laptop_folder / "workbench.db").stat().st_mtime_ns
    again = laptop.unpack(checkout_file[0], passphrase="用不到", directory=laptop_folder)
    assert again == laptop_folder.resolve()
    assert (laptop_folder / "workbench.db").stat().st_mtime_ns == before


def _nothing_created(parent, before: set) -> None:
    assert set(parent.iterdir()) == before


def test_a_wrong_passphrase_creates_nothing(checkout_file, tmp_path):
    before = set(tmp_path.iterdir())
    with pytest.raises(package.PackageRefused) as refused:
        laptop.unpack(checkout_file[0], passphrase="不对的口令", directory=tmp_path / "a" / "b")
    assert refused.value.kind == "passphrase" and str(refused.value) == "口令不正确"
    _nothing_created(tmp_path, before)


def test_a_changed_package_is_refused_and_creates_nothing(checkout_file, tmp_path):
    changed = tmp_path / "changed.wbpkg"
    data = bytearray(checkout_file[0].read_bytes())
    data[len(data) // 2] ^= 0x01  # a byte of the evidence files, deep inside the payload
    changed.write_bytes(bytes(data))
    before = set(tmp_path.iterdir())
    with pytest.raises(package.PackageRefused) as refused:
        laptop.unpack(changed, passphrase=PASSPHRASE, directory=tmp_path / "new" / "laptop")
    assert refused.value.kind == "tampered" and "已被改动或损坏" in str(refused.value)
    _nothing_created(tmp_path, before)


def test_an_existing_empty_folder_is_used_and_kept_on_refusal(checkout_file, tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    with pytest.raises(package.PackageRefused):
        laptop.unpack(checkout_file[0], passphrase="不对的口令", directory=target)
    assert target.is_dir() and list(target.iterdir()) == []
    assert laptop.unpack(checkout_file[0], passphrase=PASSPHRASE, directory=target) == target
    assert laptop.settings(target)["checkout"] == checkout_file[1]["checkout"]


def test_a_folder_holding_something_else_is_refused(checkout_file, tmp_path, laptop_folder):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("别的文件")
    with pytest.raises(ValidationFailed, match="不是空的"):
        laptop.unpack(checkout_file[0], passphrase=PASSPHRASE, directory=busy)
    settings = laptop.settings(laptop_folder)
    settings["checkout"] = "0" * 32  # another checkout's instance
    (laptop_folder / "offline.json").write_text(json.dumps(settings), encoding="utf-8")
    with pytest.raises(ValidationFailed, match="另一次检出"):
        laptop.unpack(checkout_file[0], passphrase=PASSPHRASE, directory=laptop_folder)


def test_a_return_package_is_not_opened_as_a_checkout(app, demo_engine, tmp_path):
    path = tmp_path / "return.wbpkg"
    with app.app_context(), demo_engine.connect() as conn:
        write_checkout(conn, demo_engagement_id(conn), path, kind="return")
    with pytest.raises(ValidationFailed, match="这不是检出包"):
        laptop.unpack(path, passphrase=PASSPHRASE, directory=tmp_path / "laptop")
    assert not (tmp_path / "laptop").exists()
