"""A server worker compiles its templates and configures the mappers before the first request."""

import gc
import sys

import pytest

from workbench import gunicorn_conf
from workbench.core.warmup import warm_up


def test_every_template_is_compiled_and_cached(app):
    env = app.jinja_env
    env.cache.clear()
    count = warm_up(app)
    names = env.list_templates(extensions=["html"])
    assert count == len(names) > 50
    assert "base.html" in names and "indicators/_tree_rows.html" in names
    cached = {key[1] for key in env.cache}
    assert set(names) <= cached  # the first request finds them compiled


def test_the_gunicorn_hook_warms_then_freezes(app):
    env = app.jinja_env
    env.cache.clear()
    interval = sys.getswitchinterval()
    worker = type("Worker", (), {"wsgi": app})()
    try:
        gunicorn_conf.post_worker_init(worker)
        assert sys.getswitchinterval() == pytest.approx(0.001)
        assert gc.get_freeze_count() > 100_000  # the warmed app lives in the permanent generation
        assert set(env.list_templates(extensions=["html"])) <= {key[1] for key in env.cache}
    finally:
        gc.unfreeze()
        sys.setswitchinterval(interval)


def _conf(monkeypatch, **env):
    import importlib

    from workbench import gunicorn_conf

    for key in ("WORKBENCH_WORKER_CLASS", "WORKBENCH_WORKERS", "WORKBENCH_THREADS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return importlib.reload(gunicorn_conf)


def test_production_settings_default_to_sync_workers_per_cpu(monkeypatch):
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 4)
    conf = _conf(monkeypatch)
    assert conf.worker_class == "sync" and conf.threads == 1
    assert conf.workers == 9  # two per CPU, and one
    assert conf.timeout == 120 and conf.max_requests == 5000
    conf = _conf(monkeypatch, WORKBENCH_WORKER_CLASS="gthread", WORKBENCH_WORKERS="3")
    assert (conf.worker_class, conf.workers, conf.threads) == ("gthread", 3, 4)
    monkeypatch.undo()  # the real CPU count again
    _conf(monkeypatch)  # leave the module as the defaults make it
