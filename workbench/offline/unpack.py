"""The check-in's files, written by a process of their own (pure: no Flask, no session).

`python -m workbench.offline.unpack` reads one job as JSON on its standard input — the verified
package's payload (`package.PayloadSource`), the local store's folder and the (sha256, size) files
to write — writes each file from the package into the store, checked against its name and size,
flushes them to disk, and answers one JSON line: {"ok": true} or {"ok": false, "sha256", "kind"
("content", "size" or "disk"), "detail"}. The server merges the records meanwhile: in a thread of
its own process the two would take turns on one interpreter lock (measured: slower than one after
the other), in two processes they run on two cores.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

from workbench.core.blobstore.local import BlobMismatch, LocalStore
from workbench.offline.package import PayloadSource, read_payload


def run(job: dict) -> dict:
    store = LocalStore(Path(job["root"]))
    files = [(str(sha), int(size)) for sha, size in job["files"]]
    try:
        with (
            read_payload(PayloadSource(**job["source"])) as payload,
            zipfile.ZipFile(payload) as zf,
        ):
            # One after the other: the other process is the other core.
            store.put_many_checked(files, lambda sha: zf.open(f"files/{sha}"), pipelined=False)
        store.sync()
    except BlobMismatch as mismatch:
        return {"ok": False, "sha256": mismatch.sha256, "kind": mismatch.kind, "detail": ""}
    except OSError as error:
        return {"ok": False, "sha256": "", "kind": "disk", "detail": error.strerror or str(error)}
    return {"ok": True}


def main() -> int:
    print(json.dumps(run(json.loads(sys.stdin.read()))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
