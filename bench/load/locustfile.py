"""A realistic mix of authenticated users for `locust --headless` (run by scripts/loadtest.sh).

Each simulated person logs in through the login form (with its CSRF token), browses the dashboard,
the flowchart and the indicator page of the scaled engagement, saves an indicator's actual value
through the scoring form, and, with an API token, imports a small 问卷星 file and generates the
score sheet when those domains exist. /about ("page floor (about)": the full layout for the signed-in
user, nothing of its own) is the floor the pages are judged against; /healthz (renders nothing) is
requested alongside as the trivial endpoint, for comparison with earlier runs.
Environment: LOAD_ENGAGEMENT, LOAD_INDICATOR, LOAD_SURVEY (optional), LOAD_TOKEN, LOAD_PASSWORD,
LOAD_HOSTS (optional: app nodes, comma-separated; the simulated people alternate between them, each
staying on its node, as a load balancer with sticky connections would place them).
"""

from __future__ import annotations

import itertools
import os
import random
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, tag, task
from locust.clients import HttpSession

SAMPLES = Path(__file__).resolve().parents[2] / "workbench" / "demo" / "samples"
USERS = ["demo-lead", "demo-evaluator"]
HOSTS = itertools.cycle([h for h in os.environ.get("LOAD_HOSTS", "").split(",") if h] or [None])


class FormFields(HTMLParser):
    """The named fields of the first form posting to `action` (inputs, selects, textareas)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        target = a.get("action", "")
        posts = a.get("method", "get").lower() == "post"
        if (
            tag == "form"
            and not self.done
            and posts
            and (not target or target.endswith(self.action))
        ):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields.setdefault(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif (
            tag == "option"
            and self._select
            and ("selected" in a or self._select not in self.fields)
        ):
            self.fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_fields(html: str, action: str) -> dict[str, str]:
    parser = FormFields(action)
    parser.feed(html)
    return parser.fields


class Evaluator(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        node = next(HOSTS)
        if node:
            self.host = self.client.base_url = node
        self.engagement = int(os.environ["LOAD_ENGAGEMENT"])
        self.indicator = int(os.environ["LOAD_INDICATOR"])
        self.survey = int(os.environ.get("LOAD_SURVEY") or 0)
        # API clients carry no session cookie: a cookie from the pages would shadow the token.
        self.api_client = HttpSession(
            base_url=self.host, request_event=self.environment.events.request, user=self
        )
        self.api_client.headers["Authorization"] = f"Bearer {os.environ['LOAD_TOKEN']}"
        page = self.client.get("/login", name="login page").text
        data = form_fields(page, "/login")
        data.update(
            username=random.choice(USERS), password=os.environ.get("LOAD_PASSWORD", "demo12345")
        )
        with self.client.post(
            "/login", data=data, name="login", catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")

    @task(6)
    def healthz(self) -> None:
        self.client.get("/healthz", name="healthz")

    @task(5)
    def floor(self) -> None:
        with self.client.get("/about", name="page floor (about)", catch_response=True) as response:
            if response.history:  # a redirect (to the login page) is not the layout floor
                response.failure(f"/about redirected to {response.url}")

    @task(5)
    def dashboard(self) -> None:
        self.client.get("/", name="page dashboard")

    @task(4)
    def flowchart(self) -> None:
        self.client.get(f"/engagements/{self.engagement}", name="page flowchart")

    @task(2)
    def indicators(self) -> None:
        self.client.get(f"/engagements/{self.engagement}/indicators", name="page indicators")

    @task(2)
    def edit_actual_value(self) -> None:
        path = f"/engagements/{self.engagement}/scoring/{self.indicator}"
        page = self.client.get(path, name="page scoring leaf").text
        data = form_fields(page, path)
        if "actual" in data:
            data["actual"] = f"{random.randint(90, 100)}%"
        self.client.post(path, data=data, name="save actual value")

    @tag("heavy")
    @task(1)
    def import_survey(self) -> None:
        if not self.survey:
            return
        sample = SAMPLES / "wjx_satisfaction_text.xlsx"
        with sample.open("rb") as fh:
            self.api_client.post(
                f"/api/v1/surveys/{self.survey}/imports",
                files={"file": (sample.name, fh)},
                name="api survey import",
            )

    @tag("heavy")
    @task(1)
    def generate_score_sheet(self) -> None:
        self.api_client.post(
            f"/api/v1/engagements/{self.engagement}/documents/score_sheet",
            json={"label": "初稿"},
            name="api generate score sheet",
        )
