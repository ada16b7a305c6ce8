"""A server worker compiles its templates and configures the mappers before the first request."""

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


def test_the_gunicorn_hook_warms_then_freezes(app, monkeypatch):
    import gc
    import sys

    from workbench import gunicorn_conf

    calls = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(sys, "setswitchinterval", lambda value: calls.append(value))
    monkeypatch.setattr("workbench.core.warmup.warm_up", lambda wsgi: calls.append(("warm", wsgi)))
    worker = type("Worker", (), {"wsgi": app})()
    gunicorn_conf.post_worker_init(worker)
    assert calls == [0.001, ("warm", app), "freeze"]
