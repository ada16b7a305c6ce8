"""Content-addressed file storage outside static: blobs named by their SHA-256, written atomically."""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path

from flask import current_app, send_file
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from workbench.core.errors import DomainError, NotFound
from workbench.core.timeutil import utcnow


class StorageFull(DomainError):
    status = 507


class Blob(SQLModel, table=True):
    """One stored file content; every upload of the same bytes shares it (deduplicated)."""

    __tablename__ = "blob"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    mime: str = Field(default="application/octet-stream", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


def root() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise NotFound("文件不存在")
    return root() / sha256[:2] / sha256[2:4] / sha256


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(db: Session, data: bytes, *, mime: str = "application/octet-stream") -> Blob:
    """Keep the bytes (once) and return their blob row; the file is on disk before the row commits."""
    sha = digest(data)
    target = path_for(sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, target)
        except OSError as error:
            Path(temp).unlink(missing_ok=True)
            raise StorageFull(
                f"文件保存失败（存储空间不足或不可写）：{error.strerror or error}"
            ) from error
    blob = db.get(Blob, sha)
    if blob is None:
        try:
            with db.begin_nested():  # two requests storing the same bytes at once: one row wins
                blob = Blob(sha256=sha, size=len(data), mime=mime)
                db.add(blob)
        except IntegrityError:
            blob = db.exec(select(Blob).where(Blob.sha256 == sha)).one()
    return blob


def read(sha256: str) -> bytes:
    target = path_for(sha256)
    if not target.exists():
        raise NotFound("文件不存在或已丢失")
    return target.read_bytes()


def send(sha256: str, *, name: str, mime: str | None = None, content_etag: bool = False):
    """Serve a stored file as an attachment under its original name, streamed from disk.

    With `content_etag` the ETag is the content's SHA-256 (the same bytes always answer the
    same tag, whichever record names them), so a client's If-None-Match gets 304.
    """
    target = path_for(sha256)
    if not target.exists():
        raise NotFound("文件不存在或已丢失")
    return send_file(
        target,
        mimetype=mime or "application/octet-stream",
        as_attachment=True,
        download_name=name,
        max_age=0,
        etag=sha256 if content_etag else True,
    )


def verify(sha256: str) -> bool:
    """Whether the stored bytes still hash to their name."""
    target = path_for(sha256)
    return target.exists() and digest(target.read_bytes()) == sha256
