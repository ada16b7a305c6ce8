"""Blobs in an S3-compatible bucket (pure: no Flask, no session), through boto3: managed
(multipart) uploads and downloads, a seekable reader that streams ranged GETs, presigned URLs.

MinIO, Ceph RGW and the OSS/COS/OBS S3 gateways all speak this; a custom endpoint is addressed
path-style (bucket in the path), which every one of them accepts.
"""

from __future__ import annotations

import io
import mmap
import os
from collections.abc import Iterator
from typing import BinaryIO

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from workbench.core.blobstore import CHUNK, Stored, relative_key, valid_name

PART = 8 * 1024 * 1024
SINGLE_PUT_LIMIT = 128 * 1024 * 1024
_MISSING = {"404", "NoSuchKey", "NotFound"}


def transfer_config() -> TransferConfig:
    """Up to 128 MB one streamed PUT (s3transfer sends a seekable stream as it reads it: nothing
    is copied onto the heap; every evidence upload is this). Larger: multipart, 8 MB parts, two
    in flight and two read into memory (s3transfer cuts a stream into in-memory parts), so the
    heap stays near 30 MB whatever the size."""
    config = TransferConfig(
        multipart_threshold=SINGLE_PUT_LIMIT,
        multipart_chunksize=PART,
        max_concurrency=2,
        io_chunksize=CHUNK,
    )
    config.max_in_memory_upload_chunks = 2
    return config


def make_client(endpoint_url: str | None = None):
    """An S3 client; credentials and region the usual boto3 way (environment, ~/.aws, role)."""
    custom = (
        endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    )
    config = Config(
        signature_version="s3v4",  # presigned URLs too (MinIO and the gateways want SigV4)
        s3={"addressing_style": "path"} if custom else {},
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
    )
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url or None, config=config)


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING


class ObjectReader(io.RawIOBase):
    """A read-only, seekable view of one object: reading streams a GET from the current position
    (`Range: bytes=pos-`); seeking elsewhere only moves the position, the next read opens anew."""

    def __init__(self, client, bucket: str, key: str, size: int) -> None:
        super().__init__()
        self._client, self._bucket, self._key, self.size = client, bucket, key, size
        self._pos = 0
        self._body = None
        self._body_pos = -1

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer) -> int:
        if self._pos >= self.size:
            return 0
        if self._body is None or self._body_pos != self._pos:
            self._drop_body()
            answer = self._client.get_object(
                Bucket=self._bucket, Key=self._key, Range=f"bytes={self._pos}-"
            )
            self._body, self._body_pos = answer["Body"], self._pos
        data = self._body.read(len(buffer))
        if not data:
            raise OSError(f"对象存储中的文件 {self._key} 提前结束")
        count = len(data)
        buffer[:count] = data
        self._pos += count
        self._body_pos = self._pos
        return count

    def _drop_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        self._drop_body()
        super().close()


class Borrowed:
    """The caller's stream, read and sought but left open: s3transfer closes what it uploads,
    and the caller (an upload's memory map, an archive package) still owns it."""

    def __init__(self, source) -> None:
        self._source = source

    def read(self, size: int = -1) -> bytes:
        return self._source.read(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._source.seek(offset, whence)

    def tell(self) -> int:
        return self._source.tell()

    def seekable(self) -> bool:
        if isinstance(self._source, mmap.mmap):
            return True  # seeks, though it has no seekable() before Python 3.13
        return bool(getattr(self._source, "seekable", lambda: False)())

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        pass


class S3Store:
    def __init__(self, bucket: str, prefix: str = "", *, client=None) -> None:
        self.bucket, self.prefix = bucket, prefix
        self.client = client or make_client()
        self.url = f"s3://{bucket}/{prefix}"
        self.transfer = transfer_config()

    def key(self, sha256: str) -> str:
        return self.prefix + relative_key(sha256)

    def size(self, sha256: str) -> int | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))[
                "ContentLength"
            ]
        except ClientError as error:
            if _missing(error):
                return None
            raise
        except BotoCoreError as error:  # no answer: the store is down or unreachable
            raise OSError(f"对象存储无法访问：{error}") from error

    def exists(self, sha256: str) -> bool:
        return self.size(sha256) is not None

    def put(self, sha256: str, source: BinaryIO | bytes | memoryview) -> None:
        """Upload through the managed transfer (multipart, streamed); OSError when the store refuses."""
        if isinstance(source, mmap.mmap):
            source.seek(0)  # a memory map reads like a file: no copy of the content
        elif isinstance(source, bytes | bytearray | memoryview):
            source = io.BytesIO(source)
        try:
            self.client.upload_fileobj(
                Borrowed(source), self.bucket, self.key(sha256), Config=self.transfer
            )
        except (BotoCoreError, ClientError, S3UploadFailedError) as error:
            raise OSError(f"对象存储写入失败：{error}") from error

    def open(self, sha256: str) -> BinaryIO:
        size = self.size(sha256)
        if size is None:
            raise FileNotFoundError(sha256)
        raw = ObjectReader(self.client, self.bucket, self.key(sha256), size)
        return io.BufferedReader(raw, buffer_size=CHUNK)

    def download(self, sha256: str, target: BinaryIO) -> None:
        """Copy the blob into a local file through the managed (ranged, parallel) download."""
        try:
            self.client.download_fileobj(
                self.bucket, self.key(sha256), target, Config=self.transfer
            )
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(sha256) from error
            raise

    def shas(self) -> Iterator[str]:
        for stored in self.listing():
            yield stored.sha256

    def listing(self) -> Iterator[Stored]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if valid_name(name) and item["Key"] == self.key(name):
                    yield Stored(name, item["Size"], item["LastModified"].timestamp())

    def modified(self, sha256: str) -> float | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as error:
            if _missing(error):
                return None
            raise
        return head["LastModified"].timestamp()

    def touch(self, sha256: str) -> None:
        """Written just now, as far as a sweep can tell: the object copied onto itself."""
        key = self.key(sha256)
        self.client.copy_object(
            Bucket=self.bucket,
            Key=key,
            CopySource={"Bucket": self.bucket, "Key": key},
            MetadataDirective="REPLACE",
        )

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))

    def check(self) -> None:
        """The bucket answers (the readiness probe)."""
        self.client.head_bucket(Bucket=self.bucket)

    def presigned_url(self, sha256: str, *, disposition: str, mime: str, expires: int) -> str:
        return self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": self.key(sha256),
                "ResponseContentDisposition": disposition,
                "ResponseContentType": mime,
            },
            ExpiresIn=expires,
        )
