"""Encrypted offline package files: an engagement carried to a laptop and back (pure: no Flask,
no session).

A package is one file, written and read as a stream so that its size never matters to memory:

    MAGIC | u32 header length | header JSON | ciphertext | GCM tag | u64 plaintext length | END_MAGIC

The payload is a zip archive encrypted with AES-256-GCM; the header (sorted-key UTF-8 JSON) is
the associated data, so a changed header is detected like a changed payload. The key comes from
the passphrase through scrypt; the header also carries a check value derived from the same
passphrase, so a wrong passphrase is told apart from a damaged file before anything is decrypted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import os
import struct
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"WBOFFLINE\x01"
END_MAGIC = b"WBEND\x01"
FORMAT = 1

KDF_N = 2**15
KDF_R = 8
KDF_P = 1
SALT_BYTES = 16
IV_BYTES = 12
TAG_BYTES = 16
CHUNK_BYTES = 1024 * 1024  # read and decrypted per step when opening

_HEADER_LENGTH = struct.Struct(">I")
_PLAINTEXT_LENGTH = struct.Struct(">Q")
_TRAILER_BYTES = TAG_BYTES + _PLAINTEXT_LENGTH.size + len(END_MAGIC)
_MAX_HEADER_BYTES = 64 * 1024
_MAX_KDF_MEMORY = 256 * 1024 * 1024  # a header may not ask scrypt for more (128 * n * r * p)
_CHECK_MESSAGE = b"workbench-offline-passphrase"

RefusalKind = Literal["not_package", "truncated", "passphrase", "tampered"]

MESSAGES: dict[str, str] = {
    "not_package": "这不是工作台的离线包文件",
    "truncated": "离线包不完整（文件可能没有传输完），请重新导出或复制",
    "passphrase": "口令不正确",
    "tampered": "离线包已被改动或损坏，不能导入",
}


class PackageRefused(Exception):
    """A file that cannot be opened as a package: `kind` says why, `message` tells the user."""

    def __init__(self, kind: RefusalKind, message: str | None = None) -> None:
        self.kind = kind
        self.message = message or MESSAGES[kind]
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Opened:
    """A verified package: its header and the decrypted payload (a zip file in the workdir)."""

    header: dict[str, Any]
    payload_path: Path


@dataclass(frozen=True)
class _Frame:
    """Where the parts of a package file lie, read from its ends without decrypting."""

    header_bytes: bytes
    header: dict[str, Any]
    payload_offset: int
    plaintext_length: int
    tag: bytes


class _EncryptingWriter(io.RawIOBase):
    """A write-only, non-seekable stream: each write is encrypted straight into `out`."""

    def __init__(self, out: BinaryIO, encryptor: Any) -> None:
        super().__init__()
        self._out = out
        self._encryptor = encryptor
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._out.write(self._encryptor.update(view))
        self.written += view.nbytes
        return view.nbytes


def write_package(
    path: str | os.PathLike[str],
    *,
    kind: str,
    package_id: str,
    created_at: str,
    passphrase: str,
    fill: Callable[[zipfile.ZipFile], None],
) -> int:
    """Write a package whose payload is the zip `fill` writes; return the file size in bytes."""
    if not passphrase:
        raise ValueError("离线包口令不能为空")
    salt, iv = os.urandom(SALT_BYTES), os.urandom(IV_BYTES)
    aes_key, check_key = _derive_keys(passphrase, salt=salt, n=KDF_N, r=KDF_R, p=KDF_P)
    header = {
        "format": FORMAT,
        "kind": kind,
        "package_id": package_id,
        "created_at": created_at,
        "kdf": {"salt": _b64(salt), "n": KDF_N, "r": KDF_R, "p": KDF_P},
        "iv": _b64(iv),
        "check": _b64(_check_value(check_key)),
    }
    header_bytes = json.dumps(header, sort_keys=True, ensure_ascii=False).encode("utf-8")
    encryptor = Cipher(algorithms.AES(aes_key), modes.GCM(iv)).encryptor()
    encryptor.authenticate_additional_data(header_bytes)

    final = Path(path)
    part = final.with_name(final.name + ".part")
    try:
        with open(part, "wb") as out:
            out.write(MAGIC + _HEADER_LENGTH.pack(len(header_bytes)) + header_bytes)
            sink = _EncryptingWriter(out, encryptor)
            with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
                fill(zf)
            out.write(encryptor.finalize())
            out.write(encryptor.tag + _PLAINTEXT_LENGTH.pack(sink.written) + END_MAGIC)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, final)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return final.stat().st_size


def read_header(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The header of a package file, unverified: what it says it is, before any passphrase."""
    with open(path, "rb") as f:
        return _read_frame(f).header


def passphrase_ok(header: dict[str, Any], passphrase: str) -> bool:
    """Whether `passphrase` is the one the package with this header was written with."""
    _aes_key, check_key = _keys_for(header, passphrase)
    return _check_matches(header, check_key)


def open_package(
    path: str | os.PathLike[str], *, passphrase: str, workdir: str | os.PathLike[str]
) -> Opened:
    """Verify and decrypt a package; its payload zip is written to a new file in `workdir`."""
    with open(path, "rb") as f:
        frame = _read_frame(f)
        aes_key, check_key = _keys_for(frame.header, passphrase)
        if not _check_matches(frame.header, check_key):
            raise PackageRefused("passphrase")
        iv = _unb64(frame.header["iv"])
        decryptor = Cipher(algorithms.AES(aes_key), modes.GCM(iv, frame.tag)).decryptor()
        decryptor.authenticate_additional_data(frame.header_bytes)

        Path(workdir).mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="offline-", suffix=".zip", dir=workdir)
        payload_path = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                f.seek(frame.payload_offset)
                remaining = frame.plaintext_length
                while remaining:
                    chunk = f.read(min(CHUNK_BYTES, remaining))
                    if not chunk:  # the file shrank while being read
                        raise PackageRefused("truncated")
                    out.write(decryptor.update(chunk))
                    remaining -= len(chunk)
                try:
                    out.write(decryptor.finalize())
                except InvalidTag:
                    raise PackageRefused("tampered") from None
        except BaseException:
            payload_path.unlink(missing_ok=True)
            raise
    return Opened(header=frame.header, payload_path=payload_path)


_READ_BUFFER = 64 * 1024


@contextmanager
def open_verified(path: str | os.PathLike[str], *, passphrase: str) -> Iterator[Verified]:
    """Verify a package, then read its payload zip decrypted as it is read: nothing plaintext is
    ever written to disk (a server importing a laptop's package keeps no copy of it anywhere).

    The first pass decrypts and discards, only to check the GCM tag over the whole file; the
    payload is then read through the same open file in AES counter mode, which is how GCM
    encrypted it (block i of the payload under the counter IV‖(2 + i)), so reads may seek.
    """
    with open(path, "rb") as f:
        frame = _read_frame(f)
        aes_key, check_key = _keys_for(frame.header, passphrase)
        if not _check_matches(frame.header, check_key):
            raise PackageRefused("passphrase")
        iv = _unb64(frame.header["iv"])
        if frame.plaintext_length // 16 + 2 >= 2**32:  # GCM's 32-bit block counter
            raise PackageRefused("tampered")
        decryptor = Cipher(algorithms.AES(aes_key), modes.GCM(iv, frame.tag)).decryptor()
        decryptor.authenticate_additional_data(frame.header_bytes)
        f.seek(frame.payload_offset)
        remaining = frame.plaintext_length
        sink = bytearray(CHUNK_BYTES + 16)
        while remaining:
            chunk = f.read(min(CHUNK_BYTES, remaining))
            if not chunk:  # the file shrank while being read
                raise PackageRefused("truncated")
            decryptor.update_into(chunk, sink)
            remaining -= len(chunk)
        try:
            decryptor.finalize()
        except InvalidTag:
            raise PackageRefused("tampered") from None
        source = PayloadSource(
            path=str(path),
            key=aes_key.hex(),
            iv=iv.hex(),
            offset=frame.payload_offset,
            length=frame.plaintext_length,
        )
        with _payload(f, source) as payload:
            yield Verified(header=frame.header, payload=payload, source=source)


@dataclass(frozen=True)
class PayloadSource:
    """Where a verified package's payload is and how to read it: given to another process that
    reads it too (a check-in's files are written by one), which opens it with `read_payload`."""

    path: str
    key: str  # hex: the AES key derived from the passphrase (never written to disk)
    iv: str  # hex
    offset: int
    length: int


@contextmanager
def read_payload(source: PayloadSource) -> Iterator[BinaryIO]:
    """The payload of a package verified before (`open_verified`), read decrypted (seekable)."""
    with open(source.path, "rb") as f, _payload(f, source) as payload:
        yield payload


@contextmanager
def _payload(f: BinaryIO, source: PayloadSource) -> Iterator[BinaryIO]:
    key, iv = bytes.fromhex(source.key), bytes.fromhex(source.iv)
    raw = _CounterReader(f, key, iv, source.offset, source.length)
    # A small buffer: zipfile seeks to each member's header, and every seek refills it.
    with io.BufferedReader(raw, buffer_size=_READ_BUFFER) as payload:
        yield payload


@dataclass(frozen=True)
class Verified:
    header: dict[str, Any]
    payload: BinaryIO  # the payload zip, seekable, decrypted as it is read
    source: PayloadSource  # the same, for another process


_SPARE = 15  # the room AES-CTR's update_into wants beyond the data (block size - 1)


class _CounterReader(io.RawIOBase):
    """The verified payload of an open package file, decrypted on read (seekable)."""

    def __init__(self, f: BinaryIO, key: bytes, iv: bytes, offset: int, length: int) -> None:
        self._f, self._key, self._iv = f, key, iv
        self._offset, self._length = offset, length
        self._pos = 0
        self._decryptor = None  # positioned at self._pos, or None after a seek
        self._scratch = bytearray()  # the ciphertext of the last read

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        target = max(0, base + pos)
        if target != self._pos:
            self._pos, self._decryptor = target, None
        return self._pos

    def readinto(self, buffer) -> int:
        size = min(len(buffer), self._length - self._pos)
        if size <= 0:
            return 0
        if self._decryptor is None:
            block, skip = divmod(self._pos, 16)
            counter = self._iv + (2 + block).to_bytes(4, "big")
            self._decryptor = Cipher(algorithms.AES(self._key), modes.CTR(counter)).decryptor()
            self._decryptor.update(bytes(skip))
        self._f.seek(self._offset + self._pos)
        if size > _SPARE:  # decrypted straight into the reader's buffer (AES-CTR's output
            size -= _SPARE  # step wants 15 bytes to spare), the ciphertext read into our own
            if len(self._scratch) < size:
                self._scratch = bytearray(size)
            got = self._f.readinto(memoryview(self._scratch)[:size])
            n = self._decryptor.update_into(memoryview(self._scratch)[:got], buffer)
        else:
            plain = self._decryptor.update(self._f.read(size))
            n = len(plain)
            buffer[:n] = plain
        self._pos += n
        return n


def _read_frame(f: BinaryIO) -> _Frame:
    """Read the magic, the header and the trailer; refuse what is not a whole package file."""
    size = os.fstat(f.fileno()).st_size
    if f.read(len(MAGIC)) != MAGIC:
        raise PackageRefused("not_package")
    length_bytes = f.read(_HEADER_LENGTH.size)
    if len(length_bytes) < _HEADER_LENGTH.size:
        raise PackageRefused("truncated")
    (header_length,) = _HEADER_LENGTH.unpack(length_bytes)
    if header_length > _MAX_HEADER_BYTES:
        raise PackageRefused("tampered")
    payload_offset = len(MAGIC) + _HEADER_LENGTH.size + header_length
    if size < payload_offset + _TRAILER_BYTES:
        raise PackageRefused("truncated")
    header_bytes = f.read(header_length)

    f.seek(size - _TRAILER_BYTES)
    trailer = f.read(_TRAILER_BYTES)
    if trailer[-len(END_MAGIC) :] != END_MAGIC:
        raise PackageRefused("truncated")
    tag = trailer[:TAG_BYTES]
    (plaintext_length,) = _PLAINTEXT_LENGTH.unpack(trailer[TAG_BYTES : -len(END_MAGIC)])
    if size != payload_offset + plaintext_length + _TRAILER_BYTES:
        raise PackageRefused("truncated")
    header = _parse_header(header_bytes)
    return _Frame(header_bytes, header, payload_offset, plaintext_length, tag)


def _parse_header(header_bytes: bytes) -> dict[str, Any]:
    """The header as a dict, refused as tampered unless it has every field this format writes."""
    try:
        header = json.loads(header_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PackageRefused("tampered") from None
    if not _header_well_formed(header):
        raise PackageRefused("tampered")
    return header


def _header_well_formed(header: Any) -> bool:
    """Whether `header` has the fields and sizes of a format-1 header, and a bounded scrypt cost."""
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        return False
    if not all(isinstance(header.get(k), str) for k in ("kind", "package_id", "created_at")):
        return False
    kdf = header.get("kdf")
    if not isinstance(kdf, dict):
        return False
    n, r, p = kdf.get("n"), kdf.get("r"), kdf.get("p")
    if not all(type(v) is int and v > 0 for v in (n, r, p)):
        return False
    if n < 2 or n & (n - 1) or 128 * n * r * p > _MAX_KDF_MEMORY:
        return False
    sizes = {"salt": SALT_BYTES, "iv": IV_BYTES, "check": hashlib.sha256().digest_size}
    values = {"salt": kdf.get("salt"), "iv": header.get("iv"), "check": header.get("check")}
    return all(_b64_length(values[name]) == size for name, size in sizes.items())


def _keys_for(header: dict[str, Any], passphrase: str) -> tuple[bytes, bytes]:
    """The AES key and the check key for a (well-formed) header and a passphrase."""
    kdf = header["kdf"]
    salt = _unb64(kdf["salt"])
    return _derive_keys(passphrase, salt=salt, n=kdf["n"], r=kdf["r"], p=kdf["p"])


def _derive_keys(passphrase: str, *, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """scrypt → 64 bytes: the first 32 are the AES-256 key, the last 32 the check key."""
    # NFC, so that the same passphrase typed on another system's input method gives the same key.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    key = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(secret)
    return key[:32], key[32:]


def _check_value(check_key: bytes) -> bytes:
    """The value stored in the header that shows whether a passphrase is the right one."""
    return hmac.new(check_key, _CHECK_MESSAGE, hashlib.sha256).digest()


def _check_matches(header: dict[str, Any], check_key: bytes) -> bool:
    """Whether the header's check value is the one `check_key` gives (constant-time)."""
    return hmac.compare_digest(_unb64(header["check"]), _check_value(check_key))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _b64_length(value: Any) -> int | None:
    """The decoded length of a base64 string, or None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return len(_unb64(value))
    except (binascii.Error, ValueError):
        return None
