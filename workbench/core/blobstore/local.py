"""Blobs in a local folder (pure: no Flask, no session), written atomically: a temporary file in
the target folder, fsync, rename."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from workbench.core.blobstore import CHUNK, Stored, relative_key, valid_name

PIPELINED_BYTES = 16 << 20  # put_many_checked: files up to this size are read whole, then written
IN_FLIGHT = 4  # … at most this many of them held at once


class BlobMismatch(ValueError):
    """A file that is not what its name (`kind` "content") or its given size ("size") says."""

    def __init__(self, sha256: str, kind: str) -> None:
        super().__init__(f"{sha256}: {kind}")
        self.sha256, self.kind = sha256, kind


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.url = self.root.as_uri()

    def path(self, sha256: str) -> Path:
        return self.root / relative_key(sha256)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def size(self, sha256: str) -> int | None:
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def put(self, sha256: str, source: BinaryIO | bytes | memoryview) -> None:
        """Write the blob (replacing a damaged copy); OSError when the disk refuses."""
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                if isinstance(source, bytes | bytearray | memoryview):
                    fh.write(source)
                else:
                    shutil.copyfileobj(source, fh, CHUNK)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def put_checked(self, sha256: str, source: BinaryIO | bytes, *, durable: bool = True) -> int:
        """Write a stream (or bytes) that should hash to `sha256`, hashing it as it is written:
        kept under its name only when it does (ValueError otherwise, nothing kept). Returns the
        size.

        `durable=False` leaves the flush to disk to the caller (`sync()` once after many files),
        which a batch of thousands of small files needs: one fsync each costs more than the copy.
        Safe to call from several threads at once (each writes its own temporary file).
        """
        target = self.path(sha256)
        # Named by content and writer (mkstemp's random names cost more than the write here).
        temp = f"{target.parent}/.upload-{sha256[:16]}-{os.getpid()}-{threading.get_ident()}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        try:
            fd = os.open(temp, flags, 0o600)
        except FileNotFoundError:  # a new folder (most are, in a store of a few thousand files)
            os.makedirs(target.parent, exist_ok=True)
            fd = os.open(temp, flags, 0o600)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as fh:
                chunks = (
                    (source,)
                    if isinstance(source, bytes)
                    else iter(lambda: source.read(CHUNK), b"")
                )
                for chunk in chunks:
                    digest.update(chunk)
                    fh.write(chunk)
                    size += len(chunk)
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
            if digest.hexdigest() != sha256:
                raise ValueError(f"content does not hash to {sha256}")
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return size

    def put_many_checked(
        self,
        files: list[tuple[str, int]],
        opener: Callable[[str], BinaryIO],
        *,
        pipelined: bool = True,
    ) -> None:
        """Write (sha256, size) files, each kept only when it hashes to its name and has its size
        (else BlobMismatch, and the files after it are not written); flushing is left to `sync`.

        Two at a time on two cores: this thread reads a file (from a package: decrypting it), a
        writer thread hashes and writes the one before, both outside the GIL for the most part.
        Files of up to PIPELINED_BYTES are handed over whole, at most IN_FLIGHT of them at once
        (memory stays bounded); a larger one is streamed here once the others are written.
        `pipelined=False` streams every file here, one after the other: for a process that is
        one of several doing this (measured: two such processes beat two with a thread each).
        """
        if not pipelined:
            for sha, size in files:
                self._stream_one(sha, size, opener)
            return
        pending: deque[tuple[str, int, Future[int]]] = deque()

        def settle(sha: str, size: int, written: Future[int]) -> None:
            _check_put(sha, size, written.result)

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="put-many") as writer:
            try:
                for sha, size in files:
                    if size > PIPELINED_BYTES:  # streamed here, once the others are written
                        while pending:
                            settle(*pending.popleft())
                        self._stream_one(sha, size, opener)
                        continue
                    with opener(sha) as source:
                        data = source.read(size + 1)
                    if len(data) > size:
                        raise BlobMismatch(sha, "size")
                    job = writer.submit(self.put_checked, sha, data, durable=False)
                    pending.append((sha, size, job))
                    while len(pending) > IN_FLIGHT:
                        settle(*pending.popleft())
                while pending:
                    settle(*pending.popleft())
            except BaseException:
                writer.shutdown(cancel_futures=True)  # nothing more starts; the one running ends
                raise

    def _stream_one(self, sha: str, size: int, opener: Callable[[str], BinaryIO]) -> None:
        with opener(sha) as source:
            _check_put(sha, size, lambda: self.put_checked(sha, source, durable=False))

    def sync(self) -> None:
        """Flush every file written with durable=False to disk (the whole system's buffers)."""
        os.sync()

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def shas(self) -> Iterator[str]:
        """Every blob in the folder, in name order (stray and temporary files are not blobs)."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("??/??/*")):
            name = path.name
            if valid_name(name) and path.parent.name == name[2:4] and path.is_file():
                yield name

    def listing(self) -> Iterator[Stored]:
        """Every blob with its size and the time it was last written."""
        for sha in self.shas():
            try:
                found = self.path(sha).stat()
            except FileNotFoundError:  # removed meanwhile
                continue
            yield Stored(sha, found.st_size, found.st_mtime)

    def modified(self, sha256: str) -> float | None:
        try:
            return self.path(sha256).stat().st_mtime
        except FileNotFoundError:
            return None

    def touch(self, sha256: str) -> None:
        """Written just now, as far as a sweep can tell (a file reused by a new row)."""
        os.utime(self.path(sha256))

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def leftovers(self, before: float) -> list[Path]:
        """Temporary files of writes that never finished (a process killed while writing),
        last touched before `before`."""
        if not self.root.is_dir():
            return []
        return [
            path
            for path in self.root.glob("??/??/.upload-*")
            if path.is_file() and path.stat().st_mtime < before
        ]

    def check(self) -> None:
        """The folder takes a write (the readiness probe)."""
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".ready-"):
            pass


def _check_put(sha: str, size: int, put: Callable[[], int]) -> None:
    """Run a checked write (or take its result): a wrong hash or size is a BlobMismatch."""
    try:
        got = put()
    except ValueError:
        raise BlobMismatch(sha, "content") from None
    if got != size:  # the content is right; the size given for its row is not
        raise BlobMismatch(sha, "size")
