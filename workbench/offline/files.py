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

PROCESSES = 2  # writing the files: each takes every other one (two cores: measured)


@contextmanager
def storing(
    db: Session,
    files: list[tuple[str, str, int]],
    *,
    opener: Callable[[str], IO[bytes]],
    source: PayloadSource | None,
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
    children = [_start(source, target, absent[n::PROCESSES]) for n in range(PROCESSES)]
    try:
        yield added
    finally:  # the files are waited for, whatever the block did
        ended = [(child.communicate(), child.returncode) for child in children]
    for (out, err), returncode in ended:
        _judge(returncode, out, err)


def _start(source: PayloadSource, target: LocalStore, absent: list[tuple[str, int]]):
    job = {"source": asdict(source), "root": str(target.root), "files": absent}
    child = subprocess.Popen(
        [sys.executable, "-m", "workbench.offline.unpack"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # (BrokenPipeError: it ended before reading its job; its error output says why)
    with contextlib.suppress(BrokenPipeError), child.stdin as stdin:
        stdin.write(json.dumps(job))
    child.stdin = None  # given and closed: communicate() must not flush it again
    return child


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
