"""An S3 server over real HTTP for the storage tests: moto's standalone server on a free port,
one per test process (pytest-xdist workers each start their own), with dummy credentials.

`s3_bucket` gives each test its own empty bucket; `on_s3` points the suite's app at it.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_credentials() -> Iterator[None]:
    """Dummy credentials in the environment: boto3 reads them the usual way, as in production."""
    saved = {key: os.environ.get(key) for key in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def s3_endpoint(s3_credentials) -> Iterator[str]:
    """The endpoint URL of a running moto server (stopped at the end of the session)."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture()
def s3_bucket(s3_endpoint) -> str:
    """A fresh, empty bucket on the server."""
    from workbench.core.blobstore.s3 import make_client

    name = f"wb-{uuid.uuid4().hex[:12]}"
    make_client(s3_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture()
def s3_store(s3_endpoint, s3_bucket):
    """An S3Store on the fresh bucket, under a prefix (as a shared bucket would be used)."""
    from workbench.core.blobstore.s3 import S3Store, make_client

    return S3Store(s3_bucket, "workbench/", client=make_client(s3_endpoint))


@pytest.fixture()
def on_s3(app, monkeypatch, s3_endpoint, s3_bucket) -> str:
    """The suite's app stores its files in the fresh bucket for this test; returns its URL."""
    url = f"s3://{s3_bucket}/workbench"
    monkeypatch.setitem(app.config, "STORAGE_URL", url)
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", s3_endpoint)
    return url


@pytest.fixture(scope="session")
def s3_process_endpoint(s3_credentials, tmp_path_factory) -> Iterator[str]:
    """A moto server in its own process, for measuring this process's memory alone (the threaded
    server's own allocations would count in tracemalloc)."""
    import subprocess
    import sys
    import time

    from workbench.core.blobstore.s3 import make_client

    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        make_client(url).list_buckets()
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
