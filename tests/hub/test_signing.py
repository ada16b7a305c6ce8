"""Offline pack files: signed by the hub, refused when changed or signed by another key."""

from __future__ import annotations

import base64
import json

import pytest

from workbench.hub import signing


@pytest.fixture(scope="module")
def key():
    return signing.new_private_key()


def test_a_signed_pack_verifies_and_returns_its_payload(key):
    data = signing.sign({"items": [{"id": 1}], "cursor": 3}, private_pem=key)
    payload = signing.verify(data, public_key=signing.public_key_text(key))
    assert payload == {"items": [{"id": 1}], "cursor": 3}


def test_a_changed_byte_is_refused(key):
    envelope = json.loads(signing.sign({"items": []}, private_pem=key))
    packed = bytearray(base64.b64decode(envelope["payload"]))
    packed[-5] ^= 1
    envelope["payload"] = base64.b64encode(bytes(packed)).decode()
    with pytest.raises(signing.PackRefused, match="签名校验失败"):
        signing.verify(json.dumps(envelope).encode(), public_key=signing.public_key_text(key))


def test_another_hubs_pack_is_refused(key):
    other = signing.new_private_key()
    data = signing.sign({"items": []}, private_pem=other)
    with pytest.raises(signing.PackRefused, match="签名密钥不符"):
        signing.verify(data, public_key=signing.public_key_text(key))


def test_garbage_and_missing_keys_are_refused(key):
    with pytest.raises(signing.PackRefused, match="格式无法识别"):
        signing.verify(b"not json", public_key=signing.public_key_text(key))
    with pytest.raises(signing.PackRefused, match="尚未填写枢纽公钥"):
        signing.verify(b"{}", public_key="")
    assert not signing.valid_public_key("abc")
