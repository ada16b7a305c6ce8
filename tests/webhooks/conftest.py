"""Webhook fixtures: an endpoint of the demo agency pointing at a receiver on this machine."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# The review tests' engagement with a contract, its team and a report version to submit.
from tests.review.conftest import approved, engagement, files, people, submitted, version  # noqa: F401
from workbench.webhooks import services


class Receiver:
    """An HTTP server on 127.0.0.1 that answers from a script and keeps what it was sent."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[tuple[int, dict]] = []  # consumed one per request; then 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                status, headers = receiver.answers.pop(0) if receiver.answers else (200, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def payloads(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8")
    found = Receiver()
    yield found
    found.close()


@pytest.fixture()
def hook(db, demo, receiver):
    """An endpoint of the demo agency that follows every event, at the receiver."""
    from workbench.webhooks.kinds import BY_KEY

    made = services.create_endpoint(
        db, admin=demo.users["demo-admin"], url=receiver.url + "/hooks", events=list(BY_KEY),
        description="测试接收端",
    )  # fmt: skip
    db.flush()
    return made
