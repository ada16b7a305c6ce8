"""Content-addressed file storage outside static: blobs named by their SHA-256, kept in the local
folder (STORAGE_DIR, the default) or an S3-compatible bucket (STORAGE_URL=s3://bucket/prefix).

The backends are in core/blobstore; this façade is what the domains call: `store` (bytes, a memory
map or a binary file, streamed), `open` (a seekable binary reader), `read` (small files only),
`send` (a download response), `local_path` (a real file, for readers that want a path), `verify`;
`store_known` for a batch of files whose hashes are known (an offline package's).
"""

from __future__ import annotations

import hashlib
import mmap
import os
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from flask import current_app, redirect, request, send_file
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select
from werkzeug.http import dump_options_header

from workbench.core.blobstore import BlobStore, HashingReader, hash_stream, parse_url, stored_hash
from workbench.core.blobstore.local import BlobMismatch, LocalStore
from workbench.core.errors import DomainError, NotFound, ValidationFailed
from workbench.core.timeutil import utcnow

Content = bytes | bytearray | memoryview | mmap.mmap | BinaryIO
CACHE_HOURS = 24  # downloaded copies of S3 blobs (local_path) not used for a day are removed


class StorageFull(DomainError):
    status = 507


class StorageUnavailable(DomainError):
    """The store did not answer (the object store is down or unreachable); nothing was lost."""

    status = 503


UNAVAILABLE = "文件存储暂时无法访问，请稍后再试（已保存的文件不受影响）"


class Blob(SQLModel, table=True):
    """One stored file content; every upload of the same bytes shares it (deduplicated)."""

    __tablename__ = "blob"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    mime: str = Field(default="application/octet-stream", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


_stores: dict[tuple[str, str], BlobStore] = {}


def make_store(url: str, *, endpoint_url: str | None = None) -> BlobStore:
    """The backend for a storage URL (`file:///abs/path` or `s3://bucket/prefix`)."""
    location = parse_url(url)
    if location.scheme == "file":
        return LocalStore(location.path)
    # boto3 only for a bucket: importing it costs 0.16 s of every start on the default folder store
    from workbench.core.blobstore.s3 import S3Store, make_client

    key = (url, endpoint_url or "")
    if key not in _stores:  # one client per bucket and endpoint (boto3 clients are thread-safe)
        client = make_client(endpoint_url)
        _stores[key] = S3Store(location.bucket, location.prefix, client=client)
    return _stores[key]


def backend() -> BlobStore:
    """The configured backend: STORAGE_URL, or the STORAGE_DIR folder when it is unset."""
    config = current_app.config
    url = config.get("STORAGE_URL")
    if url and parse_url(url).scheme == "s3":
        return make_store(url, endpoint_url=config.get("S3_ENDPOINT_URL"))
    return LocalStore(Path(config["STORAGE_DIR"]))


def digest(data: bytes | bytearray | memoryview | mmap.mmap) -> str:
    return hashlib.sha256(data).hexdigest()


def _hashed(data: Content) -> tuple[str, int, Content]:
    """(SHA-256, size, what to upload): a stream is hashed first and rewound (spooled to a
    temporary file when it cannot be rewound), so only new content is ever uploaded."""
    if not hasattr(data, "read") or isinstance(data, mmap.mmap):
        return digest(data), len(data), data
    if data.seekable():
        start = data.tell()
        sha, size = hash_stream(data)
        data.seek(start)
        return sha, size, data
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 - closed by store() once uploaded
    hashing = HashingReader(data)
    size = 0
    for chunk in iter(lambda: hashing.read(1 << 20), b""):
        spooled.write(chunk)
        size += len(chunk)
    spooled.seek(0)
    return hashing.digest.hexdigest(), size, spooled


def store(db: Session, data: Content, *, mime: str = "application/octet-stream") -> Blob:
    """Keep the content (once) and return its blob row; it is stored before the row commits."""
    sha, size, source = _hashed(data)
    target = backend()
    blob = db.get(Blob, sha)
    try:
        if not target.exists(sha):
            target.put(sha, source)
        elif blob is None:  # a file no row holds (left by an unfinished write): a sweep keeps it
            target.touch(sha)
    except OSError as error:
        raise StorageFull(
            f"文件保存失败（存储空间不足或不可写）：{error.strerror or error}"
        ) from error
    finally:
        if source is not data:
            source.close()
    if blob is None:
        try:
            with db.begin_nested():  # two requests storing the same bytes at once: one row wins
                blob = Blob(sha256=sha, size=size, mime=mime)
                db.add(blob)
        except IntegrityError:
            blob = db.exec(select(Blob).where(Blob.sha256 == sha)).one()
    return blob


def known(db: Session, shas: Iterable[str]) -> set[str]:
    """Which of these files have a blob row here (queried 500 at a time)."""
    names = sorted(set(shas))
    found: set[str] = set()
    for start in range(0, len(names), 500):
        found.update(
            db.exec(select(Blob.sha256).where(col(Blob.sha256).in_(names[start : start + 500])))
        )
    return found


def store_known(
    db: Session,
    files: Iterable[tuple[str, str, int]],
    opener: Callable[[str], BinaryIO],
) -> int:
    """Store many files whose SHA-256 and size are known in advance (a package's files).

    `files` is (sha256, mime, size) triples; `opener(sha)` gives each one's stream. One query
    finds the ones already here; their rows go in one statement, in `db`'s transaction. Each new
    file is read once, hashed as it is written and kept only when it is what its name says
    (else ValidationFailed: the caller rolls back; a file is never kept under a wrong name); on
    the local folder the flush to disk is one sync for the batch. Returns the files added.
    """
    target = backend()
    if not isinstance(target, LocalStore):  # an object store: each upload checked before its key
        wanted = {sha: mime for sha, mime, _size in files}
        have = known(db, wanted)
        count = 0
        for sha in sorted(wanted):
            if sha in have and target.exists(sha):
                continue
            with opener(sha) as source:
                if store(db, source, mime=wanted[sha]).sha256 != sha:
                    raise ValidationFailed(f"文件 {sha[:12]}… 的内容与其校验值不符，未导入")
            count += sha not in have
        return count
    added, absent = add_known_rows(db, files, target)
    write_known(target, absent, opener)
    return added


def add_known_rows(
    db: Session, files: Iterable[tuple[str, str, int]], target: LocalStore
) -> tuple[int, list[tuple[str, int]]]:
    """The blob rows of the (sha256, mime, size) files not here yet, in one statement; returns
    how many, and the (sha256, size) files the local folder lacks (a row without its file is
    written again). The caller writes those (`write_known`, or a process of its own)."""
    wanted = {sha: (mime, size) for sha, mime, size in files}
    names = sorted(wanted)
    have = known(db, names)
    rows = [
        {"sha256": sha, "size": wanted[sha][1], "mime": wanted[sha][0], "created_at": utcnow()}
        for sha in names
        if sha not in have
    ]
    if rows:
        db.connection().execute(insert(Blob.__table__), rows)
    absent = [(sha, wanted[sha][1]) for sha in names if not (sha in have and target.exists(sha))]
    return len(rows), absent


def write_known(
    target: LocalStore, files: list[tuple[str, int]], opener: Callable[[str], BinaryIO]
) -> None:
    """Write (sha256, size) files into the local folder and sync once; a file that is not what
    its name and size say refuses the batch (ValidationFailed), a full disk is StorageFull."""
    try:
        target.put_many_checked(files, opener)
        target.sync()
    except BlobMismatch as mismatch:
        raise known_refusal(mismatch.sha256, mismatch.kind) from None
    except OSError as error:
        raise known_refusal("", "disk", error.strerror or str(error)) from error


def known_refusal(sha256: str, kind: str, detail: str = "") -> DomainError:
    """What refuses a batch of known files: a file's content or size, or the disk."""
    if kind == "content":
        return ValidationFailed(f"文件 {sha256[:12]}… 的内容与其校验值不符，未导入")
    if kind == "size":
        return ValidationFailed(f"文件 {sha256[:12]}… 的大小与记录不符，未导入")
    return StorageFull(f"文件保存失败（存储空间不足或不可写）：{detail}")


def open(sha256: str) -> BinaryIO:  # noqa: A001 - storage.open, as the callers read it
    """A seekable binary reader of the stored bytes (streamed, never read whole)."""
    try:
        return backend().open(sha256)
    except FileNotFoundError:
        raise NotFound("文件不存在或已丢失") from None
    except OSError as error:  # the store did not answer
        raise StorageUnavailable(UNAVAILABLE) from error


def read(sha256: str) -> bytes:
    """The whole content (small files: a report to convert, an import to parse)."""
    with open(sha256) as source:
        return source.read()


def exists(sha256: str) -> bool:
    try:
        return backend().exists(sha256)
    except FileNotFoundError:  # not a blob name
        return False


def size(sha256: str) -> int | None:
    """The stored size in bytes, None when the blob is missing."""
    try:
        return backend().size(sha256)
    except FileNotFoundError:
        return None


def verify(sha256: str) -> bool:
    """Whether the stored bytes still hash to their name."""
    try:
        return stored_hash(backend(), sha256) == sha256
    except FileNotFoundError:
        return False


def check() -> None:
    """The store answers and takes writes (the local folder) or its bucket answers (S3)."""
    backend().check()


def attachment(name: str) -> str:
    """Content-Disposition for a download under its original name (RFC 5987 for Chinese)."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        quoted = quote(name, safe="!#$&+-.^_`|~")
        return dump_options_header(
            "attachment", {"filename": simple, "filename*": f"UTF-8''{quoted}"}
        )
    return dump_options_header("attachment", {"filename": name})


def send(sha256: str, *, name: str, mime: str | None = None, content_etag: bool = False):
    """Serve a stored file as an attachment under its original name, streamed.

    With `content_etag` the ETag is the content's SHA-256 (the same bytes always answer the
    same tag, whichever record names them), so a client's If-None-Match gets 304. From S3 the
    tag is always the content hash; with STORAGE_PRESIGNED_DOWNLOADS the answer is a redirect to
    a short-lived presigned URL instead (the bytes then do not pass through this server).
    """
    source, mime = backend(), mime or "application/octet-stream"
    if isinstance(source, LocalStore):
        target = _local_file(source, sha256)
        return send_file(
            target,
            mimetype=mime,
            as_attachment=True,
            download_name=name,
            max_age=0,
            etag=sha256 if content_etag else True,
        )
    config = current_app.config
    if config.get("STORAGE_PRESIGNED_DOWNLOADS"):
        try:
            found = source.exists(sha256)
        except OSError as error:
            raise StorageUnavailable(UNAVAILABLE) from error
        if not found:
            raise NotFound("文件不存在或已丢失")
        url = source.presigned_url(
            sha256,
            disposition=attachment(name),
            mime=mime,
            expires=int(config.get("STORAGE_PRESIGNED_SECONDS") or 300),
        )
        response = redirect(url, 302)
        response.headers["Cache-Control"] = "no-store"
        return response
    reader = open(sha256)
    response = send_file(
        reader,
        mimetype=mime,
        as_attachment=True,
        download_name=name,
        max_age=0,
        etag=sha256,
        conditional=False,
    )
    total = reader.raw.size
    response.content_length = total
    try:
        return response.make_conditional(request.environ, accept_ranges=True, complete_length=total)
    except Exception:
        reader.close()
        raise


def _local_file(source: LocalStore, sha256: str) -> Path:
    try:
        target = source.path(sha256)
    except FileNotFoundError:
        raise NotFound("文件不存在") from None
    if not target.is_file():
        raise NotFound("文件不存在或已丢失")
    return target


def local_path(sha256: str) -> Path:
    """A real file holding the blob's bytes, for readers that want a path (spreadsheets read
    chunk by chunk): the stored file itself in the local folder; from S3 a downloaded copy in
    the instance's cache (content-addressed, so never stale; unused copies go after a day)."""
    source = backend()
    if isinstance(source, LocalStore):
        return _local_file(source, sha256)
    cache = Path(current_app.config["INSTANCE_PATH"]) / "storage-cache"
    target = cache / sha256
    if target.is_file():
        os.utime(target)
        return target
    cache.mkdir(parents=True, exist_ok=True)
    _prune(cache)
    fd, temp = tempfile.mkstemp(dir=cache, prefix=".download-")
    try:
        with os.fdopen(fd, "w+b") as fh:
            source.download(sha256, fh)
            fh.seek(0)
            if hash_stream(fh)[0] != sha256:
                raise NotFound("对象存储中的文件已损坏（SHA-256 不符）")
        os.replace(temp, target)
    except FileNotFoundError:
        raise NotFound("文件不存在或已丢失") from None
    finally:
        Path(temp).unlink(missing_ok=True)
    return target


def _prune(cache: Path) -> None:
    cutoff = time.time() - CACHE_HOURS * 3600
    for path in cache.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass
