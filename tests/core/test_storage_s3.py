"""core/storage.py on an S3 bucket (moto over real HTTP): stored once, read, verified, copied to a
local file when a path is wanted; uploads streamed with the heap bounded; /readyz asks the bucket;
a bad storage address stops the start with a Chinese message."""

from __future__ import annotations

import hashlib
import io
import mmap
import os
import tracemalloc

import pytest

from tests.s3_server import free_port
from workbench import config, create_app
from workbench.core import storage
from workbench.core.blobstore import s3
from workbench.core.blobstore.local import LocalStore

CONTENT = "整改佐证：拨付凭证扫描件".encode() * 500
SHA = hashlib.sha256(CONTENT).hexdigest()


def test_stored_once_in_the_bucket_and_read_back(app, db, on_s3, monkeypatch):
    with app.app_context():
        target = storage.backend()
        assert isinstance(target, s3.S3Store) and target.url == on_s3 + "/"
        puts: list[str] = []
        real_put = target.put
        monkeypatch.setattr(target, "put", lambda sha, src: (puts.append(sha), real_put(sha, src)))
        first = storage.store(db, CONTENT, mime="application/pdf")
        again = storage.store(db, io.BytesIO(CONTENT), mime="application/pdf")
        assert first.sha256 == again.sha256 == SHA and first.size == len(CONTENT)
        assert puts == [SHA]  # hashed first: the second store found the key and uploaded nothing
        assert storage.exists(SHA) and storage.size(SHA) == len(CONTENT) and storage.verify(SHA)
        assert storage.read(SHA) == CONTENT
        with storage.open(SHA) as reader:
            reader.seek(len(CONTENT) - 3)
            assert reader.read() == CONTENT[-3:]
        assert not LocalStore(app.config["STORAGE_DIR"]).exists(SHA)  # nothing went to the folder


def test_a_memory_map_and_an_unseekable_stream_are_stored(app, db, on_s3, tmp_path):
    spooled = tmp_path / "upload"
    spooled.write_bytes(CONTENT + b"map")
    with app.app_context(), spooled.open("rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        blob = storage.store(db, mapped)
        assert mapped[:3] == CONTENT[:3]  # still open: the caller owns the map
        mapped.close()
        assert storage.read(blob.sha256) == CONTENT + b"map"

        class Pipe(io.RawIOBase):  # a stream that cannot seek (a socket, a pipe)
            def __init__(self):
                self.inner = io.BytesIO(CONTENT + b"pipe")

            def readable(self):
                return True

            def readinto(self, buffer):
                return self.inner.readinto(buffer)

        piped = storage.store(db, Pipe())
        assert piped.sha256 == hashlib.sha256(CONTENT + b"pipe").hexdigest()
        assert storage.verify(piped.sha256)


def test_a_damaged_or_missing_object_is_found(app, db, on_s3):
    with app.app_context():
        blob = storage.store(db, CONTENT)
        target = storage.backend()
        target.client.put_object(Bucket=target.bucket, Key=target.key(SHA), Body=b"changed")
        assert not storage.verify(blob.sha256)
        target.client.delete_object(Bucket=target.bucket, Key=target.key(SHA))
        assert not storage.exists(SHA) and storage.size(SHA) is None and not storage.verify(SHA)
        with pytest.raises(storage.NotFound, match="文件不存在或已丢失"):
            storage.open(SHA)


def test_a_path_is_a_verified_copy_in_the_instance_cache(app, db, on_s3):
    with app.app_context():
        storage.store(db, CONTENT)
        path = storage.local_path(SHA)
        assert path.parent.name == "storage-cache" and path.read_bytes() == CONTENT
        assert storage.local_path(SHA) == path  # downloaded once
        path.unlink()
        with pytest.raises(storage.NotFound):
            storage.local_path(hashlib.sha256(b"never stored").hexdigest())


def _big_file(tmp_path, megabytes: int):
    path = tmp_path / "scan.bin"
    with path.open("wb") as out:
        block = os.urandom(1024 * 1024)
        for n in range(megabytes):
            out.write(block[n:] + block[:n])
    return path


def test_a_large_upload_streams_with_the_heap_bounded(s3_process_endpoint, tmp_path):
    """48 MB: one streamed PUT (every evidence upload is this size or less) copies nothing onto
    the heap; above the single-PUT limit the multipart upload holds two 8 MB parts at most."""
    client = s3.make_client(s3_process_endpoint)
    client.create_bucket(Bucket="memory-bound")
    store = s3.S3Store("memory-bound", "m/", client=client)
    path = _big_file(tmp_path, 48)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    peaks = {}
    for mode in ("single", "multipart"):
        if mode == "multipart":
            store.transfer.multipart_threshold = s3.PART
            client.delete_object(Bucket="memory-bound", Key=store.key(sha))
        tracemalloc.start()
        try:
            with path.open("rb") as fh:
                store.put(sha, fh)
            peaks[mode] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        etag = client.head_object(Bucket="memory-bound", Key=store.key(sha))["ETag"]
        assert ("-" in etag) == (mode == "multipart")  # a multipart object's ETag ends in -<parts>
        with store.open(sha) as reader:
            assert hashlib.sha256(reader.read()).hexdigest() == sha
    assert peaks["single"] < 4 * 1024 * 1024, peaks
    assert peaks["multipart"] < 32 * 1024 * 1024, peaks


def test_readyz_names_the_store_when_the_bucket_does_not_answer(app, client, on_s3, monkeypatch):
    assert client.get("/readyz").json["checks"]["storage"] == "ok"
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json["checks"]["storage"] == "文件存储不可写"
    assert r.json["checks"]["database"] == "ok"


def test_storing_while_the_store_is_down_answers_507(app, db, on_s3, monkeypatch):
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    with app.app_context(), pytest.raises(storage.StorageFull, match="对象存储无法访问"):
        storage.store(db, CONTENT)
    assert db.get(storage.Blob, SHA) is None


def test_readyz_on_a_missing_bucket(app, client, on_s3, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_URL", "s3://no-such-bucket-here/x")
    assert client.get("/readyz").status_code == 503


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://files.example/evidence", "不支持的存储地址“ftp://files.example/evidence”"),
        ("s3:///evidence", "缺少存储桶名称"),
    ],
)
def test_a_bad_storage_address_stops_the_start(tmp_path, monkeypatch, url, message):
    monkeypatch.setenv("WORKBENCH_STORAGE_URL", url)
    with pytest.raises(ValueError, match=message):
        create_app({"INSTANCE_PATH": tmp_path, "SECRET_KEY": "x"})


def test_storage_settings_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_STORAGE_URL", "s3://evidence/workbench")
    monkeypatch.setenv("WORKBENCH_S3_ENDPOINT_URL", "http://minio.internal:9000")
    monkeypatch.setenv("WORKBENCH_STORAGE_PRESIGNED_DOWNLOADS", "true")
    monkeypatch.setenv("WORKBENCH_STORAGE_PRESIGNED_SECONDS", "120")
    loaded = config.load({"INSTANCE_PATH": tmp_path, "SECRET_KEY": "x"})
    assert loaded["STORAGE_URL"] == "s3://evidence/workbench"
    assert loaded["S3_ENDPOINT_URL"] == "http://minio.internal:9000"
    assert loaded["STORAGE_PRESIGNED_DOWNLOADS"] is True
    assert loaded["STORAGE_PRESIGNED_SECONDS"] == 120
    monkeypatch.setenv("WORKBENCH_STORAGE_URL", f"file://{tmp_path / 'files'}")
    assert config.load({"INSTANCE_PATH": tmp_path, "SECRET_KEY": "x"})["STORAGE_DIR"] == (
        tmp_path / "files"
    )
