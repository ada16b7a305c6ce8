"""Deliveries: signed POSTs, retries with backoff on the queue, giving up, never a redirect."""

from datetime import timedelta

import pytest
from sqlmodel import select

from workbench.core import jobs
from workbench.core.timeutil import utcnow
from workbench.webhooks import delivery, services, signing
from workbench.webhooks.models import WebhookDelivery


def _ping(db, demo, hook):
    made = services.ping(db, admin=demo.users["demo-admin"], endpoint=hook)
    db.commit()  # the job is queued when the action's transaction commits
    return made


def test_backoff_doubles_from_the_first_wait_and_stops_at_six_hours():
    waits = [delivery.backoff(n, 60).total_seconds() for n in range(1, 11)]
    assert waits[:6] == [60, 120, 240, 480, 960, 1920]
    assert waits[-1] == 6 * 3600


def test_a_delivery_arrives_signed_once_its_transaction_commits(db, demo, hook, receiver):
    made = services.ping(db, admin=demo.users["demo-admin"], endpoint=hook)
    assert jobs.run_pending() == 0  # nothing is queued before the commit
    db.commit()
    assert jobs.run_pending() == 1
    [request] = receiver.received
    assert request["path"] == "/hooks"
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["x-workbench-event"] == "ping"
    assert headers["x-workbench-delivery"] == made.event_id
    assert signing.verify(
        hook.secret, timestamp=headers["x-workbench-timestamp"], body=request["body"],
        signed=headers["x-workbench-signature"], now=int(headers["x-workbench-timestamp"]),
    )  # fmt: skip
    assert request["body"] == made.payload.encode()
    db.refresh(made)
    assert (made.status, made.attempts, made.response_status) == ("delivered", 1, 200)


def test_a_rolled_back_action_queues_nothing(db, demo, hook, receiver):
    services.ping(db, admin=demo.users["demo-admin"], endpoint=hook)
    db.rollback()
    assert jobs.run_pending() == 0 and receiver.received == []


def test_a_savepoint_inside_the_action_does_not_send_early(db, demo, hook, receiver):
    services.ping(db, admin=demo.users["demo-admin"], endpoint=hook)
    with db.begin_nested():  # e.g. a staged import's rehearsal
        pass
    assert jobs.run_pending() == 0
    db.commit()
    assert jobs.run_pending() == 1


def test_failures_are_retried_with_backoff_then_delivered(
    app, db, demo, hook, receiver, monkeypatch
):
    receiver.answers = [(500, {}), (503, {})]
    made = _ping(db, demo, hook)
    before = utcnow()
    jobs.run_pending()
    db.refresh(made)
    assert (made.status, made.attempts, made.response_status) == ("retrying", 1, 500)
    assert made.error == "对方返回 HTTP 500"
    wait = made.next_attempt_at - before
    assert timedelta(seconds=59) < wait < timedelta(seconds=62)
    # The retry waits on the queue's schedule; not due yet, it does nothing.
    assert len(jobs.queue.scheduled()) == 1
    assert jobs.run_scheduled() == 1 and len(receiver.received) == 1
    # Time passes: the next attempts run when due (the retry wait is taken as elapsed).
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SECONDS", 0)
    made.next_attempt_at = utcnow()
    db.add(made)
    db.commit()
    jobs.queue.storage.flush_schedule()
    delivery.deliver(made.id)
    jobs.run_pending()  # 503: retry scheduled again, due at once
    jobs.run_scheduled()  # 200
    db.refresh(made)
    assert [r["headers"]["X-Workbench-Delivery"] for r in receiver.received] == [made.event_id] * 3
    assert (made.status, made.attempts, made.response_status) == ("delivered", 3, 200)


def test_gives_up_after_the_last_attempt(app, db, demo, hook, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SECONDS", 0)
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 3)
    receiver.answers = [(500, {})] * 5
    made = _ping(db, demo, hook)
    jobs.run_pending()
    jobs.run_scheduled()
    jobs.run_scheduled()
    assert jobs.run_scheduled() == 0  # nothing more was scheduled
    db.refresh(made)
    assert (made.status, made.attempts, made.next_attempt_at) == ("failed", 3, None)
    assert len(receiver.received) == 3


def test_a_redirect_is_not_followed(db, demo, hook, receiver):
    receiver.answers = [(302, {"Location": receiver.url + "/elsewhere"})]
    made = _ping(db, demo, hook)
    jobs.run_pending()
    db.refresh(made)
    assert [r["path"] for r in receiver.received] == ["/hooks"]
    assert made.status == "retrying" and "重定向" in made.error


def test_a_refused_connection_and_a_timeout_are_retried(app, db, demo, hook, receiver, monkeypatch):
    receiver.close()  # nothing listens there any more
    made = _ping(db, demo, hook)
    jobs.run_pending()
    db.refresh(made)
    assert made.status == "retrying" and made.error.startswith("连接失败")
    assert made.response_status is None


def test_slow_receiver_times_out(app, db, demo, hook, receiver, monkeypatch):
    import time

    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", 1)
    original = receiver.server.RequestHandlerClass.do_POST

    def slow(self):
        time.sleep(1.5)
        original(self)

    monkeypatch.setattr(receiver.server.RequestHandlerClass, "do_POST", slow)
    made = _ping(db, demo, hook)
    jobs.run_pending()
    db.refresh(made)
    assert made.status == "retrying" and made.error == "超时（1 秒内未响应）"


def test_an_address_no_longer_allowed_is_given_up_without_a_call(
    app, db, demo, hook, receiver, monkeypatch
):
    made = _ping(db, demo, hook)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_NETWORKS", "")
    jobs.run_pending()
    db.refresh(made)
    assert receiver.received == []
    assert made.status == "failed" and "不能作为推送地址" in made.error


def test_a_disabled_endpoint_sends_nothing(db, demo, hook, receiver):
    made = _ping(db, demo, hook)
    hook.active = False
    db.add(hook)
    db.commit()
    jobs.run_pending()
    db.refresh(made)
    assert receiver.received == [] and made.status == "failed"
    assert made.error == "推送地址已停用，未发送"


def test_one_attempt_at_a_time(db, demo, hook, receiver):
    """Two jobs for one delivery (a retry and the sweep) make one attempt, not two."""
    made = _ping(db, demo, hook)
    delivery.deliver(made.id)  # a second job for the same row
    assert jobs.run_pending() == 2
    db.refresh(made)
    assert len(receiver.received) == 1 and made.attempts == 1


def test_the_sweep_queues_what_was_lost(db, demo, hook, receiver):
    made = _ping(db, demo, hook)
    jobs.queue.flush()  # the queue lost the job (a crash between commit and enqueue)
    assert delivery.due_ids() == []  # not late yet
    made.next_attempt_at = utcnow() - timedelta(minutes=2)
    db.add(made)
    db.commit()
    assert delivery.due_ids() == [made.id]
    delivery.sweep.call_local()
    jobs.run_pending()
    db.refresh(made)
    assert made.status == "delivered" and len(receiver.received) == 1


@pytest.mark.parametrize("status", ["delivered", "failed"])
def test_redeliver_sends_the_same_event_again(db, demo, hook, receiver, status):
    made = _ping(db, demo, hook)
    jobs.run_pending()
    db.refresh(made)  # the job wrote the row in its own unit of work
    made.status = status
    db.add(made)
    services.redeliver(db, admin=demo.users["demo-admin"], delivery=made)
    db.commit()
    jobs.run_pending()
    ids = [r["headers"]["X-Workbench-Delivery"] for r in receiver.received]
    assert ids == [made.event_id, made.event_id]
    db.expire_all()
    rows = db.exec(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == hook.id)).all()
    assert len(rows) == 1 and rows[0].status == "delivered"


def test_jobs_run_in_the_app_of_the_caller_not_the_last_one_made(
    app_with, db, demo, hook, receiver
):
    """Another app made since (a test's own settings) must not take the job's database away."""
    app_with(LOGIN_LIMIT="5 per minute")
    made = _ping(db, demo, hook)
    assert jobs.run_pending() == 1
    db.refresh(made)
    assert made.status == "delivered"
