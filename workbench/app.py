"""The application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from workbench import config as settings
from workbench import db
from workbench.core import (
    audit,
    deployment,
    errors,
    inputs,
    jobs,
    proxy,
    request_log,
    security,
    text_guard,
)
from workbench.extensions import babel, csrf, limiter, login_manager


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """config → proxies → input checks → db (+ text guard) → extensions → blueprints → errors → cli."""
    conf = settings.load(config)
    app = Flask(__name__, instance_path=str(conf["INSTANCE_PATH"]), instance_relative_config=False)
    app.config.update(conf)
    if not str(conf["STORAGE_URL"] or "").startswith("s3:"):
        conf["STORAGE_DIR"].mkdir(parents=True, exist_ok=True)

    proxy.init_app(app)  # the real client, for everything that reads request.remote_addr
    request_log.init_app(app)  # a request id on every answer and log line
    inputs.init_app(app)  # before any route: the `int` converter is bound when a route is added
    db.init_app(app)
    jobs.configure(app)
    text_guard.install()
    _init_extensions(app)
    _register_blueprints(app)
    errors.init_app(app)
    security.init_app(app)
    audit.init_app(app)  # after db: its hook runs before the request's unit of work ends
    _register_cli(app)
    for problem in deployment.problems(
        app.config, local_secret=deployment.local_secret(conf["INSTANCE_PATH"])
    ):
        app.logger.warning("多节点部署设置：%s", problem)
    return app


def _init_extensions(app: Flask) -> None:
    from workbench.accounts.auth import init_login
    from workbench.core.i18n import install_template_gettext, select_locale
    from workbench.core.templating import init_templating

    login_manager.init_app(app)
    init_login(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    limiter.init_app(app)
    init_templating(app)


def _register_blueprints(app: Flask) -> None:
    from workbench.api.blueprint import bp as api_bp
    from workbench.core.about import bp as about_bp
    from workbench.core.health import bp as health_bp
    from workbench.domains import modules

    modules("models")
    modules("gates")
    modules("sources")
    modules("events")
    for views in modules("views"):
        app.register_blueprint(views.bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(about_bp)
    csrf.exempt(api_bp)  # bearer tokens, no cookies: CSRF does not apply


def _register_cli(app: Flask) -> None:
    from workbench.cli import register

    register(app)
