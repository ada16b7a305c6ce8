"""gunicorn settings for the workbench: `gunicorn -c python:workbench.gunicorn_conf 'workbench:create_app()'`.

Environment: WORKBENCH_BIND (127.0.0.1:8000), WORKBENCH_WORKER_CLASS (sync),
WORKBENCH_WORKERS (2 × CPUs + 1), WORKBENCH_THREADS (gthread only, 4).

Sync workers, one request each, behind a reverse proxy that buffers slow clients (nginx): a page
never shares its interpreter with a Word report being drawn. Measured with the load test on 2 cores
(16 users): 6 sync workers against 2 gthread workers × 4 threads cut the page p95 from 32–56 ms to
26–35 ms, /healthz from 15 to 9 ms and the score sheet from 320 to 230 ms: with threads, a page
waits for the interpreter lock after each of its queries while another thread renders. Without a
proxy in front, use WORKBENCH_WORKER_CLASS=gthread (keep-alive, slow clients do not hold a worker).
"""

import gc
import multiprocessing
import os
import sys

bind = os.environ.get("WORKBENCH_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("WORKBENCH_WORKER_CLASS", "sync")
workers = int(os.environ.get("WORKBENCH_WORKERS", str(2 * multiprocessing.cpu_count() + 1)))
threads = int(os.environ.get("WORKBENCH_THREADS", "4")) if worker_class == "gthread" else 1
# Report generation with fresh charts and a large 问卷星 import take seconds, never minutes.
timeout = 120
graceful_timeout = 30
# gthread only (sync workers close the connection after each response): an idle keep-alive
# connection is closed after this long. gunicorn's default of 2 s is shorter than
# a person's pause between clicks, so a browser (or the reverse proxy) would often reuse a
# connection at the very moment the server closes it: the request then fails as a reset.
keepalive = 30
# gunicorn's control socket (gunicornc) is one path per user, ~/.gunicorn/gunicorn.ctl: two nodes on
# one host (or a node beside the load test's) would take it from each other. Nothing here uses it.
control_socket_disable = True
# Recycle a worker now and then so that a slow leak in a library cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500


def post_worker_init(worker):
    """Hand the GIL over every millisecond instead of every five; warm up; freeze what lives on.

    Threads in a worker share one interpreter (gthread's): while one renders a Word report (the
    API generates synchronously; the pages' jobs run in `workbench worker`), a page thread that
    waits on each of its queries must win the GIL back after every one, up to 5 ms a time by
    default.
    """
    sys.setswitchinterval(0.001)
    from workbench.core.warmup import warm_up

    warm_up(worker.wsgi)  # templates compiled and mappers configured before the first request
    # The application, its routes, templates and mappers are a third of a million objects that live
    # as long as the worker. A full collection walks them all (≈ 180 ms, every thread stopped);
    # frozen, they are left out of it, and the full collections that remain take a millisecond.
    gc.freeze()
