"""Blobs in a local folder (pure: no Flask, no session), written atomically: a temporary file in
the target folder, fsync, rename."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from workbench.core.blobstore import CHUNK, relative_key, valid_name


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

    def put_checked(self, sha256: str, source: BinaryIO, *, durable: bool = True) -> int:
        """Write a stream that should hash to `sha256`, hashing it as it is written: kept under
        its name only when it does (ValueError otherwise, nothing kept). Returns the size.

        `durable=False` leaves the flush to disk to the caller (`sync()` once after many files),
        which a batch of thousands of small files needs: one fsync each costs more than the copy.
        """
        target = self.path(sha256)
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
        # Named by content and writer (mkstemp's random names cost more than the write here).
        temp = target.parent / f".upload-{sha256[:16]}-{os.getpid()}-{threading.get_ident()}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in iter(lambda: source.read(CHUNK), b""):
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

    def check(self) -> None:
        """The folder takes a write (the readiness probe)."""
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".ready-"):
            pass
