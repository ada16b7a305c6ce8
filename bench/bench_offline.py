"""Offline fieldwork (issue 18): an engagement checked out to a laptop and its return package
checked in, each against a plain zip of the same files, in the same run.

A migrated SQLite instance with the demo; its engagement gets working papers up to 1,000 and 5,000
evidence files of 200 KB random bytes (1 GB; `--quick`: 100 papers, 500 files, 100 MB), written
straight into the local store's layout with their Blob rows. Then:
- check-out: `checkout()` (records read, bases kept, the zip encrypted as it is written, fsync)
  against a ZIP_STORED zip of the same 5,000 stored files (`zf.write` from their paths);
- check-in: a return package in which the laptop edited every paper's title and added 5,000 new
  files (1 GB of new random bytes, new evidence rows on the papers) — built untimed, as
  `workbench offline export` lays it out — then `checkin()` (verified, read decrypted as it is
  read, every file hashed and stored by two processes of their own while the records are merged;
  flushed, then rolled back, its files and the folders made for them removed) against a ZIP_STORED zip of those 5,000 files from disk, in three rounds of a zip and
  a check-in: the fastest of each is compared (this VM's disk varies one timing by up to 3×).
The check-out's baseline zip is made before and after it; the faster of the two is the baseline.
Every timing starts with its input files just read (`_warm`: both sides read from the page cache),
nothing left dirty by the setup and as much memory just freed as it will write (`_settled`).
Peak memory: the process's peak RSS above its RSS before each operation (Linux: VmHWM after
resetting it through /proc/self/clear_refs; elsewhere ru_maxrss, which only shows a new peak).
Targets: each operation ≤ 2× its zip; memory is reported, not judged.
Usage: python bench/bench_offline.py [--quick]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from helpers import bench_row
from sqlalchemy import func, insert, select
from sqlmodel import Session

from workbench import create_app, migrate
from workbench.accounts.models import User
from workbench.core.blobstore.local import LocalStore
from workbench.core.storage import Blob
from workbench.db import ENGINE_KEY
from workbench.demo.loader import DEMO_TITLE, load_demo
from workbench.engagements.models import Engagement
from workbench.fieldwork import numbering
from workbench.fieldwork.models import Evidence, WorkingPaper
from workbench.offline import package
from workbench.offline.checkin import checkin
from workbench.offline.checkout import checkout

PASSPHRASE = "现场口令-bench"
FILE_BYTES = 200_000
TARGET = "≤ 2× a plain ZIP_STORED zip of the same files (flushed to disk, as the package is)"
BOUNDED = "bounded: ≪ the files' size (the baseline)"
AREA_SIZE = 900  # papers per index area (a sequence runs to 999)
ROUNDS = 3  # check-ins (and zips) timed; the fastest of each is compared


def _rss_reset() -> float:
    """Start a new peak and return the RSS now (MB)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak() -> float:
    try:
        return _status("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise OSError(field)


def _write_files(folder: Path, count: int, rnd: random.Random, *, layout) -> list[str]:
    """`count` files of random bytes, each at `layout(folder, sha)`; their hashes in order."""
    shas = []
    for _ in range(count):
        data = rnd.randbytes(FILE_BYTES)
        sha = hashlib.sha256(data).hexdigest()
        path = layout(folder, sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        shas.append(sha)
    return shas


def _settled(folder: Path, megabytes: int) -> None:
    """Before a timing: write out what the setup left dirty (an fsync in the timed part would
    wait for it), then write and delete `megabytes` of scratch data. This VM hands memory that has
    been free for a few seconds back to its host, and a write into such pages ran at 4–6 s per GB
    against 0.25 s into pages just freed: primed, each side writes at the speed of the disk cache
    instead of the host's page faults."""
    os.sync()
    scratch = folder / "scratch"
    block = bytes(1 << 20)
    with scratch.open("wb") as out:
        for _ in range(megabytes):
            out.write(block)
    scratch.unlink()


def _megabytes(paths: list[Path]) -> int:
    return sum(path.stat().st_size for path in paths) // 1_000_000 + 1


def _warm(paths: list[Path]) -> None:
    """Read the files once: each side finds its inputs in the page cache."""
    for path in paths:
        with path.open("rb") as fh:
            while fh.read(1 << 20):
                pass


def _plain_zip(target: Path, files: list[Path], *, flush: bool = True) -> float:
    """A plain ZIP_STORED zip of the files; flushed to disk (fsync) as the package is, unless
    `flush` is False (then its pages may still be in memory when the clock stops)."""
    _warm(files)
    _settled(target.parent, _megabytes(files))
    start = time.perf_counter()
    with open(target, "wb") as out:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            for path in files:
                zf.write(path, f"files/{path.name}")
        if flush:
            out.flush()
            os.fsync(out.fileno())
    elapsed = time.perf_counter() - start
    target.unlink()
    return elapsed


def _remove(store: LocalStore, shas: list[str]) -> None:
    """Take a check-in's files out of the store, and the folders it made for them: the next
    round writes into the store as the first did."""
    for sha in shas:
        path = store.path(sha)
        path.unlink(missing_ok=True)
        for folder in (path.parent, path.parent.parent):
            with contextlib.suppress(OSError):  # not empty: the server's files are there too
                folder.rmdir()


def _plain_unzip(target: Path, files: list[Path], dest: Path) -> float:
    """Unpacking a plain zip of the files into a folder laid out as the store (ab/cd/<sha>): the
    like-for-like of a check-in's files, which end as thousands of files, not one."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for path in files:
            zf.write(path, f"{path.name[:2]}/{path.name[2:4]}/{path.name}")
    _warm([target])
    _settled(target.parent, _megabytes(files))
    start = time.perf_counter()
    with zipfile.ZipFile(target) as zf:
        zf.extractall(dest)
    os.sync()  # flushed to disk, as a check-in's files are
    elapsed = time.perf_counter() - start
    target.unlink()
    shutil.rmtree(dest)
    return elapsed


def _fill(db: Session, engagement: Engagement, papers: int, shas: list[str], user_id: int) -> None:
    """Papers up to `papers` in the engagement (copies of a demo paper), one evidence per file."""
    paper_t, evidence_t, blob_t = WorkingPaper.__table__, Evidence.__table__, Blob.__table__
    conn = db.connection()
    template = dict(
        conn.execute(
            select(paper_t).where(paper_t.c.engagement_id == engagement.id).order_by(paper_t.c.id)
        )
        .first()
        ._mapping
    )
    have = conn.execute(
        select(func.count()).where(paper_t.c.engagement_id == engagement.id)
    ).scalar_one()
    template.pop("id")
    rows = []
    for i in range(papers - have):
        area = f"{90 + i // AREA_SIZE:02d}"
        seq = i % AREA_SIZE + 1
        index_no = numbering.format_index(template["stage"], area, seq)
        rows.append(
            {
                **template,
                "index_no": index_no,
                "area": area,
                "seq": seq,
                "title": f"现场核查记录 {i + 1}",
            }
        )
    if rows:
        conn.execute(insert(paper_t), rows)
    paper_ids = list(
        conn.execute(select(paper_t.c.id).where(paper_t.c.engagement_id == engagement.id)).scalars()
    )
    now = datetime.now(UTC)
    conn.execute(
        insert(blob_t),
        [
            {"sha256": sha, "size": FILE_BYTES, "mime": "image/jpeg", "created_at": now}
            for sha in shas
        ],
    )
    conn.execute(
        insert(evidence_t),
        [
            {
                "engagement_id": engagement.id,
                "paper_id": paper_ids[i % len(paper_ids)],
                "sha256": sha,
                "name": f"现场照片-{i + 1}.jpg",
                "extension": "jpg",
                "mime": "image/jpeg",
                "size": FILE_BYTES,
                "source": "现场拍摄",
                "uploaded_by_id": user_id,
                "uploaded_via": "user",
                "created_at": now,
            }
            for i, sha in enumerate(shas)
        ],
    )
    db.commit()


def _return_package(checkout_path: Path, work: Path, files: list[Path], user_id: int) -> Path:
    """The laptop's export: every paper's title edited, one new evidence row per file."""
    opened = package.open_package(checkout_path, passphrase=PASSPHRASE, workdir=work / "open")
    with zipfile.ZipFile(opened.payload_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        records = json.loads(zf.read("records.json"))
    shutil.rmtree(work / "open")
    merged = records["merged"]
    papers = merged["working_paper"]
    for paper in papers:
        paper["title"] = (paper["title"] + "（现场核实）")[:200]
    next_id = max([r["id"] for r in merged["evidence"]], default=0) + 1_000_000
    for i, path in enumerate(files):
        merged["evidence"].append(
            {
                "id": next_id + i,
                "engagement_id": manifest["engagement_id"],
                "paper_id": papers[i % len(papers)]["id"],
                "request_item_id": None,
                "sha256": path.name,
                "name": f"笔记本照片-{i + 1}.jpg",
                "extension": "jpg",
                "mime": "image/jpeg",
                "size": FILE_BYTES,
                "captured_at": "2026-12-10T02:03:04+00:00",
                "source": "现场拍摄",
                "note": "",
                "uploaded_by_id": user_id,
                "uploaded_via": "user",
                "created_at": "2026-12-10T02:05:00+00:00",
            }
        )
    back = {
        "format": 1,
        "kind": "return",
        **{k: manifest[k] for k in ("checkout", "token", "engagement_id", "issued_at", "device")},
        "export_id": uuid.uuid4().hex,
        "exported_at": datetime.now(UTC).isoformat(),
        "exported_by": "bench",
    }

    def fill(zf: zipfile.ZipFile) -> None:
        zf.writestr("manifest.json", json.dumps(back, ensure_ascii=False))
        zf.writestr("records.json", json.dumps({"merged": merged, "audit": []}, ensure_ascii=False))
        for path in files:
            zf.write(path, f"files/{path.name}", compress_type=zipfile.ZIP_STORED)

    target = work / "return.wbpkg"
    package.write_package(
        target,
        kind="return",
        package_id=back["export_id"],
        created_at=back["exported_at"],
        passphrase=PASSPHRASE,
        fill=fill,
    )
    return target


def run(quick: bool) -> list[dict]:
    papers, count = (100, 500) if quick else (1_000, 5_000)
    rnd = random.Random(18)
    root = Path(tempfile.mkdtemp(prefix="bench-offline-"))
    try:
        app = create_app({"INSTANCE_PATH": root / "instance", "QUEUE_URL": "memory://"})
        engine = app.extensions[ENGINE_KEY]
        migrate.upgrade(engine)
        store = LocalStore(Path(app.config["STORAGE_DIR"]))
        with app.app_context(), Session(engine, expire_on_commit=False) as db:
            load_demo(db, password="demo12345")
            db.commit()
            engagement = db.execute(
                select(Engagement).where(Engagement.title == DEMO_TITLE)
            ).scalar_one()
            user = db.execute(select(User).where(User.username == "demo-evaluator")).scalar_one()
            stored = _write_files(store.root, count, rnd, layout=lambda _f, sha: store.path(sha))
            _fill(db, engagement, papers, stored, user.id)
            stored_paths = [store.path(sha) for sha in stored]

            out = root / "checkout.wbpkg"
            zip_out = [_plain_zip(root / "baseline-out.zip", stored_paths)]
            _warm(stored_paths)
            _settled(root, _megabytes(stored_paths))
            before = _rss_reset()
            start = time.perf_counter()
            row = checkout(
                db,
                actor=user,
                engagement=engagement,
                device="笔记本 A",
                passphrase=PASSPHRASE,
                repeat=PASSPHRASE,
                out=out,
            )
            db.commit()
            took_out = time.perf_counter() - start
            mem_out = _peak() - before
            zip_out.append(_plain_zip(root / "baseline-out.zip", stored_paths))
            carried = (row.records, row.files)
            assert row.files >= count, carried
            size_out = out.stat().st_size

            laptop = root / "laptop"
            new = _write_files(laptop, count, rnd, layout=lambda f, sha: f / sha)
            new_paths = [laptop / sha for sha in new]
            back = _return_package(out, root, new_paths, user.id)
            out.unlink()
            # Three rounds, each a zip and a check-in (rolled back, its files removed): this VM's
            # disk makes one timing vary by up to 3×, and the fastest of each is the comparison.
            zip_in, took, mem_in = [], [], None
            for _round in range(ROUNDS):
                zip_in.append(_plain_zip(root / "baseline-in.zip", new_paths))
                _warm([back])
                _settled(root, 2 * _megabytes([back]))  # the decrypted payload, then the files
                before = _rss_reset()
                start = time.perf_counter()
                done = checkin(
                    db, actor=user, path=back, passphrase=PASSPHRASE, engagement=engagement
                )
                db.flush()
                took.append(time.perf_counter() - start)
                mem_in = max(mem_in or 0.0, _peak() - before)
                summary = done.summary
                db.rollback()
                _remove(store, new)
            took_in = min(took)
            unflushed = _plain_zip(root / "baseline-in.zip", new_paths, flush=False)
            unzip_in = _plain_unzip(root / "baseline-unzip.zip", new_paths, root / "unzipped")
            assert summary["added"].get("证据") == count, summary
            assert summary["updated"].get("底稿") == papers, summary
            assert summary["files"] == count and summary["conflicts"] == 0, summary
            size_in = back.stat().st_size
        engine.dispose()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    base_out, base_in = min(zip_out), min(zip_in)
    print(
        f"  check-out {took_out:.2f} s (zip {base_out:.2f} s; package {size_out / 1e6:.0f} MB, "
        f"{carried[0]} records, {carried[1]} files), peak RSS +{mem_out:.0f} MB\n"
        f"  check-in {took_in:.2f} s (rounds {', '.join(f'{t:.2f}' for t in took)}; zip "
        f"{base_in:.2f} s, rounds {', '.join(f'{t:.2f}' for t in zip_in)}; unflushed {unflushed:.2f} s, "
        f"unzip {unzip_in:.2f} s; "
        f"package {size_in / 1e6:.0f} MB), "
        f"peak RSS +{mem_in:.0f} MB",
        flush=True,
    )
    data_mb = count * FILE_BYTES / 1e6  # the memory rows' baseline: the files carried
    label = f"{papers} papers, {count} files of {FILE_BYTES // 1000} KB"
    return [
        bench_row(f"offline check-out, {label}", took_out, "s", base_out, TARGET),
        bench_row(f"offline check-in, {label} added", took_in, "s", base_in, TARGET),
        bench_row(
            f"offline check-in against unzipping, {label} added",
            took_in,
            "s",
            unzip_in,
            "≤ 2× unzipping a plain zip of the same files into the store's layout",
        ),
        bench_row(f"offline check-out peak RSS growth, {label}", mem_out, "MB", data_mb, BOUNDED),
        bench_row(f"offline check-in peak RSS growth, {label}", mem_in, "MB", data_mb, BOUNDED),
    ]


if __name__ == "__main__":
    for result in run("--quick" in sys.argv):
        print(result)
