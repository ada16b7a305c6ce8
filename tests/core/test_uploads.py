"""Upload validation and content-addressed storage."""

import io
import zipfile

import pytest
from sqlmodel import func, select

from workbench.core import storage, uploads
from workbench.core.errors import NotFound, ValidationFailed

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    "name,data",
    [
        ("报告.pdf", PDF),
        ("现场照片.PNG", PNG),
        ("底稿.docx", _docx()),
        ("说明.txt", "中文说明".encode()),
        ("旧版.txt", "中文".encode("gbk")),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_accepts_real_files(name, data):
    checked = uploads.check(name, data)
    assert checked.name == name and checked.data == data


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("空.pdf", b"", "空文件"),
        ("程序.pdf", b"MZ\x90\x00" + b"\x00" * 100, "可执行程序"),
        ("网页.xlsx", b"<html><body><script>alert(1)</script></body></html>", "可执行程序或网页"),
        ("伪装.pdf", PNG, "内容是PNG 图片"),
        ("../../etc/passwd.txt", b"x", "不合法"),
        ("a\x07b.txt", b"x", "不合法"),
        ("病毒.exe", b"MZ", "不在允许范围"),
        ("无扩展名", b"abc", "不在允许范围"),
        ("二进制.txt", b"\x00\x01\x02\xff\xfe", "无法识别"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_refuses_bad_uploads_with_clear_messages(name, data, message):
    with pytest.raises(ValidationFailed) as error:
        uploads.check(name, data)
    assert message in error.value.message


def test_size_limit():
    with pytest.raises(ValidationFailed, match="超过 1 MB"):
        uploads.check("大.pdf", PDF + b"0" * (1024 * 1024 + 1), max_mb=1)


def test_store_is_content_addressed_and_deduplicated(app, db):
    with app.app_context():
        first = storage.store(db, PDF, mime="application/pdf")
        second = storage.store(db, PDF, mime="application/pdf")
        assert first.sha256 == second.sha256 == storage.digest(PDF)
        path = storage.local_path(first.sha256)
        assert path.read_bytes() == PDF and "static" not in str(path)
        assert storage.verify(first.sha256)
        assert storage.read(first.sha256) == PDF


def test_names_that_are_not_hashes_are_refused(app):
    with app.app_context():
        with pytest.raises(NotFound, match="文件不存在"):
            storage.local_path("../../secret_key")
        with pytest.raises(NotFound, match="文件不存在"):
            storage.open("../../secret_key")
        assert not storage.exists("../../secret_key") and storage.size("../x") is None


def test_store_survives_a_concurrent_store_of_the_same_bytes(app, db, monkeypatch):
    """Two requests generate identical files: the second finds no row, then loses the insert race."""
    with app.app_context():
        first = storage.store(db, PDF, mime="application/pdf")
        db.expunge(first)  # as if another session had inserted it
        real_get = db.get
        monkeypatch.setattr(db, "get", lambda model, key: None)  # the row appears after the look-up
        second = storage.store(db, PDF, mime="application/pdf")
        monkeypatch.setattr(db, "get", real_get)
        assert second.sha256 == first.sha256
        assert db.exec(select(func.count()).select_from(storage.Blob)).one() >= 1
        db.flush()  # the session is still usable: the failed insert was only a savepoint
