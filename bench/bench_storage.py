"""S3 storage: a 100 MB evidence-sized file uploaded and downloaded through the S3 backend against
a bare boto3 put/get of the same file, on the same moto server (its own process) in the same run.

Through the backend an upload is what `storage.store` does before its row: hash the stream, ask
whether the key exists (HEAD), upload through boto3's managed transfer; a download is what
`storage.send` streams: the seekable reader (one GET from the position on) read to the end in 1 MB
reads. The bare baseline: `put_object(Body=file)` and `get_object()["Body"]` read the same way.
Rounds alternate backend and bare; the best of each is compared (target ≤ 1.3×). Peak Python
memory (tracemalloc) of one upload and one download of each, measured apart from the timings.
Usage: python bench/bench_storage.py [--quick]
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from helpers import bench_row

from workbench.core.blobstore import CHUNK, hash_stream
from workbench.core.blobstore.s3 import S3Store, make_client

TARGET = 1.3
MIB = 1024 * 1024
BUCKET = "bench-storage"


def _server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("moto server did not start")


def _file(folder: Path, megabytes: int) -> Path:
    path = folder / "scan.pdf"
    block = os.urandom(MIB)
    with path.open("wb") as out:
        for n in range(megabytes):
            out.write(block[n % 997 :] + block[: n % 997])
    return path


def _drain(reader) -> int:
    return sum(len(chunk) for chunk in iter(lambda: reader.read(CHUNK), b""))


def _through_backend_put(client, path: Path, prefix: str) -> S3Store:
    store = S3Store(BUCKET, prefix, client=client)
    with path.open("rb") as fh:
        sha, _size = hash_stream(fh)
        fh.seek(0)
        if not store.exists(sha):
            store.put(sha, fh)
    store.sha = sha
    return store


def _through_backend_get(store: S3Store) -> int:
    with store.open(store.sha) as reader:
        return _drain(reader)


def _bare_put(client, path: Path, key: str) -> None:
    with path.open("rb") as fh:
        client.put_object(Bucket=BUCKET, Key=key, Body=fh)


def _bare_get(client, key: str) -> int:
    return _drain(client.get_object(Bucket=BUCKET, Key=key)["Body"])


def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _peak(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / MIB
    finally:
        tracemalloc.stop()


def _clear(client) -> None:
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])


def run(quick: bool) -> list[dict]:
    megabytes, rounds = (20, 2) if quick else (100, 4)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    server, endpoint = _server()
    try:
        client = make_client(endpoint)
        client.create_bucket(Bucket=BUCKET)
        with tempfile.TemporaryDirectory() as tmp:
            path = _file(Path(tmp), megabytes)
            size = path.stat().st_size
            times: dict[str, list[float]] = {"put": [], "bare_put": [], "get": [], "bare_get": []}
            for n in range(rounds):
                spent, store = _timed(lambda n=n: _through_backend_put(client, path, f"r{n}/"))
                times["put"].append(spent)
                spent, _ = _timed(lambda n=n: _bare_put(client, path, f"bare/{n}"))
                times["bare_put"].append(spent)
                spent, got = _timed(lambda store=store: _through_backend_get(store))
                times["get"].append(spent)
                assert got == size
                spent, got = _timed(lambda n=n: _bare_get(client, f"bare/{n}"))
                times["bare_get"].append(spent)
                assert got == size
                _clear(client)
            peaks = {
                "put": _peak(lambda: _through_backend_put(client, path, "m/")),
                "bare_put": _peak(lambda: _bare_put(client, path, "bare/m")),
            }
            store = S3Store(BUCKET, "m/", client=client)
            store.sha = next(store.shas())
            peaks["get"] = _peak(lambda: _through_backend_get(store))
            peaks["bare_get"] = _peak(lambda: _bare_get(client, "bare/m"))
            _clear(client)
    finally:
        server.terminate()
        server.wait(timeout=10)
    best = {name: min(values) for name, values in times.items()}
    label = f"{megabytes} MB"
    return [
        bench_row(f"S3 upload {label} via backend (s)", best["put"], "s", best["bare_put"],
                  f"≤ {TARGET}× bare put_object", digits=3),
        bench_row(f"S3 download {label} via backend (s)", best["get"], "s", best["bare_get"],
                  f"≤ {TARGET}× bare get_object", digits=3),
        bench_row(f"S3 upload {label} peak memory (MB)", peaks["put"], "MB", peaks["bare_put"],
                  f"≪ {megabytes} MB"),
        bench_row(f"S3 download {label} peak memory (MB)", peaks["get"], "MB",
                  peaks["bare_get"], f"≪ {megabytes} MB"),
    ]  # fmt: skip


if __name__ == "__main__":
    for row in run("--quick" in sys.argv):
        print(
            f"{row['name']:<44} {row['value']:>8} {row['unit']:<3} bare {row['baseline']:>8}"
            f"  ratio {row['ratio']}  target {row['target']}"
        )
