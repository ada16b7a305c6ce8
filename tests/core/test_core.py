"""Core helpers: Decimal handling, the exact Decimal column, the audit log, time display."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlmodel import select

from workbench.core import audit
from workbench.core.money import fmt2, parse_decimal, q2, yuan
from workbench.core.timeutil import local


def test_half_up_rounding_and_formatting():
    assert q2(Decimal("2.625")) == Decimal("2.63")
    assert q2(Decimal("3.3375")) == Decimal("3.34")
    assert q2("-0.005") == Decimal("-0.01")
    assert fmt2(Decimal("4")) == "4.00" and fmt2(None) == ""
    assert yuan(Decimal("12500000")) == "12,500,000.00"


@pytest.mark.parametrize(
    "text,value",
    [
        ("1,200.50", Decimal("1200.50")),
        (" 3 ", Decimal(3)),
        ("¥88元", Decimal(88)),
        ("", None),
        (None, None),
    ],
)
def test_parse_decimal(text, value):
    assert parse_decimal(text) == value


def test_parse_decimal_rejects_text():
    with pytest.raises(ValueError, match="不是有效的数字"):
        parse_decimal("十二")


def test_decimal_column_is_exact(db, demo):
    from workbench.engagements.models import Engagement

    e = demo.engagement
    e.budget_amount = Decimal("98765432109876.55")
    db.add(e)
    db.flush()
    db.expire_all()
    assert db.get(Engagement, e.id).budget_amount == Decimal("98765432109876.55")


def test_audit_record_and_query(db, demo):
    entry = audit.record(
        db,
        actor=demo.users["demo-lead"],
        action="test.thing",
        object_type="x",
        object_id=7,
        engagement_id=demo.engagement.id,
        before={"a": Decimal("1.5")},
        after={"when": datetime(2025, 1, 1)},
        summary="摘要",
    )
    assert entry.before == {"a": "1.5"} and entry.after == {"when": "2025-01-01T00:00:00"}
    rows, total = audit.query(db, engagement_id=demo.engagement.id, action="test.")
    assert total == 1 and rows[0].actor_name == "李项目"
    assert db.exec(select(audit.AuditEntry)).first() is not None


def test_audit_has_no_update_or_delete_path():
    names = [n for n in dir(audit) if not n.startswith("_")]
    assert not [n for n in names if n.startswith(("update", "delete", "remove"))]


def test_local_time_is_beijing():
    assert local(datetime(2025, 1, 1, 0, 0, tzinfo=UTC)).hour == 8
    assert local(datetime(2025, 1, 1, 0, 0)).hour == 8
    assert local(None) is None


def test_security_headers(client):
    r = client.get("/login")
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_no_cdn_and_no_inline_script_in_pages(login, demo):
    text = login("demo-lead").get(f"/engagements/{demo.engagement.id}").get_data(as_text=True)
    assert "cdn" not in text.lower() and "https://" not in text
    import re

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)


def test_friendly_404_page(login, demo):
    r = login("demo-lead").get("/engagements/999999")
    assert r.status_code == 404 and "页面不存在" in r.get_data(as_text=True)


def test_healthz_is_public_and_touches_the_database(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok"}


def test_row_url_builds_the_same_urls_as_url_for(app):
    from flask import url_for

    from workbench.core.templating import row_url

    with app.test_request_context("/"):
        edit = row_url("indicators.edit", "indicator_id", engagement_id=3)
        for row_id in (1, 17, 918273645):
            assert edit(row_id) == url_for("indicators.edit", engagement_id=3, indicator_id=row_id)
        try:
            edit("1/../../admin")
        except ValueError:
            pass
        else:
            raise AssertionError("a row id must be an integer")
