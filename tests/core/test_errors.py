"""An unexpected error in production: a clean 500 with a reference, the traceback in the log."""

import logging

from workbench import create_app
from workbench.db import ENGINE_KEY


def _production_app(app, engine):
    prod = create_app(
        {
            "TESTING": False,
            "INSTANCE_PATH": app.instance_path,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": "test-secret",
        }
    )
    prod.extensions[ENGINE_KEY].dispose()
    prod.extensions[ENGINE_KEY] = engine

    @prod.get("/boom")
    def boom():
        raise RuntimeError("disk on fire")

    return prod


def test_unhandled_error_is_logged_and_quoted_by_reference(app, engine, caplog):
    client = _production_app(app, engine).test_client()
    with caplog.at_level(logging.ERROR):
        page = client.get("/boom")
        api = client.get("/boom", headers={"Accept": "application/json"})
    assert page.status_code == 500 and api.status_code == 500
    text = page.get_data(as_text=True)
    assert "Traceback" not in text and "disk on fire" not in text
    assert "错误编号" in text
    reference = api.get_json()["reference"]
    assert len(reference) == 8
    logged = [r for r in caplog.records if "unhandled error" in r.getMessage()]
    assert len(logged) == 2 and reference in logged[1].getMessage()
    assert logged[1].exc_info and "disk on fire" in str(logged[1].exc_info[1])
