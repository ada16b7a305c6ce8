"""`workbench storage migrate --to URL` and `workbench storage verify`, folder ↔ bucket (moto over
HTTP); and backup/restore with the files in a bucket."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner
from sqlmodel import Session

from workbench import cli
from workbench.core.blobstore import stored_hash
from workbench.core.blobstore.local import LocalStore
from workbench.core.blobstore.s3 import S3Store, make_client
from workbench.core.blobstore.transfer import copy_all
from workbench.core.storage import Blob
from workbench.db import make_engine

FILES = [f"第{n}份佐证材料".encode() * 100 for n in range(3)]
SHAS = [hashlib.sha256(data).hexdigest() for data in FILES]


@pytest.fixture()
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_INSTANCE_PATH", str(tmp_path / "instance"))
    for name in ("DATABASE_URL", "STORAGE_URL", "S3_ENDPOINT_URL"):
        monkeypatch.delenv(f"WORKBENCH_{name}", raising=False)
    return tmp_path / "instance"


def _bucket(endpoint: str, name: str) -> S3Store:
    client = make_client(endpoint)
    client.create_bucket(Bucket=name)
    return S3Store(name, "wb/", client=client)


def _run(*args: str):
    return CliRunner().invoke(cli.main, list(args))


def test_migrate_folder_to_bucket_checks_every_copy_and_resumes(instance, s3_endpoint, s3_bucket):
    folder = LocalStore(instance / "storage")
    for sha, data in zip(SHAS, FILES, strict=True):
        folder.put(sha, data)
    folder.path(SHAS[2]).write_bytes(b"damaged on disk")
    target = f"s3://{s3_bucket}/wb"
    first = _run("storage", "migrate", "--to", target, "--endpoint-url", s3_endpoint)
    assert first.exit_code == 1, first.output
    assert "复制 2 个，已存在跳过 0 个，源文件损坏 1 个，复制后校验不符 0 个" in first.output
    assert f"{SHAS[2]}：源文件已损坏" in first.output
    bucket = S3Store(s3_bucket, "wb/", client=make_client(s3_endpoint))
    assert sorted(bucket.shas()) == sorted(SHAS[:2])  # the damaged file was not copied
    assert all(stored_hash(bucket, sha) == sha for sha in SHAS[:2])

    folder.put(SHAS[2], FILES[2])  # repaired (from a backup); the migration is run again
    again = _run("storage", "migrate", "--to", target, "--endpoint-url", s3_endpoint)
    assert again.exit_code == 0, again.output
    assert "复制 1 个，已存在跳过 2 个，源文件损坏 0 个" in again.output
    assert f"WORKBENCH_STORAGE_URL 设为 {target}" in again.output
    assert stored_hash(bucket, SHAS[2]) == SHAS[2]


def test_migrate_bucket_to_folder(instance, s3_endpoint, s3_bucket, monkeypatch, tmp_path):
    bucket = S3Store(s3_bucket, "wb/", client=make_client(s3_endpoint))
    for sha, data in zip(SHAS, FILES, strict=True):
        bucket.put(sha, data)
    monkeypatch.setenv("WORKBENCH_STORAGE_URL", f"s3://{s3_bucket}/wb")
    monkeypatch.setenv("WORKBENCH_S3_ENDPOINT_URL", s3_endpoint)
    target = tmp_path / "files"
    done = _run("storage", "migrate", "--to", target.as_uri())
    assert done.exit_code == 0, done.output
    assert "复制 3 个，已存在跳过 0 个" in done.output
    for sha, data in zip(SHAS, FILES, strict=True):
        assert (target / sha[:2] / sha[2:4] / sha).read_bytes() == data

    same = _run("storage", "migrate", "--to", f"s3://{s3_bucket}/wb")
    assert same.exit_code == 2 and "目标与当前存储相同" in same.output
    bad = _run("storage", "migrate", "--to", "ftp://x/y")
    assert bad.exit_code == 2 and "不支持的存储地址" in bad.output


def test_a_copy_that_arrives_damaged_is_reported(tmp_path):
    source, damaging = LocalStore(tmp_path / "a"), LocalStore(tmp_path / "b")
    source.put(SHAS[0], FILES[0])
    real_put = damaging.put
    damaging.put = lambda sha, src: real_put(sha, b"lost in transit")
    report = copy_all(source, damaging)
    assert report.mismatched == [SHAS[0]] and report.copied == 0 and not report.ok


def _register(instance, *indexes: int) -> None:
    engine = make_engine(f"sqlite:///{instance / 'workbench.db'}")
    with Session(engine) as session:
        for n in indexes:
            session.add(Blob(sha256=SHAS[n], size=len(FILES[n])))
        session.commit()
    engine.dispose()


@pytest.mark.parametrize("backend", ["folder", "bucket"])
def test_verify_lists_missing_and_damaged_files(instance, backend, request, monkeypatch):
    assert _run("db", "upgrade").exit_code == 0
    if backend == "folder":
        store = LocalStore(instance / "storage")
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        store = _bucket(endpoint, request.getfixturevalue("s3_bucket") + "-v")
        monkeypatch.setenv("WORKBENCH_STORAGE_URL", f"s3://{store.bucket}/wb")
        monkeypatch.setenv("WORKBENCH_S3_ENDPOINT_URL", endpoint)
    store.put(SHAS[0], FILES[0])
    store.put(SHAS[1], b"changed")
    _register(instance, 0, 1, 2)
    result = _run("storage", "verify")
    assert result.exit_code == 1
    assert f"丢失：{SHAS[2]}" in result.output and f"损坏：{SHAS[1]}" in result.output
    assert "共 3 个文件：完好 1 个，丢失 1 个，损坏 1 个" in result.output
    store.put(SHAS[1], FILES[1])
    store.put(SHAS[2], FILES[2])
    fine = _run("storage", "verify")
    assert fine.exit_code == 0 and "完好 3 个，丢失 0 个，损坏 0 个" in fine.output


def test_backup_and_restore_with_the_files_in_a_bucket(tmp_path, monkeypatch, s3_endpoint):
    source, target = _bucket(s3_endpoint, "backup-from"), _bucket(s3_endpoint, "restore-to")
    monkeypatch.setenv("WORKBENCH_S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.delenv("WORKBENCH_DATABASE_URL", raising=False)
    for where, bucket in (("a", source), ("b", target)):
        monkeypatch.setenv("WORKBENCH_INSTANCE_PATH", str(tmp_path / where))
        monkeypatch.setenv("WORKBENCH_STORAGE_URL", f"s3://{bucket.bucket}/wb")
        if where == "a":
            assert _run("db", "upgrade").exit_code == 0
            for sha, data in zip(SHAS, FILES, strict=True):
                source.put(sha, data)
            _register(tmp_path / "a", 0, 1, 2)
            made = _run("backup", str(tmp_path / "backup.zip"))
            assert made.exit_code == 0 and "3 个文件" in made.output, made.output
        else:
            done = _run("restore", str(tmp_path / "backup.zip"))
            assert done.exit_code == 0, done.output
    assert sorted(target.shas()) == sorted(SHAS)
    assert all(stored_hash(target, sha) == sha for sha in SHAS)
    assert not (tmp_path / "b" / "storage" / SHAS[0][:2]).exists()  # not in the folder
