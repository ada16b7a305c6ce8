"""Backup and restore: every row count and file hash survives the round trip; unsafe restores refused."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
import zipfile

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from workbench import cli
from workbench.core.backup import BackupError, backup, read_manifest, restore, row_counts
from workbench.core.blobstore.local import LocalStore
from workbench.db import make_engine


def _instance(monkeypatch, folder, url=None):
    monkeypatch.setenv("WORKBENCH_INSTANCE_PATH", str(folder))
    if url:
        monkeypatch.setenv("WORKBENCH_DATABASE_URL", url)
    else:
        monkeypatch.delenv("WORKBENCH_DATABASE_URL", raising=False)


CONTENT = "佐证材料".encode()
SHA = hashlib.sha256(CONTENT).hexdigest()
REL = f"{SHA[:2]}/{SHA[2:4]}/{SHA}"


def _seed_file(folder):
    LocalStore(folder / "storage").put(SHA, CONTENT)


def test_sqlite_round_trip_through_the_cli(tmp_path, monkeypatch):
    source, target = tmp_path / "a", tmp_path / "b"
    _instance(monkeypatch, source)
    assert CliRunner().invoke(cli.main, ["demo"]).exit_code == 0
    _seed_file(source)
    archive = tmp_path / "backup.zip"
    result = CliRunner().invoke(cli.main, ["backup", str(archive)])
    assert result.exit_code == 0, result.output
    manifest = read_manifest(archive)
    assert (
        manifest.dialect == "sqlite"
        and manifest.tables["user"] == 12  # the 8 demo logins and 4 scoring experts
        and manifest.files[REL] == SHA
    )

    _instance(monkeypatch, target)
    result = CliRunner().invoke(cli.main, ["restore", str(archive)])
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{target / 'workbench.db'}")
    assert row_counts(engine) == manifest.tables
    engine.dispose()
    assert (target / "storage" / REL).read_bytes() == CONTENT

    again = CliRunner().invoke(cli.main, ["restore", str(archive)])
    assert again.exit_code == 1 and "不是空的" in again.output


def test_tampered_backup_is_refused_before_writing(tmp_path, monkeypatch):
    source = tmp_path / "a"
    _instance(monkeypatch, source)
    CliRunner().invoke(cli.main, ["demo"])
    _seed_file(source)
    archive = tmp_path / "backup.zip"
    CliRunner().invoke(cli.main, ["backup", str(archive)])
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as zin, zipfile.ZipFile(tampered, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, b"changed" if item.filename.startswith("storage/") else data)
    _instance(monkeypatch, tmp_path / "b")
    result = CliRunner().invoke(cli.main, ["restore", str(tampered)])
    assert result.exit_code == 1 and "校验失败" in result.output
    assert not (tmp_path / "b" / "storage" / SHA[:2]).exists()


def test_not_a_backup(tmp_path):
    bogus = tmp_path / "x.zip"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(BackupError, match="不是有效的工作台备份文件"):
        read_manifest(bogus)


@pytest.mark.skipif(not os.environ.get("WORKBENCH_TEST_DATABASE_URL"), reason="PostgreSQL run only")
def test_postgresql_round_trip_with_pg_dump(tmp_path, monkeypatch):
    base = make_engine(os.environ["WORKBENCH_TEST_DATABASE_URL"]).url
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    names = [f"wb_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        urls = [base.set(database=n).render_as_string(hide_password=False) for n in names]
        _instance(monkeypatch, tmp_path / "a", urls[0])
        assert CliRunner().invoke(cli.main, ["demo"]).exit_code == 0
        archive = tmp_path / "pg.zip"
        assert CliRunner().invoke(cli.main, ["backup", str(archive)]).exit_code == 0
        _instance(monkeypatch, tmp_path / "b", urls[1])
        result = CliRunner().invoke(cli.main, ["restore", str(archive)])
        assert result.exit_code == 0, result.output
        restored = make_engine(urls[1])
        assert (
            row_counts(restored)
            == json.loads(zipfile.ZipFile(archive).read("manifest.json"))["tables"]
        )
        restored.dispose()
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_functions_directly_refuse_dialect_mismatch(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    from workbench import migrate

    migrate.upgrade(engine)
    archive = tmp_path / "b.zip"
    backup(engine, LocalStore(tmp_path / "storage"), archive)
    data = zipfile.ZipFile(archive).read("manifest.json")
    doctored = tmp_path / "d.zip"
    with zipfile.ZipFile(doctored, "w") as z:
        z.writestr("manifest.json", data.replace(b'"sqlite"', b'"postgresql"'))
    with pytest.raises(BackupError, match="不能恢复到 sqlite"):
        restore(engine, LocalStore(tmp_path / "storage"), doctored)
    engine.dispose()
