"""Offline package files: a round trip through encryption, and every kind of refused file."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tracemalloc
import zipfile

import pytest

from workbench.offline import package

PASSPHRASE = "春天的口令 2024"
CREATED_AT = "2024-05-01T10:00:00+08:00"


def _write(path, *, fill, passphrase=PASSPHRASE):
    return package.write_package(
        path,
        kind="engagement",
        package_id="pkg-1",
        created_at=CREATED_AT,
        passphrase=passphrase,
        fill=fill,
    )


def _small_fill(zf: zipfile.ZipFile) -> None:
    zf.writestr("manifest.json", json.dumps({"engagement": 7, "名称": "项目"}, ensure_ascii=False))
    zf.writestr("notes/readme.txt", "说明\n" * 1000)


@pytest.fixture
def workdir(tmp_path):
    """The folder the caller opens packages into (it must hold nothing after a refusal)."""
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.fixture
def small_package(tmp_path):
    path = tmp_path / "small.wbpkg"
    _write(path, fill=_small_fill)
    return path


def _payload_offset(path) -> int:
    with open(path, "rb") as f:
        f.seek(len(package.MAGIC))
        (header_length,) = struct.unpack(">I", f.read(4))
    return len(package.MAGIC) + 4 + header_length


def _refusal(path, workdir, passphrase=PASSPHRASE) -> str:
    with pytest.raises(package.PackageRefused) as refused:
        package.open_package(path, passphrase=passphrase, workdir=workdir)
    assert str(refused.value) == refused.value.message == package.MESSAGES[refused.value.kind]
    return refused.value.kind


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def test_a_package_round_trips_its_members_and_header(tmp_path, workdir):
    evidence = tmp_path / "evidence.bin"
    evidence.write_bytes(os.urandom(5 * 1024 * 1024))
    manifest = {"engagement_id": 7, "标题": "绩效评价", "items": list(range(50))}

    def fill(zf):
        zf.write(evidence, "evidence/scan.bin", compress_type=zipfile.ZIP_STORED)
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
        zf.writestr("notes.txt", "第一行\n" * 5000)

    path = tmp_path / "out.wbpkg"
    size = _write(path, fill=fill)

    assert size == path.stat().st_size
    assert not (tmp_path / "out.wbpkg.part").exists()
    header = package.read_header(path)
    assert header["format"] == 1
    assert (header["kind"], header["package_id"], header["created_at"]) == (
        "engagement",
        "pkg-1",
        CREATED_AT,
    )
    assert header["kdf"]["n"] == 2**15 and header["kdf"]["r"] == 8 and header["kdf"]["p"] == 1
    assert package.passphrase_ok(header, PASSPHRASE)
    assert not package.passphrase_ok(header, "别的口令")

    opened = package.open_package(path, passphrase=PASSPHRASE, workdir=workdir)
    assert opened.header == header
    assert opened.payload_path.parent == workdir
    with zipfile.ZipFile(opened.payload_path) as zf:
        assert zf.namelist() == ["evidence/scan.bin", "manifest.json", "notes.txt"]
        assert zf.getinfo("evidence/scan.bin").compress_type == zipfile.ZIP_STORED
        assert zf.getinfo("notes.txt").compress_type == zipfile.ZIP_DEFLATED
        assert zf.read("evidence/scan.bin") == evidence.read_bytes()
        assert json.loads(zf.read("manifest.json")) == manifest
        assert zf.read("notes.txt").decode("utf-8") == "第一行\n" * 5000


def test_the_header_is_sorted_utf8_json_and_the_payload_is_not_plaintext(small_package):
    data = small_package.read_bytes()
    assert data.startswith(package.MAGIC) and data.endswith(package.END_MAGIC)
    offset = _payload_offset(small_package)
    header_bytes = data[len(package.MAGIC) + 4 : offset]
    header = json.loads(header_bytes.decode("utf-8"))
    assert list(header) == sorted(header)
    assert "说明".encode() not in data and b"manifest.json" not in data


def test_two_packages_of_the_same_content_differ_in_salt_and_iv(tmp_path):
    first, second = tmp_path / "a.wbpkg", tmp_path / "b.wbpkg"
    _write(first, fill=_small_fill)
    _write(second, fill=_small_fill)
    a, b = package.read_header(first), package.read_header(second)
    assert a["kdf"]["salt"] != b["kdf"]["salt"] and a["iv"] != b["iv"]


def test_an_empty_passphrase_is_rejected(tmp_path):
    with pytest.raises(ValueError):
        _write(tmp_path / "x.wbpkg", fill=_small_fill, passphrase="")
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_passphrase_is_refused_as_such(small_package, workdir):
    assert _refusal(small_package, workdir, passphrase="不对的口令") == "passphrase"
    assert list(workdir.iterdir()) == []


def test_a_changed_ciphertext_byte_is_refused_as_tampered(small_package, workdir):
    data = bytearray(small_package.read_bytes())
    data[_payload_offset(small_package) + 10] ^= 0x01
    small_package.write_bytes(bytes(data))

    assert _refusal(small_package, workdir) == "tampered"
    assert list(workdir.iterdir()) == []


def test_a_changed_tag_byte_is_refused_as_tampered(small_package, workdir):
    data = bytearray(small_package.read_bytes())
    data[-(len(package.END_MAGIC) + 8 + 1)] ^= 0x80
    small_package.write_bytes(bytes(data))

    assert _refusal(small_package, workdir) == "tampered"


def test_a_changed_header_is_refused_as_tampered_though_the_passphrase_checks(
    small_package, workdir
):
    data = small_package.read_bytes()
    assert data.count(b"2024-05-01T10") == 1
    small_package.write_bytes(data.replace(b"2024-05-01T10", b"2024-05-02T10"))
    header = package.read_header(small_package)
    assert header["created_at"] == "2024-05-02T10:00:00+08:00"
    assert package.passphrase_ok(header, PASSPHRASE)

    assert _refusal(small_package, workdir) == "tampered"
    assert list(workdir.iterdir()) == []


def test_a_header_that_is_no_longer_json_is_refused_as_tampered(small_package, workdir):
    data = small_package.read_bytes()
    small_package.write_bytes(data.replace(b'"format"', b"'format'", 1))
    with pytest.raises(package.PackageRefused) as refused:
        package.read_header(small_package)
    assert refused.value.kind == "tampered"
    assert _refusal(small_package, workdir) == "tampered"


@pytest.mark.parametrize("keep", ["all_but_100", "half", "into_header", "magic_only"])
def test_a_cut_file_is_refused_as_truncated(small_package, workdir, keep):
    data = small_package.read_bytes()
    length = {
        "all_but_100": len(data) - 100,
        "half": len(data) // 2,
        "into_header": len(package.MAGIC) + 6,
        "magic_only": len(package.MAGIC),
    }[keep]
    small_package.write_bytes(data[:length])

    with pytest.raises(package.PackageRefused) as refused:
        package.read_header(small_package)
    assert refused.value.kind == "truncated"
    assert _refusal(small_package, workdir) == "truncated"
    assert list(workdir.iterdir()) == []


def test_a_file_whose_length_disagrees_with_its_trailer_is_refused_as_truncated(
    small_package, workdir
):
    data = small_package.read_bytes()
    offset = _payload_offset(small_package)
    small_package.write_bytes(data[:offset] + b"x" + data[offset:])

    assert _refusal(small_package, workdir) == "truncated"


def _plain_zip(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", "hello")


@pytest.mark.parametrize("content", ["random", "zip", "empty"])
def test_a_file_that_is_not_a_package_is_refused(tmp_path, content, workdir):
    path = tmp_path / "other.bin"
    if content == "random":
        path.write_bytes(os.urandom(4096))
    elif content == "zip":
        _plain_zip(path)
    else:
        path.write_bytes(b"")

    with pytest.raises(package.PackageRefused) as refused:
        package.read_header(path)
    assert refused.value.kind == "not_package"
    assert str(refused.value) == "这不是工作台的离线包文件"
    assert _refusal(path, workdir) == "not_package"
    assert list(workdir.iterdir()) == []


def test_a_failing_fill_leaves_no_file_behind(tmp_path):
    def fill(zf):
        zf.writestr("first.json", "{}")
        zf.writestr("big.bin", os.urandom(256 * 1024))
        raise RuntimeError("导出中断")

    path = tmp_path / "out.wbpkg"
    with pytest.raises(RuntimeError, match="导出中断"):
        _write(path, fill=fill)
    assert not path.exists()
    assert not (tmp_path / "out.wbpkg.part").exists()
    assert list(tmp_path.iterdir()) == []


def test_a_failing_fill_keeps_an_earlier_package_under_the_same_name(small_package):
    before = small_package.read_bytes()

    def fill(zf):
        raise RuntimeError("导出中断")

    with pytest.raises(RuntimeError):
        _write(small_package, fill=fill)
    assert small_package.read_bytes() == before


def test_writing_and_opening_a_large_payload_keeps_memory_bounded(tmp_path, workdir):
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        for _ in range(64):
            f.write(os.urandom(1024 * 1024))
    path = tmp_path / "big.wbpkg"

    tracemalloc.start()
    try:
        _write(path, fill=lambda zf: zf.write(big, "big.bin", compress_type=zipfile.ZIP_STORED))
        opened = package.open_package(path, passphrase=PASSPHRASE, workdir=workdir)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 16 * 1024 * 1024
    assert path.stat().st_size > 64 * 1024 * 1024
    with zipfile.ZipFile(opened.payload_path) as zf, zf.open("big.bin") as member:
        digest = hashlib.sha256()
        while chunk := member.read(1024 * 1024):
            digest.update(chunk)
    assert digest.hexdigest() == _sha256(big)


def test_a_verified_payload_reads_like_the_plaintext_at_any_position(tmp_path):
    """open_verified decrypts as it reads (counter mode from GCM's counter): seeks anywhere."""
    data = os.urandom(3 * 1024 * 1024 + 7)
    source = tmp_path / "scan.bin"
    source.write_bytes(data)

    def fill(zf: zipfile.ZipFile) -> None:
        zf.writestr("manifest.json", json.dumps({"清单": 1}, ensure_ascii=False))
        zf.write(source, "files/scan", compress_type=zipfile.ZIP_STORED)

    path = tmp_path / "p.wbpkg"
    _write(path, fill=fill)
    with package.open_verified(path, passphrase=PASSPHRASE) as opened:
        assert opened.header["kind"] == "engagement"
        with zipfile.ZipFile(opened.payload) as zf:
            assert json.loads(zf.read("manifest.json")) == {"清单": 1}
            assert zf.read("files/scan") == data
            with zf.open("files/scan") as member:
                member.seek(1_000_003)
                assert member.read(50_000) == data[1_000_003:1_050_003]
        payload = opened.payload
        size = payload.seek(0, os.SEEK_END)
        for offset in (0, 1, 15, 16, 17, 1 << 20, size - 5):
            payload.seek(offset)
            assert payload.read(9) == _plaintext_at(path, offset, 9)
    assert not list(tmp_path.glob("**/offline-*"))  # nothing plaintext written


def _plaintext_at(path, offset, size) -> bytes:
    work = path.parent / "ref"
    opened = package.open_package(path, passphrase=PASSPHRASE, workdir=work)
    with open(opened.payload_path, "rb") as f:
        f.seek(offset)
        found = f.read(size)
    opened.payload_path.unlink()
    return found


@pytest.mark.parametrize(
    ("damage", "kind"), [("ciphertext", "tampered"), ("passphrase", "passphrase")]
)
def test_a_package_is_verified_before_any_of_it_is_read(small_package, damage, kind):
    passphrase = PASSPHRASE
    if damage == "ciphertext":
        data = bytearray(small_package.read_bytes())
        data[_payload_offset(small_package) + 40] ^= 0x01
        small_package.write_bytes(bytes(data))
    else:
        passphrase = "另一个口令"
    with (
        pytest.raises(package.PackageRefused) as refused,
        package.open_verified(small_package, passphrase=passphrase),
    ):
        pytest.fail("the body must not run")
    assert refused.value.kind == kind
