"""Where blobs live (pure: no Flask, no session): a local folder or an S3-compatible bucket,
chosen by a storage URL, both answering the `BlobStore` protocol below.

Blobs are named by the SHA-256 of their bytes and laid out the same way in both places,
`ab/cd/abcd…` (under the bucket's prefix for S3), so a folder copied into a bucket, or a bucket
synced down to a folder, is a valid store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import unquote, urlsplit

CHUNK = 1 << 20
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Stored:
    """A blob as listed by its store."""

    sha256: str
    size: int
    modified: float  # last written (or touched), seconds since the epoch


class BlobStore(Protocol):
    """What the façade (core/storage.py) asks of a backend; a missing blob raises FileNotFoundError."""

    url: str

    def exists(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int | None: ...

    def put(self, sha256: str, source: BinaryIO | bytes | memoryview) -> None: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def shas(self) -> Iterator[str]: ...

    def listing(self) -> Iterator[Stored]: ...

    def modified(self, sha256: str) -> float | None: ...

    def touch(self, sha256: str) -> None: ...

    def delete(self, sha256: str) -> None: ...

    def check(self) -> None: ...


def valid_name(sha256: str) -> bool:
    return len(sha256) == 64 and all(c in _HEX for c in sha256)


def relative_key(sha256: str) -> str:
    """`ab/cd/abcd…`: the blob's place under the folder or the bucket prefix."""
    if not valid_name(sha256):
        raise FileNotFoundError(sha256)
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


@dataclass(frozen=True)
class Location:
    scheme: str  # "file" or "s3"
    path: Path | None = None
    bucket: str = ""
    prefix: str = ""


def parse_url(url: str) -> Location:
    """`file:///abs/path` or `s3://bucket/prefix`; anything else raises ValueError (in Chinese)."""
    parts = urlsplit(url.strip())
    if parts.scheme == "file":
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or not path.startswith("/"):
            raise ValueError(
                f"存储地址“{url}”无效：本地目录须写成绝对路径，如 file:///var/lib/workbench/storage"
            )
        return Location("file", path=Path(path))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"存储地址“{url}”缺少存储桶名称，应写成 s3://存储桶/前缀")
        prefix = parts.path.strip("/")
        return Location("s3", bucket=parts.netloc, prefix=f"{prefix}/" if prefix else "")
    raise ValueError(
        f"不支持的存储地址“{url}”：可用 file:///绝对路径（本地目录）或 s3://存储桶/前缀（对象存储）"
    )


def hash_stream(source: BinaryIO) -> tuple[str, int]:
    """SHA-256 and size of a stream read to its end, a chunk at a time."""
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: source.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def stored_hash(store: BlobStore, sha256: str) -> str | None:
    """The SHA-256 of the stored bytes, None when the blob is missing."""
    try:
        with store.open(sha256) as source:
            return hash_stream(source)[0]
    except FileNotFoundError:
        return None


class HashingReader:
    """Reads through to `source`, hashing what passes (a copy is checked as it is made)."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self._source.read(size)
        self.digest.update(chunk)
        return chunk
