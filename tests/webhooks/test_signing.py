"""Signing: the header a receiver checks, against HMAC computed by openssl."""

import subprocess

import pytest

from workbench.webhooks import signing

SECRET = "whsec_0123456789abcdef"
BODY = '{"id":"e1","type":"ping","data":{"message":"推送地址连通测试"}}'.encode()


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    # The same digest computed by another implementation, over the same bytes.
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", SECRET, "-hex"],
        input=b"1765000000." + BODY, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    assert signing.signature(SECRET, 1765000000, BODY) == "sha256=" + out.split("= ")[-1].strip()


def test_verify_accepts_a_fresh_signature_and_refuses_anything_else():
    signed = signing.signature(SECRET, 1765000000, BODY)
    ok = dict(timestamp="1765000000", body=BODY, signed=signed)
    assert signing.verify(SECRET, now=1765000100, **ok)
    assert not signing.verify("whsec_other", now=1765000100, **ok)
    assert not signing.verify(SECRET, now=1765000100, **{**ok, "body": BODY + b" "})
    assert not signing.verify(SECRET, now=1765000000 + 301, **ok)  # replayed later
    assert not signing.verify(SECRET, now=1765000100, **{**ok, "timestamp": "1765000001"})
    assert not signing.verify(SECRET, now=1765000100, **{**ok, "timestamp": "abc"})
    assert not signing.verify(SECRET, now=1765000100, **{**ok, "signed": ""})


def test_headers_name_the_event_and_the_delivery():
    found = signing.headers(secret=SECRET, timestamp=5, body=BODY, event="ping", event_id="e1")
    assert found["X-Workbench-Event"] == "ping" and found["X-Workbench-Delivery"] == "e1"
    assert found["X-Workbench-Timestamp"] == "5"
    assert found["X-Workbench-Signature"] == signing.signature(SECRET, 5, BODY)


@pytest.mark.parametrize("n", range(3))
def test_secrets_are_new_each_time(n):
    a, b = signing.new_secret(), signing.new_secret()
    assert a != b and a.startswith("whsec_") and len(a) == 6 + 64
