"""gunicorn settings for the workbench: `gunicorn -c python:workbench.gunicorn_conf 'workbench:create_app()'`.

Environment: WORKBENCH_BIND (127.0.0.1:8000), WORKBENCH_WORKERS (2), WORKBENCH_THREADS (4).
"""

import gc
import os
import sys

bind = os.environ.get("WORKBENCH_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("WORKBENCH_WORKER_CLASS", "gthread")
workers = int(os.environ.get("WORKBENCH_WORKERS", "2"))
threads = int(os.environ.get("WORKBENCH_THREADS", "4"))
# Report generation with fresh charts and a large 问卷星 import take seconds, never minutes.
timeout = 120
graceful_timeout = 30
# An idle keep-alive connection is closed after this long. gunicorn's default of 2 s is shorter than
# a person's pause between clicks, so a browser (or the reverse proxy) would often reuse a
# connection at the very moment the server closes it: the request then fails as a reset.
keepalive = 30
# Recycle a worker now and then so that a slow leak in a library cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500


def post_worker_init(worker):
    """Hand the GIL over every millisecond instead of every five; warm up; freeze what lives on.

    A worker's threads share one interpreter: while one renders a Word report, a page thread that
    waits on each of its ten-odd queries must win the GIL back after every one, up to 5 ms a time.
    """
    sys.setswitchinterval(0.001)
    from workbench.core.warmup import warm_up

    warm_up(worker.wsgi)  # templates compiled and mappers configured before the first request
    # The application, its routes, templates and mappers are a third of a million objects that live
    # as long as the worker. A full collection walks them all (≈ 180 ms, every thread stopped);
    # frozen, they are left out of it, and the full collections that remain take a millisecond.
    gc.freeze()
