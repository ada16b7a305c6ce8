"""Check-in against the database: what arrives, what conflicts, what is refused (issue 18)."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlmodel import col, func, select

from tests.offline.helpers import PASSPHRASE, check_out
from workbench.core.audit import AuditEntry
from workbench.core.errors import Conflict
from workbench.fieldwork import papers
from workbench.fieldwork.content import content_hash
from workbench.fieldwork.models import Evidence, Finding, PaperSignoff, WorkingPaper
from workbench.indicators.models import Indicator
from workbench.offline import checkin as checkin_service
from workbench.offline import conflicts
from workbench.offline.models import OfflineCheckout, OfflineConflict
from workbench.surveys.models import Survey, SurveyResponse


@pytest.fixture(autouse=True)
def _app_context(ctx):
    """Storage and the signing key are the app's."""


def _paper(laptop, **match):
    return laptop.row("working_paper", **match)


def _resolve(db, demo, conflict, choice: str):
    """The lead settles a conflict."""
    lead = demo.users["demo-lead"]
    return conflicts.resolve(
        db, actor=lead, engagement=demo.engagement, conflict=conflict, choice=choice
    )


def _first_paper(db, demo) -> WorkingPaper:
    return db.exec(
        select(WorkingPaper)
        .where(WorkingPaper.engagement_id == demo.engagement.id)
        .order_by(col(WorkingPaper.id))
    ).first()


def _checkin(db, demo, path, user="demo-evaluator", **kwargs):
    row = checkin_service.checkin(
        db,
        actor=demo.users[user],
        path=path,
        passphrase=kwargs.pop("passphrase", PASSPHRASE),
        engagement=demo.engagement,
        **kwargs,
    )
    db.flush()
    return row


def _server_edit(db, demo, paper: WorkingPaper, **values):
    db.refresh(paper)
    papers.update_paper(
        db,
        actor=demo.users["demo-lead"],
        engagement=demo.engagement,
        paper=paper,
        version=paper.version,
        title=paper.title,
        values={**paper.values, **values},
        indicator_ids=[],
        confirm_clear=True,
    )
    db.flush()


def _new_evidence(laptop, demo, paper_id: int, sha: str, size: int, **fields) -> None:
    """Evidence the laptop added (a scanned PDF unless `fields` say otherwise)."""
    laptop.rows("evidence").append(
        {
            "id": laptop.next_id("evidence"),
            "engagement_id": demo.engagement.id,
            "paper_id": paper_id,
            "request_item_id": None,
            "sha256": sha,
            "name": "扫描件.pdf",
            "extension": "pdf",
            "mime": "application/pdf",
            "size": size,
            "captured_at": None,
            "source": "",
            "note": "",
            "uploaded_by_id": demo.users["demo-evaluator"].id,
            "uploaded_via": "user",
            "created_at": "2026-12-01T02:05:00+00:00",
            **fields,
        }
    )


def test_round_trip_without_conflicts(db, demo, tmp_path):
    paper = _first_paper(db, demo)
    row, laptop = check_out(db, demo, tmp_path)
    assert laptop.manifest["engagement_id"] == demo.engagement.id
    offline = _paper(laptop, id=paper.id)
    offline["values"] = {**offline["values"], "summary": "离线补充：现场核实 12 所学校"}
    # A paper created offline whose index number the server gave to another paper meanwhile.
    template = {**offline}
    new_id = laptop.next_id("working_paper")
    taken = offline["index_no"]
    laptop.rows("working_paper").append(
        {**template, "id": new_id, "title": "离线新底稿", "version": 1}
    )
    photo = b"\xff\xd8\xff offline photo bytes"
    sha = hashlib.sha256(photo).hexdigest()
    _new_evidence(
        laptop,
        demo,
        new_id,
        sha,
        len(photo),
        name="现场照片.jpg",
        extension="jpg",
        mime="image/jpeg",
        captured_at="2026-12-01T02:03:04+00:00",
        source="现场拍摄",
        note="GPS 31.23,121.47",
    )
    laptop.rows("paper_finding").append(
        {
            "id": laptop.next_id("paper_finding"),
            "paper_id": new_id,
            "indicator_id": None,
            "kind": "observation",
            "text": "离线记录的问题",
            "points": None,
            "element_index": None,
            "met": None,
            "money": None,
            "created_by_id": demo.users["demo-evaluator"].id,
            "created_at": "2026-12-01T02:06:00+00:00",
        }
    )
    audit_rows = [
        {
            "id": 1,
            "at": "2026-12-01T02:06:00+00:00",
            "actor_id": demo.users["demo-evaluator"].id,
            "actor_name": "评价人员",
            "action": "working_paper.create",
            "object_type": "working_paper",
            "object_id": new_id,
            "engagement_id": demo.engagement.id,
            "summary": "离线新建底稿",
            "before": None,
            "after": None,
            "device": "笔记本 A",
        }
    ]
    path = laptop.export(tmp_path, audit=audit_rows, files={sha: photo})

    result = _checkin(db, demo, path, finish=True)

    summary = result.summary
    assert summary["conflicts"] == 0
    assert summary["added"] == {"底稿": 1, "证据": 1, "发现的问题": 1}
    assert summary["updated"] == {"底稿": 1}
    db.refresh(paper)
    assert paper.values["summary"] == "离线补充：现场核实 12 所学校"
    created = db.exec(select(WorkingPaper).where(WorkingPaper.title == "离线新底稿")).one()
    assert created.index_no != taken
    assert summary["renumbered"] == [{"title": "离线新底稿", "from": taken, "to": created.index_no}]
    evidence = db.exec(select(Evidence).where(Evidence.paper_id == created.id)).one()
    assert evidence.sha256 == sha and evidence.note == "GPS 31.23,121.47"
    assert evidence.captured_at.isoformat().startswith("2026-12-01T02:03:04")
    finding = db.exec(select(Finding).where(Finding.paper_id == created.id)).one()
    assert finding.text == "离线记录的问题"
    entry = db.exec(
        select(AuditEntry).where(
            AuditEntry.action == "working_paper.create", AuditEntry.summary == "离线新建底稿"
        )
    ).one()
    assert (entry.device, entry.object_id) == ("笔记本 A", created.id)
    assert entry.at.isoformat().startswith("2026-12-01T02:06:00")
    db.refresh(row)
    assert row.status == "returned"


def test_the_same_file_twice_changes_nothing(db, demo, tmp_path):
    paper = _first_paper(db, demo)
    _row, laptop = check_out(db, demo, tmp_path)
    _paper(laptop, id=paper.id)["title"] = "离线改过的标题"
    path = laptop.export(tmp_path)
    _checkin(db, demo, path)
    before = db.exec(select(func.count()).select_from(AuditEntry)).one()
    with pytest.raises(Conflict, match="已于 .* 导入，本次未重复导入"):
        _checkin(db, demo, path)
    assert db.exec(select(func.count()).select_from(AuditEntry)).one() == before
    # A second export of the same laptop state adds nothing either.
    again = _checkin(db, demo, laptop.export(tmp_path))
    assert again.summary["added"] == {} and again.summary["updated"] == {}
    assert again.summary["conflicts"] == 0


def test_a_paper_edited_on_both_sides_is_a_conflict(db, demo, tmp_path, count_queries):
    paper = _first_paper(db, demo)
    key = next(iter(paper.values))
    original = paper.values.get(key)
    _row, laptop = check_out(db, demo, tmp_path)
    _paper(laptop, id=paper.id)["values"] = {**paper.values, key: "离线的写法"}
    _server_edit(db, demo, paper, **{key: "服务器上的写法"})

    result = _checkin(db, demo, laptop.export(tmp_path))

    assert result.summary["conflicts"] == 1
    db.refresh(paper)
    assert paper.values[key] == "服务器上的写法"  # nothing overwritten
    conflict = db.exec(select(OfflineConflict)).one()
    line = next(f for f in conflict.fields if f["field"] == f"values.{key}")
    assert (line["server"], line["offline"]) == ("服务器上的写法", "离线的写法")
    assert line["base"] == original
    with count_queries() as counter:
        _resolve(db, demo, conflict, "offline")
        db.flush()
    # The one record's base is read, not every base of the check-out (thousands on a real one).
    bases = [s for s in counter.statements if "FROM offline_base" in s]
    assert len(bases) == 1 and re.search(r'offline_base\."?key"? =', bases[0])
    db.refresh(paper)
    assert paper.values[key] == "离线的写法"
    with pytest.raises(Conflict, match="已由他人处理"):
        _resolve(db, demo, conflict, "server")


def test_an_indicator_actual_value_conflict_keeps_the_server_value(db, demo, tmp_path):
    indicator = db.exec(
        select(Indicator).where(Indicator.engagement_id == demo.engagement.id)
    ).first()
    _row, laptop = check_out(db, demo, tmp_path)
    laptop.row("indicator", id=indicator.id)["actual"] = "98.5%"
    indicator.actual = "97%"
    db.add(indicator)
    db.flush()
    result = _checkin(db, demo, laptop.export(tmp_path))
    assert result.summary["conflicts"] == 1
    db.refresh(indicator)
    assert indicator.actual == "97%"
    conflict = db.exec(select(OfflineConflict)).one()
    assert [(f["label"], f["server"], f["offline"]) for f in conflict.fields] == [
        ("实际值", "97%", "98.5%")
    ]
    _resolve(db, demo, conflict, "server")
    db.flush()
    # The next check-in of the same laptop does not raise it again.
    again = _checkin(db, demo, laptop.export(tmp_path))
    assert again.summary["conflicts"] == 0
    db.refresh(indicator)
    assert indicator.actual == "97%"


def test_an_offline_signoff_on_content_that_changed_is_listed_for_resigning(db, demo, tmp_path):
    paper = _first_paper(db, demo)
    key = next(iter(paper.values))
    _row, laptop = check_out(db, demo, tmp_path)
    offline = _paper(laptop, id=paper.id)
    offline["values"] = {**paper.values, key: "离线编制完成"}
    signed = content_hash(
        title=offline["title"],
        template_key=offline["template_key"],
        values=offline["values"],
        indicator_ids=[
            r["indicator_id"] for r in laptop.rows("paper_indicator") if r["paper_id"] == paper.id
        ],
        findings=[
            {
                k: f[k]
                for k in ("indicator_id", "kind", "text", "points", "element_index", "met", "money")
            }
            for f in laptop.rows("paper_finding")
            if f["paper_id"] == paper.id
        ],
        evidence=[e["sha256"] for e in laptop.rows("evidence") if e["paper_id"] == paper.id],
    )
    laptop.rows("paper_signoff").append(
        {
            "id": laptop.next_id("paper_signoff"),
            "paper_id": paper.id,
            "level": "prepare",
            "user_id": demo.users["demo-evaluator"].id,
            "signed_at": "2026-12-01T03:00:00+00:00",
            "content_hash": signed,
            "comment": "",
            "cleared_at": None,
            "cleared_reason": "",
        }
    )
    _server_edit(db, demo, paper, **{key: "服务器同时修改"})

    result = _checkin(db, demo, laptop.export(tmp_path))

    assert result.summary["conflicts"] == 1
    assert [r["level"] for r in result.summary["resign"]] == ["编制"]
    offline_sign = db.exec(
        select(PaperSignoff).where(
            PaperSignoff.paper_id == paper.id, PaperSignoff.content_hash == signed
        )
    ).one()
    assert offline_sign.cleared_at is not None
    assert "需重新签字" in offline_sign.cleared_reason


def test_an_offline_signoff_on_unchanged_content_stays(db, demo, tmp_path):
    paper = _first_paper(db, demo)
    _row, laptop = check_out(db, demo, tmp_path)
    # The laptop signs the paper as it arrived (nothing edited on either side).
    from workbench.fieldwork.review import current_hash

    laptop.rows("paper_signoff").append(
        {
            "id": laptop.next_id("paper_signoff"),
            "paper_id": paper.id,
            "level": "prepare",
            "user_id": demo.users["demo-evaluator"].id,
            "signed_at": "2026-12-01T03:00:00+00:00",
            "content_hash": current_hash(db, paper),
            "comment": "离线签字",
            "cleared_at": None,
            "cleared_reason": "",
        }
    )
    result = _checkin(db, demo, laptop.export(tmp_path))
    assert result.summary["resign"] == []
    sign = db.exec(select(PaperSignoff).where(PaperSignoff.comment == "离线签字")).one()
    assert sign.cleared_at is None
    db.refresh(paper)
    assert paper.status in {"prepared", "reviewed", "approved"}


def test_two_laptops_check_in_one_after_the_other(db, demo, tmp_path):
    paper = _first_paper(db, demo)
    keys = list(paper.values)
    _a, laptop_a = check_out(db, demo, tmp_path, device="笔记本 A")
    _b, laptop_b = check_out(db, demo, tmp_path, user="demo-lead", device="笔记本 B")
    _paper(laptop_a, id=paper.id)["values"] = {**paper.values, keys[0]: "A 的内容"}
    _paper(laptop_b, id=paper.id)["values"] = {**paper.values, keys[0]: "B 的内容"}
    indicator = laptop_b.rows("indicator")[0]
    indicator["actual"] = "B 填的实际值"
    first = _checkin(db, demo, laptop_a.export(tmp_path))
    second = _checkin(db, demo, laptop_b.export(tmp_path), user="demo-lead")
    assert first.summary["updated"] == {"底稿": 1}
    assert second.summary["updated"] == {"指标": 1}
    assert second.summary["conflicts"] == 1
    db.refresh(paper)
    assert paper.values[keys[0]] == "A 的内容"
    assert db.get(Indicator, indicator["id"]).actual == "B 填的实际值"
    assert db.exec(select(func.count()).select_from(OfflineCheckout)).one() >= 2


def test_survey_answers_collected_offline_are_counted_once(db, demo, tmp_path):
    survey = db.exec(select(Survey).where(Survey.engagement_id == demo.engagement.id)).first()
    _row, laptop = check_out(db, demo, tmp_path)
    answers = laptop.rows("survey_response")
    for n in range(2):
        answers.append(
            {
                "id": laptop.next_id("survey_response") + n,
                "survey_id": survey.id,
                "source_key": f"offline:laptop-a:{n}",
                "channel": "offline",
                "serial": None,
                "submitted_at": f"2026-12-01T0{n + 1}:00:00+00:00",
                "answers": {},
                "missing": {},
                "other_text": {},
                "extra": {},
                "created_at": f"2026-12-01T0{n + 1}:00:00+00:00",
            }
        )
    before = db.exec(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
    ).one()
    first = laptop.export(tmp_path)
    _checkin(db, demo, first)
    _checkin(db, demo, laptop.export(tmp_path))  # exported again later: the same two answers
    rows = db.exec(
        select(SurveyResponse).where(col(SurveyResponse.source_key).startswith("offline:laptop-a"))
    ).all()
    assert len(rows) == 2
    assert {r.channel for r in rows} == {"offline"}
    assert sorted(r.submitted_at.hour for r in rows) == [1, 2]
    after = db.exec(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
    ).one()
    assert after == before + 2


def _counts(db) -> dict[str, int]:
    from workbench.offline.models import OfflineBase, OfflineCheckin

    tables = (WorkingPaper, OfflineCheckin, OfflineConflict, OfflineBase, AuditEntry, Evidence)
    return {t.__name__: db.exec(select(func.count()).select_from(t)).one() for t in tables}


def _edited_return(db, demo, tmp_path):
    paper = _first_paper(db, demo)
    _row, laptop = check_out(db, demo, tmp_path)
    _paper(laptop, id=paper.id)["title"] = "离线改过的标题"
    return paper, laptop, laptop.export(tmp_path)


def _rewrapped_as_return(checkout_path, folder):
    """The check-out package's own (server-signed) payload, written again as a return."""
    import zipfile

    from workbench.offline import package

    target = folder / "rewrapped.wbpkg"
    with (
        package.open_verified(checkout_path, passphrase=PASSPHRASE) as opened,
        zipfile.ZipFile(opened.payload) as source,
    ):
        members = {name: source.read(name) for name in source.namelist()}

    def fill(zf):
        for name, data in members.items():
            zf.writestr(name, data)

    package.write_package(
        target,
        kind="return",
        package_id="rewrapped",
        created_at="2026-12-01",
        passphrase=PASSPHRASE,
        fill=fill,
    )
    return target


def _flip(path, offset_from_end: int) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) - offset_from_end] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("tampered", "已被改动或损坏"),
        ("truncated", "不完整"),
        ("passphrase", "口令不正确"),
        ("not_package", "不是工作台的离线包"),
        ("checkout", "这是检出包，不是回传包"),
        ("rewrapped", "这是检出包，不是回传包"),  # its signed manifest under a return's header
    ],
)
def test_a_damaged_package_is_refused_with_nothing_written(db, demo, tmp_path, damage, message):
    paper, laptop, path = _edited_return(db, demo, tmp_path)
    passphrase = PASSPHRASE
    if damage == "tampered":
        _flip(path, 5_000 if path.stat().st_size > 10_000 else 200)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:-100])
    elif damage == "passphrase":
        passphrase = "另一个口令-2026"
    elif damage == "not_package":
        path.write_bytes(b"PK\x03\x04 not our package")
    elif damage == "checkout":
        path = next(tmp_path.glob("checkout-*.wbpkg"))
    elif damage == "rewrapped":
        path = _rewrapped_as_return(next(tmp_path.glob("checkout-*.wbpkg")), tmp_path)
    before = _counts(db)
    with pytest.raises(checkin_service.Refused, match=message):
        _checkin(db, demo, path, passphrase=passphrase)
    assert _counts(db) == before
    db.refresh(paper)
    assert paper.title != "离线改过的标题"
    assert not list(tmp_path.glob("**/offline-checkin-*"))


def test_a_package_from_another_server_is_refused(app, db, demo, tmp_path, monkeypatch):
    paper, laptop, path = _edited_return(db, demo, tmp_path)
    monkeypatch.setitem(app.config, "SECRET_KEY", "another server's secret key, not ours")
    before = _counts(db)
    with pytest.raises(checkin_service.Refused, match="不是本服务器检出"):
        _checkin(db, demo, path)
    assert _counts(db) == before


def test_a_forged_token_is_refused(db, demo, tmp_path):
    paper, laptop, _path = _edited_return(db, demo, tmp_path)
    laptop.manifest["engagement_id"] = demo.engagement.id + 1  # signed fields altered
    with pytest.raises(checkin_service.Refused, match="不是本服务器检出"):
        _checkin(db, demo, laptop.export(tmp_path))


def test_a_revoked_checkout_takes_no_return(db, demo, tmp_path):
    from workbench.offline import checkout as checkout_service

    paper = _first_paper(db, demo)
    row, laptop = check_out(db, demo, tmp_path)
    _paper(laptop, id=paper.id)["title"] = "离线改过的标题"
    checkout_service.revoke(db, actor=demo.users["demo-lead"], engagement=demo.engagement, row=row)
    with pytest.raises(checkin_service.Refused, match="已被项目负责人作废"):
        _checkin(db, demo, laptop.export(tmp_path))


def test_a_reviewer_cannot_check_out(db, demo, tmp_path):
    from workbench.core.errors import NotAllowed

    with pytest.raises(NotAllowed, match="只有项目负责人和评价人员"):
        check_out(db, demo, tmp_path, user="demo-reviewer")
    assert db.exec(select(func.count()).select_from(OfflineCheckout)).one() == 0


@pytest.mark.parametrize(
    ("device", "passphrase", "repeat", "message"),
    [
        ("", PASSPHRASE, PASSPHRASE, "请填写设备名称"),
        ("笔" * 61, PASSPHRASE, PASSPHRASE, "不能超过 60 个字符"),
        ("笔记本 A", "short", "short", "口令至少 8 个字符"),
        ("笔记本 A", PASSPHRASE, PASSPHRASE + "x", "两次输入的口令不一致"),
    ],
)
def test_bad_checkout_input_is_refused(db, demo, tmp_path, device, passphrase, repeat, message):
    from workbench.core.errors import ValidationFailed
    from workbench.offline import checkout as checkout_service

    out = tmp_path / "x.wbpkg"
    with pytest.raises(ValidationFailed, match=message):
        checkout_service.checkout(
            db,
            actor=demo.users["demo-evaluator"],
            engagement=demo.engagement,
            device=device,
            passphrase=passphrase,
            repeat=repeat,
            out=out,
        )
    assert not out.exists()


def test_scores_changed_offline_clear_the_leads_score_signoff(db, demo, tmp_path):
    from workbench.core.timeutil import utcnow
    from workbench.indicators.models import IndicatorSystem

    system = db.exec(
        select(IndicatorSystem).where(IndicatorSystem.engagement_id == demo.engagement.id)
    ).one()
    system.scores_signed_at, system.scores_signed_by_id = utcnow(), demo.users["demo-lead"].id
    db.add(system)
    db.flush()
    indicator = db.exec(
        select(Indicator).where(Indicator.engagement_id == demo.engagement.id)
    ).first()
    _row, laptop = check_out(db, demo, tmp_path)
    laptop.row("indicator", id=indicator.id)["actual"] = "离线核实的实际值"
    _checkin(db, demo, laptop.export(tmp_path))
    db.refresh(system)
    assert system.scores_signed_at is None
    cleared = db.exec(
        select(AuditEntry).where(AuditEntry.action == "scoring.signoff_cleared")
    ).one()
    assert "笔记本 A" in cleared.summary


@pytest.mark.parametrize("fault", ["wrong content", "no file"])
def test_a_file_that_is_not_what_its_name_says_is_refused_with_nothing_written(
    app, db, demo, tmp_path, fault
):
    from pathlib import Path

    from workbench.core.errors import ValidationFailed

    paper = _first_paper(db, demo)
    _row, laptop = check_out(db, demo, tmp_path)
    _paper(laptop, id=paper.id)["title"] = "离线改过的标题"
    claimed = hashlib.sha256(b"the scan the laptop took").hexdigest()
    _new_evidence(laptop, demo, paper.id, claimed, 24)
    files = {claimed: b"something else entirely!"} if fault == "wrong content" else {}
    before = _counts(db)
    message = "内容与其校验值不符" if fault == "wrong content" else "回传包缺少证据文件"
    path = laptop.export(tmp_path, files=files)
    # The page and the command roll their transaction back on a refusal; so does this savepoint.
    with pytest.raises(ValidationFailed, match=message), db.begin_nested():
        _checkin(db, demo, path)
    assert _counts(db) == before
    stored = Path(app.config["STORAGE_DIR"]) / claimed[:2] / claimed[2:4] / claimed
    assert not stored.exists()  # never kept under a name that is not its hash


def test_a_finding_edited_on_both_sides_can_keep_both(db, demo, tmp_path):
    finding = db.exec(
        select(Finding)
        .join(WorkingPaper, col(WorkingPaper.id) == Finding.paper_id)
        .where(WorkingPaper.engagement_id == demo.engagement.id)
    ).first()
    assert finding is not None, "the demo engagement records findings"
    _row, laptop = check_out(db, demo, tmp_path)
    laptop.row("paper_finding", id=finding.id)["text"] = "离线补充：另有两所学校账目未单列"
    finding.text = "服务器上改写的问题描述"
    db.add(finding)
    db.flush()

    result = _checkin(db, demo, laptop.export(tmp_path))

    assert result.summary["conflicts"] == 1
    conflict = db.exec(select(OfflineConflict)).one()
    assert conflict.label.startswith("发现的问题")
    assert [(f["label"], f["server"], f["offline"]) for f in conflict.fields] == [
        ("内容", "服务器上改写的问题描述", "离线补充：另有两所学校账目未单列")
    ]
    assert [value for value, _label in conflicts.choices(conflict)] == ["offline", "server", "both"]
    _resolve(db, demo, conflict, "both")
    db.flush()
    db.refresh(finding)
    assert finding.text == "服务器上改写的问题描述"
    copy = db.exec(select(Finding).where(Finding.text == "离线补充：另有两所学校账目未单列")).one()
    assert copy.paper_id == finding.paper_id and copy.id != finding.id
    # The same laptop's next package does not raise it again.
    assert _checkin(db, demo, laptop.export(tmp_path)).summary["conflicts"] == 0
