"""A return package's files written by processes of their own while the records merge
(workbench/offline/files.py and unpack.py): what they refuse, and a process that dies."""

from __future__ import annotations

import hashlib
import threading
import zipfile
from dataclasses import asdict
from pathlib import Path

import pytest
from sqlmodel import func, select

from tests.offline.helpers import PASSPHRASE
from workbench.core.blobstore.local import LocalStore
from workbench.core.errors import ValidationFailed
from workbench.core.storage import Blob, StorageFull
from workbench.offline import files, package, unpack


def _package(folder: Path, members: dict[str, bytes]) -> Path:
    target = folder / "files.wbpkg"

    def fill(zf: zipfile.ZipFile) -> None:
        for sha, data in members.items():
            zf.writestr(f"files/{sha}", data)

    package.write_package(
        target,
        kind="return",
        package_id="files",
        created_at="2026-12-01",
        passphrase=PASSPHRASE,
        fill=fill,
    )
    return target


def _scans(count: int, salt: str) -> dict[str, bytes]:
    out = {}
    for n in range(count):
        data = f"{salt} 第{n}页扫描件".encode() * 50
        out[hashlib.sha256(data).hexdigest()] = data
    return out


def _store(db, path: Path, members: dict[str, bytes], claimed: dict[str, int] | None = None):
    """files.storing over the package at `path`, the block counting the blob rows meanwhile."""
    sizes = claimed or {sha: len(data) for sha, data in members.items()}
    with package.open_verified(path, passphrase=PASSPHRASE) as opened:
        zf = zipfile.ZipFile(opened.payload)
        wanted = [(sha, "application/pdf", size) for sha, size in sizes.items()]
        opener = lambda sha: zf.open(f"files/{sha}")  # noqa: E731
        with files.storing(db, wanted, opener=opener, source=opened.source) as added:
            rows = db.exec(select(func.count()).select_from(Blob)).one()
        return added, rows


def test_the_files_are_written_by_other_processes_while_the_block_runs(app, db, tmp_path):
    members = _scans(9, "written")
    path = _package(tmp_path, members)
    with app.app_context():
        before = db.exec(select(func.count()).select_from(Blob)).one()
        added, rows_meanwhile = _store(db, path, members)
    assert added == 9 and rows_meanwhile == before + 9  # the rows are there for the block
    root = Path(app.config["STORAGE_DIR"])
    for sha, data in members.items():
        assert (root / sha[:2] / sha[2:4] / sha).read_bytes() == data
    assert not list(root.rglob(".upload-*"))


@pytest.mark.parametrize("fault", ["content", "size"])
def test_a_file_either_process_finds_wrong_refuses_the_check_in(app, db, tmp_path, fault):
    members = _scans(6, f"wrong {fault}")
    shas = list(members)
    bad = max(shas)  # the last by name: in the second process's part
    claimed = {sha: len(data) for sha, data in members.items()}
    if fault == "content":
        members = {**members, bad: b"not the scan its name says"}
        claimed[bad] = len(members[bad])
    else:
        claimed[bad] += 1
    path = _package(tmp_path, members)
    message = "内容与其校验值不符" if fault == "content" else "大小与记录不符"
    with app.app_context(), pytest.raises(ValidationFailed, match=f"{bad[:12]}… 的{message}"):
        _store(db, path, members, claimed)
    stored = Path(app.config["STORAGE_DIR"]) / bad[:2] / bad[2:4] / bad
    assert fault == "size" or not stored.exists()  # never kept under a name it does not have


def test_a_writing_process_that_dies_is_a_clear_refusal(app, db, tmp_path, monkeypatch):
    members = _scans(3, "died")
    path = _package(tmp_path, members)
    monkeypatch.setattr(files.sys, "executable", "/bin/false")  # starts, writes nothing, exits 1
    with app.app_context(), pytest.raises(StorageFull, match="写入文件的进程意外结束（退出码 1）"):
        _store(db, path, members)


def test_a_folder_the_disk_refuses_is_said_so(tmp_path):
    members = _scans(2, "disk")
    path = _package(tmp_path, members)
    not_a_folder = tmp_path / "store"
    not_a_folder.write_text("a file where the store's folder should be")
    with package.open_verified(path, passphrase=PASSPHRASE) as opened:
        source = asdict(opened.source)
    sizes = [[sha, len(data)] for sha, data in members.items()]
    job = {"source": source, "root": str(not_a_folder), "files": sizes}
    result = unpack.run(job)
    assert result["ok"] is False and result["kind"] == "disk" and result["detail"]


def test_each_process_reads_one_stretch_of_the_package_of_about_half_its_bytes():
    sizes = {"a": 300, "b": 100, "c": 100, "d": 200, "e": 100, "f": 200}
    where = {"c": 0, "a": 10, "f": 20, "b": 30, "d": 40, "e": 50}  # their places in the package
    parts = files._parts(list(sizes.items()), where.__getitem__)
    assert [[sha for sha, _size in part] for part in parts] == [["c", "a", "f"], ["b", "d", "e"]]
    assert [sum(size for _sha, size in part) for part in parts] == [600, 400]
    assert files._parts([("a", 5)], None) == [[("a", 5)]]  # one file: one process


def test_what_is_written_is_flushed_while_the_rest_is_written(monkeypatch, tmp_path):
    flushed = threading.Event()
    store = LocalStore(tmp_path)
    monkeypatch.setattr(store, "sync", flushed.set)
    monkeypatch.setattr(unpack, "FLUSH_SECONDS", 0.01)
    with unpack._flushing(store):
        assert flushed.wait(5)  # before the block ends
