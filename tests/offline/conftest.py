"""Fixtures of the laptop tests: one checkout package of the demo per module, unpacked once; each
test works on its own copy of the unpacked folder, through the app `workbench offline open` runs."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import PASSWORD
from tests.offline.laptop_helpers import (
    PASSPHRASE,
    demo_engagement_id,
    laptop_app,
    write_checkout,
)
from workbench.db import ENGINE_KEY
from workbench.extensions import limiter
from workbench.offline import laptop


@pytest.fixture(scope="module")
def checkout_file(app, demo_engine, tmp_path_factory):
    """(path, manifest, records) of a checkout package of the demo engagement."""
    path = tmp_path_factory.mktemp("checkout") / "checkout.wbpkg"
    with app.app_context(), demo_engine.connect() as conn:
        manifest, records = write_checkout(conn, demo_engagement_id(conn), path)
    return path, manifest, records


@pytest.fixture(scope="module")
def unpacked(checkout_file, tmp_path_factory):
    """The package unpacked once; tests copy it."""
    target = tmp_path_factory.mktemp("unpacked") / "laptop"
    return laptop.unpack(checkout_file[0], passphrase=PASSPHRASE, directory=target)


@pytest.fixture()
def laptop_folder(unpacked, tmp_path):
    """This test's own offline instance folder."""
    return shutil.copytree(unpacked, tmp_path / "laptop")


@pytest.fixture()
def laptop_client(laptop_folder):
    """laptop_client() → a client of the laptop's app; laptop_client("demo-lead") signed in."""
    application = laptop_app(laptop_folder)
    with application.app_context():
        limiter.reset()

    def _client(username: str | None = None, password: str = PASSWORD):
        client = application.test_client()
        if username:
            answer = client.post("/login", data={"username": username, "password": password})
            assert answer.status_code == 302, f"login failed for {username}"
        return client

    _client.app = application
    yield _client
    application.extensions[ENGINE_KEY].dispose()


@pytest.fixture()
def interview(checkout_file) -> dict:
    """The demo's draft 访谈记录 paper (D-05-01) as the package carried it."""
    papers = checkout_file[2]["merged"]["working_paper"]
    return next(p for p in papers if p["index_no"] == "D-05-01")
