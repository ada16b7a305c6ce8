"""The two backends behind core/storage.py answer the same way: the local folder and an S3 bucket
(moto's server over real HTTP); and a storage URL is read or refused in Chinese."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from workbench.core.blobstore import parse_url, relative_key, stored_hash
from workbench.core.blobstore.local import LocalStore

CONTENT = "佐证材料：现场核查记录".encode() * 1000
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "storage")
    return request.getfixturevalue("s3_store")


def test_a_blob_is_kept_under_its_hash_and_read_back(store):
    assert not store.exists(SHA) and store.size(SHA) is None
    store.put(SHA, CONTENT)
    assert store.exists(SHA) and store.size(SHA) == len(CONTENT)
    with store.open(SHA) as reader:
        assert reader.read() == CONTENT
    assert stored_hash(store, SHA) == SHA
    assert list(store.shas()) == [SHA]


def test_a_file_object_is_streamed_in(store):
    store.put(SHA, io.BytesIO(CONTENT))
    assert stored_hash(store, SHA) == SHA


def test_the_reader_seeks_like_a_file(store):
    store.put(SHA, CONTENT)
    with store.open(SHA) as reader:
        assert reader.seekable()
        reader.seek(-4, io.SEEK_END)
        assert reader.read() == CONTENT[-4:]
        reader.seek(10)
        assert reader.read(5) == CONTENT[10:15] and reader.tell() == 15
        reader.seek(3)
        assert reader.read(2) == CONTENT[3:5]


def test_a_missing_blob_and_a_name_that_is_no_hash(store):
    with pytest.raises(FileNotFoundError):
        store.open(SHA)
    with pytest.raises(FileNotFoundError):
        store.open("../../secret_key")
    assert stored_hash(store, SHA) is None


def test_stray_objects_are_not_blobs(store, tmp_path):
    store.put(SHA, CONTENT)
    if isinstance(store, LocalStore):
        (store.root / "notes.txt").write_text("x")
        (store.root / SHA[:2] / SHA[2:4] / ".upload-123").write_text("x")
    else:
        store.client.put_object(Bucket=store.bucket, Key="workbench/notes.txt", Body=b"x")
        store.client.put_object(Bucket=store.bucket, Key=f"elsewhere/{relative_key(SHA)}", Body=b"")
    assert list(store.shas()) == [SHA]


def test_the_local_layout_is_unchanged(tmp_path):
    LocalStore(tmp_path).put(SHA, CONTENT)
    assert (tmp_path / SHA[:2] / SHA[2:4] / SHA).read_bytes() == CONTENT


def test_the_s3_layout_mirrors_the_folder_under_the_prefix(s3_store):
    s3_store.put(SHA, CONTENT)
    listed = s3_store.client.list_objects_v2(Bucket=s3_store.bucket)["Contents"]
    assert [o["Key"] for o in listed] == [f"workbench/{SHA[:2]}/{SHA[2:4]}/{SHA}"]


def test_the_s3_check_asks_the_bucket(s3_store):
    s3_store.check()
    from botocore.exceptions import ClientError

    s3_store.bucket = "no-such-bucket"
    with pytest.raises(ClientError):
        s3_store.check()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:///var/lib/workbench/storage", ("file", Path("/var/lib/workbench/storage"), "", "")),
        ("s3://evidence", ("s3", None, "evidence", "")),
        ("s3://evidence/workbench/prod/", ("s3", None, "evidence", "workbench/prod/")),
    ],
)
def test_storage_urls(url, expected):
    location = parse_url(url)
    assert (location.scheme, location.path, location.bucket, location.prefix) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://files/x", "不支持的存储地址“ftp://files/x”"),
        ("/var/lib/storage", "不支持的存储地址"),
        ("s3:///prefix", "缺少存储桶名称"),
        ("s3://", "缺少存储桶名称"),
        ("file://relative/path", "须写成绝对路径"),
    ],
)
def test_bad_storage_urls_are_refused_in_chinese(url, message):
    with pytest.raises(ValueError, match=message):
        parse_url(url)
