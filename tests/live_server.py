"""A real workbench server in a subprocess on an instance of its own, and clients that hit it at once.

Used by the fault and concurrency tests and by bench/bench_concurrent_writes.py. The server is
`workbench serve` (waitress) on 127.0.0.1; the clients are plain urllib with a cookie jar each, so
every request goes through the real WSGI server, sessions and CSRF included.
"""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from workbench import migrate
from workbench.accounts.models import User
from workbench.accounts.services import create_token
from workbench.db import make_engine
from workbench.demo.loader import DEMO_TITLE, load_demo
from workbench.engagements.models import Engagement
from workbench.indicators.models import Indicator

PASSWORD = "demo12345"


@dataclass(frozen=True)
class Instance:
    folder: Path
    database_url: str
    engagement_id: int
    token: str  # the demo lead's API token
    survey_token: str  # an open survey's public token
    indicator_id: int  # a leaf of the demo engagement


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(folder: Path, *, database_url: str | None = None) -> Instance:
    """Migrate, load the demo, open a survey and issue the lead a token."""
    from tests.surveys.helpers import questionnaire
    from workbench.surveys.design import surveys as survey_service

    url = database_url or f"sqlite:///{folder / 'workbench.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as db:
        load_demo(db, password=PASSWORD)
        users = {u.username: u for u in db.execute(select(User)).scalars()}
        engagement = db.execute(
            select(Engagement).where(Engagement.title == DEMO_TITLE)
        ).scalar_one()
        _row, token = create_token(db, user=users["demo-lead"], label="live")
        survey = survey_service.create_survey(
            db,
            actor=users["demo-evaluator"],
            engagement=engagement,
            title="家长满意度（现场扫码）",
            questions=questionnaire(),
        )
        survey.one_per_device = False  # a room of parents may share a tablet
        survey_service.open_survey(
            db, actor=users["demo-evaluator"], engagement=engagement, survey=survey
        )
        leaf = db.execute(
            select(Indicator.id)
            .where(Indicator.engagement_id == engagement.id)
            .order_by(Indicator.id)
            .limit(1)
        ).scalar_one()
        db.commit()
        instance = Instance(folder, url, engagement.id, token, survey.token, leaf)
    engine.dispose()
    return instance


def _env(instance: Instance, settings: dict[str, str] | None) -> dict[str, str]:
    env = {
        **os.environ,
        "WORKBENCH_INSTANCE_PATH": str(instance.folder),
        "WORKBENCH_FAST_HASH": "1",
        # Every simulated person comes from 127.0.0.1: the per-address limits would count them as one.
        "WORKBENCH_LOGIN_LIMIT": "10000 per minute",
        "WORKBENCH_SURVEY_SUBMIT_LIMIT": "10000 per minute",
        **{f"WORKBENCH_{key}": value for key, value in (settings or {}).items()},
    }
    env.pop("WORKBENCH_DATABASE_URL", None)
    if not instance.database_url.startswith("sqlite"):
        env["WORKBENCH_DATABASE_URL"] = instance.database_url
    return env


def start(
    instance: Instance,
    port: int,
    *,
    threads: int = 8,
    settings: dict[str, str] | None = None,
    worker: bool = True,
) -> subprocess.Popen:
    """`workbench serve` on 127.0.0.1:port; returns once /healthz answers. `settings` are
    WORKBENCH_* values for this server; `worker=False` serves pages only (`--no-worker`), as a
    gunicorn node does."""
    with open(instance.folder / "server.log", "ab") as log:
        server = subprocess.Popen(
            [sys.executable, "-c", "from workbench.cli import main; main()", "serve"]
            + ["--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)]
            + ([] if worker else ["--no-worker"]),
            env=_env(instance, settings),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited: {(instance.folder / 'server.log').read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("server did not start")


def start_worker(
    instance: Instance, *, workers: int = 1, settings: dict[str, str] | None = None, **env: str
) -> subprocess.Popen:
    """`workbench worker` on the instance's queue; returns once it says it has started. `env`
    adds plain environment variables (WORKBENCH_FAULT_TESTS)."""
    log = open(instance.folder / "worker.log", "ab")  # noqa: SIM115 - the process writes it
    worker = subprocess.Popen(
        [sys.executable, "-u", "-c", "from workbench.cli import main; main()", "worker"]
        + ["--workers", str(workers)],
        env={**_env(instance, settings), **env},
        stdout=subprocess.PIPE,
        stderr=log,
    )
    log.close()
    line = worker.stdout.readline().decode()  # "后台任务进程已启动…", or nothing if it died
    if "已启动" not in line:
        worker.kill()
        raise AssertionError(
            f"worker did not start: {(instance.folder / 'worker.log').read_text()}"
        )
    return worker


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)
    if server.stdout is not None:  # a worker's, read for its start line
        server.stdout.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    text: str
    location: str = ""


class Client:
    """One browser: its own cookies, no redirects followed, errors returned as answers."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def get(self, path: str) -> Answer:
        return self._send(urllib.request.Request(self.base + path))

    def post(self, path: str, fields: list[tuple[str, str]]) -> Answer:
        """Post the form as the browser does from the page at `path` (its Referer)."""
        body = urllib.parse.urlencode(fields).encode()
        headers = {"Referer": self.base + path}
        return self._send(
            urllib.request.Request(self.base + path, data=body, method="POST", headers=headers)
        )

    def post_file(
        self, path: str, fields: list[tuple[str, str]], name: str, filename: str, data: bytes
    ) -> Answer:
        """Post a form with one file (multipart), as the browser does from the page at `path`."""
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in fields
        ]
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        body = b"".join(parts) + head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
        headers = {
            "Referer": self.base + path,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        }
        return self._send(
            urllib.request.Request(self.base + path, data=body, method="POST", headers=headers)
        )

    def login(self, username: str, password: str = PASSWORD) -> None:
        fields = [
            (k, v)
            for k, v in form_fields(self.get("/login").text)
            if k not in {"username", "password"}
        ]
        answer = self.post("/login", fields + [("username", username), ("password", password)])
        assert answer.status == 302, f"login of {username} failed: {answer.status}"

    def _send(self, request: urllib.request.Request) -> Answer:
        try:
            with self.opener.open(request, timeout=120) as response:
                return Answer(response.status, response.read().decode(), "")
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode(), error.headers.get("Location", ""))


class _FormFields(HTMLParser):
    """The fields a browser would submit from the page's first POST form that posts to `path`
    (or to the page itself): the navigation's forms (language, logout) post elsewhere."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self.fields: list[tuple[str, str]] = []
        self.radios: set[str] = set()
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None
        self._text = ""
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        own = a.get("action", "") in {"", self.path}
        if tag == "form" and not self._done and own and a.get("method", "").lower() == "post":
            self._in_form = True
        if not self._in_form or not a.get("name") and tag != "option":
            return
        if tag == "input":
            self._input(a)
        elif tag == "select":
            self._select, self._select_value = a["name"], None
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in a:
                self._select_value = a.get("value", "")
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def _input(self, a: dict) -> None:
        kind = a.get("type", "text")
        if kind in {"submit", "button", "file"}:
            return
        if kind == "radio":  # the first option of each group, as a hurried respondent would
            if a["name"] not in self.radios:
                self.radios.add(a["name"])
                self.fields.append((a["name"], a.get("value", "")))
        elif kind == "checkbox":
            if "checked" in a:
                self.fields.append((a["name"], a.get("value", "y")))
        else:
            self.fields.append((a["name"], a.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            self.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def form_fields(html: str, path: str = "") -> list[tuple[str, str]]:
    parser = _FormFields(path)
    parser.feed(html)
    return parser.fields


def at_once(work, count: int) -> list:
    """Run work(i) in `count` threads that start together; the results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def survey_clients(base: str, survey_token: str, count: int) -> list[tuple[Client, list]]:
    """`count` respondents, each with the form open and filled in, ready to submit."""
    ready = []
    for _ in range(count):
        client = Client(base)
        page = client.get(f"/s/{survey_token}")
        assert page.status == 200, page.status
        ready.append((client, form_fields(page.text, f"/s/{survey_token}")))
    return ready


def press_submit(ready: list[tuple[Client, list]], survey_token: str) -> list[Answer]:
    """The respondents of `survey_clients` press 提交 at the same moment."""
    path = f"/s/{survey_token}"
    return at_once(lambda i: ready[i][0].post(path, ready[i][1]), len(ready))


def submit_surveys(base: str, survey_token: str, count: int) -> list[Answer]:
    """`count` respondents open the form, then press 提交 at the same moment."""
    return press_submit(survey_clients(base, survey_token, count), survey_token)


def edit_indicator_at_once(
    instance: Instance, base: str, count: int
) -> tuple[list[Client], list[Answer]]:
    """`count` signed-in leads open the same indicator, then all save a different note at once."""
    path = f"/engagements/{instance.engagement_id}/indicators/{instance.indicator_id}/edit"
    ready = []
    for i in range(count):
        client = Client(base)
        client.login("demo-lead")
        fields = [(k, v) for k, v in form_fields(client.get(path).text) if k != "note"]
        # Each ticks "我已知晓，确认并清除上述签字": the demo's indicator system is confirmed.
        confirm = [("confirm_clear_signoffs", "y")]
        ready.append((client, fields + confirm + [("note", f"第{i}位同事的备注")]))
    answers = at_once(lambda i: ready[i][0].post(path, ready[i][1]), count)
    return [client for client, _fields in ready], answers
