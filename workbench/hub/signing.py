"""Signed offline pack files: the hub's published set, signed with its Ed25519 key (pure).

A file is a small JSON envelope: the format name, the signing key's public half (to say which
key signed it), the payload (gzip-compressed JSON, base64) and the signature over the
compressed bytes. A member verifies it against the hub key it was configured with; any other
key, a changed byte or a broken envelope is refused before anything is read.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "workbench-hub-pack/1"
MAX_PAYLOAD = 512 * 1024 * 1024  # decompressed bytes a pack may hold


class PackRefused(Exception):
    """A pack file that is not a valid, correctly signed pack of the expected hub."""


def new_private_key() -> bytes:
    """A new Ed25519 private key as PEM."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_text(private_pem: bytes) -> str:
    """The public half as base64 of the raw 32 bytes (what a member pastes into its settings)."""
    key = serialization.load_pem_private_key(private_pem, password=None)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def valid_public_key(text: str) -> bool:
    try:
        _public(text)
    except PackRefused:
        return False
    return True


def _public(text: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError) as error:
        raise PackRefused("枢纽公钥格式有误（应为 44 个字符的 Base64 文本）") from error


def sign(payload: dict[str, Any], *, private_pem: bytes) -> bytes:
    """The pack file holding `payload`, signed."""
    key = serialization.load_pem_private_key(private_pem, password=None)
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    packed = gzip.compress(raw, compresslevel=6, mtime=0)
    envelope = {
        "format": FORMAT,
        "public_key": public_key_text(private_pem),
        "payload": base64.b64encode(packed).decode(),
        "signature": base64.b64encode(key.sign(packed)).decode(),
    }
    return json.dumps(envelope).encode()


def verify(data: bytes, *, public_key: str) -> dict[str, Any]:
    """The payload of a pack file signed by `public_key`; PackRefused (in Chinese) otherwise."""
    if not public_key.strip():
        raise PackRefused("尚未填写枢纽公钥，无法校验离线指标包")
    expected = _public(public_key)
    try:
        envelope = json.loads(data)
        if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
            raise ValueError("format")
        packed = base64.b64decode(envelope["payload"], validate=True)
        signature = base64.b64decode(envelope["signature"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise PackRefused("文件不是工作台离线指标包（格式无法识别），未导入任何内容") from error
    if envelope.get("public_key") != public_key.strip():
        raise PackRefused("离线指标包不是由本机构配置的枢纽签发的（签名密钥不符），未导入任何内容")
    try:
        expected.verify(signature, packed)
    except InvalidSignature as error:
        raise PackRefused("离线指标包签名校验失败：文件已被改动或损坏，未导入任何内容") from error
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as stream:
            raw = stream.read(MAX_PAYLOAD + 1)
        if len(raw) > MAX_PAYLOAD:
            raise ValueError("too large")
        payload = json.loads(raw)
    except (OSError, ValueError) as error:
        raise PackRefused("离线指标包内容无法读取，未导入任何内容") from error
    if not isinstance(payload, dict):
        raise PackRefused("离线指标包内容无法读取，未导入任何内容")
    return payload
