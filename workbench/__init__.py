"""绩效评价工作台 — the workbench of third-party budget performance evaluation agencies."""


def create_app(config=None):
    """Build the Flask application (see workbench.app)."""
    from workbench.app import create_app as _create_app

    return _create_app(config)
