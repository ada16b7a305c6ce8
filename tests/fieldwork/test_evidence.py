"""Evidence uploads: several at once, sniffed types, size limit, safe names, duplicates, EXIF."""

from datetime import UTC, datetime
from io import BytesIO
from urllib.parse import quote

import pytest
from sqlmodel import func, select

from tests.fieldwork.helpers import PDF, SITE_VALUES, jpeg, paper, xlsx
from workbench.core.errors import ValidationFailed
from workbench.core.storage import Blob
from workbench.fieldwork import evidence
from workbench.fieldwork.evidence import capture_time
from workbench.fieldwork.models import Evidence


def upload(db, demo, target, files, max_mb=5, who="demo-evaluator"):
    return evidence.upload(
        db,
        actor=demo.users[who],
        engagement=demo.engagement,
        paper=target,
        files=files,
        max_mb=max_mb,
    )


def count(db):
    return db.exec(select(func.count()).select_from(Evidence)).one()


def test_several_files_at_once_content_addressed(db, demo, ctx):
    target = paper(db, demo, values=dict(SITE_VALUES))
    sheet = xlsx()
    created = upload(
        db,
        demo,
        target,
        [("核查照片.jpg", jpeg()), ("明细.xlsx", sheet), ("说明.txt", "现场说明".encode())],
    )
    assert [e.name for e in created] == ["核查照片.jpg", "明细.xlsx", "说明.txt"]
    assert created[0].mime == "image/jpeg" and created[0].captured_at == datetime(
        2025, 3, 8, 2, 24, 5, tzinfo=UTC
    )
    assert created[1].captured_at is None and created[1].size == len(sheet)
    other = paper(db, demo, values=dict(SITE_VALUES))
    again = upload(db, demo, other, [("同一张照片.jpg", jpeg())])  # the same bytes on another paper
    assert again[0].sha256 == created[0].sha256
    assert (
        db.exec(
            select(func.count()).select_from(Blob).where(Blob.sha256 == created[0].sha256)
        ).one()
        == 1
    )


BAD = [
    ("oversized", ("大文件.pdf", PDF + b"0" * (1024 * 1024)), "超过 1 MB 的大小限制"),
    (
        "exe as pdf",
        ("报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200),
        "可执行程序或网页",
    ),
    (
        "html as xlsx",
        ("明细.xlsx", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        "可执行程序或网页",
    ),
    ("empty", ("空.pdf", b""), "是空文件"),
    ("traversal", ("../../etc/passwd.pdf", PDF), "不能包含路径"),
    ("control chars", ("报\x01告.pdf", PDF), "控制字符"),
    ("not allowed", ("脚本.sh", b"echo hi"), "文件类型不在允许范围内"),
    ("wrong content", ("照片.png", PDF), "内容是PDF"),
]


@pytest.mark.parametrize(("case", "file", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_refused_with_a_clear_message_and_nothing_stored(
    db, demo, ctx, case, file, message
):
    target = paper(db, demo, values=dict(SITE_VALUES))
    before = count(db)
    with pytest.raises(ValidationFailed) as caught:
        upload(db, demo, target, [("好的.pdf", PDF), file], max_mb=1)
    assert message in caught.value.message and "未保存任何文件" in caught.value.message
    assert any(message in d["message"] for d in caught.value.details)
    assert count(db) == before


def test_duplicates_are_refused(db, demo, ctx):
    target = paper(db, demo, values=dict(SITE_VALUES))
    upload(db, demo, target, [("凭证.pdf", PDF)])
    with pytest.raises(ValidationFailed) as caught:
        upload(db, demo, target, [("凭证（副本）.pdf", PDF)])
    assert (
        "“凭证（副本）.pdf”已上传到本底稿（已有文件“凭证.pdf”内容相同），不能重复上传"
        in caught.value.message
    )
    with pytest.raises(ValidationFailed, match="与同批的“a.pdf”内容完全相同"):
        upload(db, demo, target, [("a.pdf", PDF + b"x"), ("b.pdf", PDF + b"x")])
    mine = db.exec(select(Evidence).where(Evidence.paper_id == target.id)).all()
    assert [e.name for e in mine] == ["凭证.pdf"]


def test_no_files(db, demo, ctx):
    with pytest.raises(ValidationFailed, match="请选择要上传的文件"):
        upload(db, demo, paper(db, demo), [])


def test_exif_capture_time_with_and_without_offset():
    assert capture_time(jpeg(None)) is None
    assert capture_time(b"not an image") is None
    assert capture_time(jpeg("2024:12:31 23:59:59")) == datetime(
        2024, 12, 31, 15, 59, 59, tzinfo=UTC
    )


def test_upload_page_and_download_under_the_original_name(db, demo, login, app):
    target = paper(db, demo, values=dict(SITE_VALUES))
    db.flush()
    c = login("demo-evaluator")
    base = f"/engagements/{demo.engagement.id}"
    r = c.post(
        f"{base}/papers/{target.id}/evidence",
        data={
            "files": [(BytesIO(PDF), "资金拨付凭证.pdf"), (BytesIO(jpeg()), "现场 照片.jpg")],
            "source": "现场拍摄",
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    text = r.get_data(as_text=True)
    assert "已上传 2 个文件" in text and "资金拨付凭证.pdf" in text and "2025-03-08 10:24" in text
    row = db.exec(select(Evidence).where(Evidence.name == "资金拨付凭证.pdf")).one()
    r = c.get(f"{base}/evidence/{row.id}/download")
    assert r.status_code == 200 and r.data == PDF
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and quote("资金拨付凭证.pdf") in disposition
    assert r.headers["Content-Type"] == "application/pdf"
    r.close()
    # a bad batch through the page: a clear message, nothing stored
    before = count(db)
    r = c.post(
        f"{base}/papers/{target.id}/evidence",
        data={
            "files": [
                (BytesIO(b"MZ\x90\x00" + b"\x00" * 100), "setup.pdf"),
                (BytesIO(PDF + b"2"), "ok.pdf"),
            ]
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "setup.pdf" in r.get_data(as_text=True) and "可执行程序" in r.get_data(as_text=True)
    assert count(db) == before


def test_upload_limit_is_configurable(db, demo, login, app):
    target = paper(db, demo, values=dict(SITE_VALUES))
    db.flush()
    app.config["MAX_UPLOAD_MB"] = 1
    try:
        r = login("demo-evaluator").post(
            f"/engagements/{demo.engagement.id}/papers/{target.id}/evidence",
            data={"files": [(BytesIO(PDF + b"0" * (1024 * 1024 + 1)), "大.pdf")]},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
    finally:
        app.config["MAX_UPLOAD_MB"] = 50
    assert "超过 1 MB 的大小限制" in r.get_data(as_text=True)


def test_engagement_level_evidence_and_delete(db, demo, login):
    c = login("demo-evaluator")
    base = f"/engagements/{demo.engagement.id}"
    r = c.post(
        f"{base}/evidence",
        data={"files": [(BytesIO(PDF + b"loose"), "会议通知.pdf")], "note": "第2页"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "已上传 1 个文件到项目资料清单" in r.get_data(as_text=True)
    row = db.exec(select(Evidence).where(Evidence.name == "会议通知.pdf")).one()
    assert row.paper_id is None and row.note == "第2页"
    assert "会议通知.pdf" in c.get(f"{base}/evidence").get_data(as_text=True)
    c.post(f"{base}/evidence/{row.id}/delete", data={})  # no confirmation: nothing happens
    assert db.get(Evidence, row.id) is not None
    row_id = row.id
    c.post(f"{base}/evidence/{row_id}/delete", data={"confirm": "1"})
    db.expire_all()
    assert db.get(Evidence, row_id) is None


def test_a_refused_file_type_is_said_once(db, demo, login):
    c = login("demo-evaluator")
    before = count(db)
    r = c.post(
        f"/engagements/{demo.engagement.id}/evidence",
        data={"files": [(BytesIO(b"echo hi"), "脚本.sh")]},
        content_type="multipart/form-data",
        headers={"Referer": f"/engagements/{demo.engagement.id}/evidence"},
        follow_redirects=True,
    )
    text = r.get_data(as_text=True)
    assert text.count("“脚本.sh”的文件类型不在允许范围内") == 1
    assert count(db) == before


def test_a_refused_file_type_on_a_working_paper_is_said_once(db, demo, login):
    target = paper(db, demo)
    page = f"/engagements/{demo.engagement.id}/papers/{target.id}"
    before = count(db)
    r = login("demo-evaluator").post(
        f"{page}/evidence",
        data={"files": [(BytesIO(b"MZ\x90\x00\x03"), "程序.exe"), (BytesIO(PDF), "说明.pdf")]},
        content_type="multipart/form-data",
        headers={"Referer": page},
        follow_redirects=True,
    )
    text = r.get_data(as_text=True)
    assert text.count("“程序.exe”的文件类型不在允许范围内") == 1
    assert "未保存任何文件" in text and count(db) == before


def test_a_file_spooled_to_disk_is_checked_and_read_through_a_memory_map(tmp_path):
    """Over 500 KB werkzeug keeps an upload in a file: it is mapped, not read; the type sniffing,
    the OOXML check, the digest and the photo's EXIF time read the map as they read bytes."""
    import hashlib
    import mmap

    from werkzeug.datastructures import FileStorage

    from workbench.core import uploads

    photo = jpeg("2024:12:31 23:59:59") + b"\0" * 600_000  # trailing bytes after the image
    for name, content in [("照片.jpg", photo), ("表.xlsx", xlsx())]:
        (tmp_path / name).write_bytes(content)
        with (tmp_path / name).open("rb") as spooled:
            data = uploads.received(FileStorage(stream=spooled, filename=name))
            assert isinstance(data, mmap.mmap) and len(data) == len(content)
            checked = uploads.check(name, data)
            assert checked.data is data
            assert hashlib.sha256(data).hexdigest() == uploads.digest(content)
            if name.endswith(".jpg"):
                assert capture_time(data) == datetime(2024, 12, 31, 15, 59, 59, tzinfo=UTC)
            data.close()
    small = FileStorage(stream=BytesIO(PDF), filename="小.pdf")
    assert uploads.received(small) == PDF  # in memory already: plain bytes


def _gps_jpeg(lat_ref="N", lat=(31.0, 13.0, 47.04), lon_ref="E", lon=(121.0, 28.0, 25.32)) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (16, 16), (10, 120, 200))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:12:01 10:24:05"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = lat_ref, lat, lon_ref, lon
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_exif_gps_becomes_decimal_degrees():
    from decimal import Decimal

    from workbench.fieldwork.evidence import capture_place

    assert capture_place(_gps_jpeg()) == (Decimal("31.229733"), Decimal("121.473700"))
    south_west = capture_place(_gps_jpeg("S", (33.0, 52.0, 4.0), "W", (151.0, 12.0, 36.0)))
    assert south_west == (Decimal("-33.867778"), Decimal("-151.210000"))
    assert capture_place(jpeg()) is None  # a time but no place
    assert capture_place(b"not an image") is None
    assert capture_place(_gps_jpeg(lat=(95.0, 0.0, 0.0))) is None  # out of range


def test_an_uploaded_photo_keeps_its_place(db, demo, ctx):
    from decimal import Decimal

    (row,) = upload(db, demo, paper(db, demo), [("现场.jpg", _gps_jpeg())])
    db.flush()
    db.refresh(row)
    assert (row.latitude, row.longitude) == (Decimal("31.229733"), Decimal("121.473700"))
    assert row.captured_at is not None
