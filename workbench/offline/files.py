"""A return package's files at check-in: their blob rows at once, the files themselves written by
two processes of their own (`unpack.py`) while the records are merged, waited for and judged at
the end.

On an object store (or with no package to read again) the files are stored first, one by one,
as `storage.store_known` does.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import IO

from sqlmodel import Session

from workbench.core import storage
from workbench.core.blobstore.local import LocalStore
from workbench.offline.package import PayloadSource

PROCESSES = 2  # writing the files: each a stretch of the package (two cores: measured)


@contextmanager
def storing(
    db: Session,
    files: list[tuple[str, str, int]],
    *,
    opener: Callable[[str], IO[bytes]],
    source: PayloadSource | None,
    position: Callable[[str], int] | None = None,
) -> Iterator[int]:
    """Store (sha256, mime, size) files while the block runs; it is given how many are new.

    The block must not read the package's files itself. On leaving it, the files are waited for
    (whether the block raised or not); one that is not what its name or size says, or a disk
    that refuses them, raises the domain error `storage.store_known` would.
    """
    target = storage.backend()
    if source is None or not isinstance(target, LocalStore):
        yield storage.store_known(db, files, opener)
        return
    added, absent = storage.add_known_rows(db, files, target)
    if not absent:
        yield added
        return
    parts = _parts(absent, position)
    children = [_spawn() for _part in parts]  # all started before any is given its work
    for child, part in zip(children, parts, strict=True):
        _give(child, {"source": asdict(source), "root": str(target.root), "files": part})
    try:
        yield added
    finally:  # the files are waited for, whatever the block did
        ended = [(child.communicate(), child.returncode) for child in children]
    for (out, err), returncode in ended:
        _judge(returncode, out, err)


def _parts(
    files: list[tuple[str, int]], position: Callable[[str], int] | None
) -> list[list[tuple[str, int]]]:
    """The files in PROCESSES runs of about the same size, each a stretch of the package read
    from start to end (when `position` tells where a file is in it)."""
    if position is not None:
        files = sorted(files, key=lambda file: position(file[0]))
    total = sum(size for _sha, size in files)
    parts: list[list[tuple[str, int]]] = [[] for _ in range(PROCESSES)]
    done = 0
    for file in files:
        parts[min(PROCESSES - 1, done * PROCESSES // max(total, 1))].append(file)
        done += file[1]
    return [part for part in parts if part]


def _spawn() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "workbench.offline.unpack"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _give(child: subprocess.Popen, job: dict) -> None:
    # (BrokenPipeError: it ended before reading its job; its error output says why)
    with contextlib.suppress(BrokenPipeError), child.stdin as stdin:
        stdin.write(json.dumps(job))
    child.stdin = None  # given and closed: communicate() must not flush it again


def _judge(returncode: int, out: str, err: str) -> None:
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (IndexError, ValueError):
        last = (err.strip().splitlines() or [f"退出码 {returncode}"])[-1]
        raise storage.known_refusal("", "disk", f"写入文件的进程意外结束（{last[:200]}）") from None
    if not result.get("ok"):
        raise storage.known_refusal(
            result.get("sha256", ""), result["kind"], result.get("detail", "")
        )
