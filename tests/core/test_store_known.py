"""`storage.store_known`: a batch of files whose names (SHA-256) and sizes are known in advance,
written two at a time, each kept only when it is what its name and size say."""

from __future__ import annotations

import errno
import hashlib
import io
from contextlib import nullcontext
from pathlib import Path

import pytest
from sqlmodel import select

from workbench.core import storage
from workbench.core.blobstore import CHUNK
from workbench.core.blobstore import local as local_store
from workbench.core.errors import ValidationFailed
from workbench.core.storage import Blob, StorageFull


def _files(count: int, size: int = 3000, *, salt: str = "") -> dict[str, bytes]:
    """Files of about `size` bytes; each test salts its own (the store folder is the session's)."""
    out = {}
    for n in range(count):
        data = f"{salt}第{n}份佐证材料".encode() * (size // 20)
        out[hashlib.sha256(data).hexdigest()] = data
    return out


def _opener(files: dict[str, bytes]):
    return lambda sha: nullcontext(io.BytesIO(files[sha]))


def _folder(app) -> Path:
    return Path(app.config["STORAGE_DIR"])


def _leftovers(app) -> list[Path]:
    return list(_folder(app).rglob(".upload-*"))


@pytest.fixture()
def local(app):
    with app.app_context():
        yield


def _store(db, files, opener=None, sizes=None):
    triples = [(sha, "application/pdf", (sizes or {}).get(sha, len(d))) for sha, d in files.items()]
    return storage.store_known(db, triples, opener or _opener(files))


def test_a_batch_is_stored_each_under_its_name(app, db, local):
    files = _files(25, salt="batch")
    assert _store(db, files) == 25
    for sha, data in files.items():
        with storage.open(sha) as reader:
            assert reader.read() == data
    rows = db.exec(select(Blob).where(Blob.sha256.in_(list(files)))).all()
    assert {r.sha256: r.size for r in rows} == {sha: len(d) for sha, d in files.items()}
    assert _leftovers(app) == []
    assert _store(db, files) == 0  # known already: no row, nothing written again


def test_a_file_whose_content_is_not_its_name_refuses_the_batch(app, db, local):
    files = _files(12, salt="wrong content")
    shas = list(files)
    wrong = shas[7]
    served = {**files, wrong: b"something else entirely"}
    with pytest.raises(ValidationFailed, match=f"{wrong[:12]}… 的内容与其校验值不符"):
        storage.store_known(
            db, [(sha, "image/jpeg", len(served[sha])) for sha in shas], _opener(served)
        )
    assert not storage.backend().exists(wrong)  # never kept under a name it does not have
    assert _leftovers(app) == []


def test_a_size_that_is_not_the_files_refuses_the_batch(app, db, local):
    for salt, delta in (("holds more", -1), ("holds less", +1)):
        files = _files(6, salt=salt)
        sha = list(files)[2]
        with pytest.raises(ValidationFailed, match="大小与记录不符"):
            _store(db, files, sizes={sha: len(files[sha]) + delta})
    assert _leftovers(app) == []


def test_a_file_larger_than_the_handover_is_streamed(app, db, local, monkeypatch):
    monkeypatch.setattr(local_store, "PIPELINED_BYTES", 4000)
    files = {
        **_files(3, 3000, salt="big"),
        **_files(2, 9000, salt="big"),
    }  # small ones handed over, big ones streamed
    asked: dict[int, set[int]] = {}  # file size → the read sizes asked of its stream

    class Reader(io.BytesIO):
        def read(self, size=-1):
            asked.setdefault(len(self.getvalue()), set()).add(size)
            return super().read(size)

    assert _store(db, files, opener=lambda sha: nullcontext(Reader(files[sha]))) == 5
    for sha, data in files.items():
        with storage.open(sha) as reader:
            assert reader.read() == data
    assert asked == {3300: {3301}, 9900: {CHUNK}}  # whole (and one byte more), or by chunks


def test_a_full_disk_is_storage_full(app, db, local, monkeypatch):
    from workbench.core.blobstore.local import LocalStore

    def full(self, sha, source, *, durable=True):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(LocalStore, "put_checked", full)
    with pytest.raises(StorageFull, match="存储空间不足"):
        _store(db, _files(5, salt="full disk"))
