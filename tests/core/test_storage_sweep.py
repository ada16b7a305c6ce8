"""`workbench storage sweep` (core/storage_sweep.py): files no record holds — left by a check-in
or an upload that did not finish — removed once untouched for a while; everything else kept."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import Session

from tests.core.test_storage_cli import instance  # noqa: F401 - the CLI's own instance folder
from workbench import cli
from workbench.core import storage
from workbench.core.blobstore.local import LocalStore
from workbench.core.storage import Blob
from workbench.core.storage_sweep import sweep
from workbench.db import make_engine

DAY = timedelta(hours=24)
# The folder store is the test session's: only these tests age files, and each asserts on its own.
TWO_DAYS_AGO = time.time() - 2 * 86400


def _content(label: str) -> tuple[str, bytes]:
    data = f"{label} {time.time_ns()} 现场照片".encode() * 40
    return hashlib.sha256(data).hexdigest(), data


def _aged(store: LocalStore, sha: str) -> None:
    os.utime(store.path(sha), (TWO_DAYS_AGO, TWO_DAYS_AGO))


def test_old_files_without_a_row_go_and_everything_else_stays(app, db):
    with app.app_context():
        store = storage.backend()
        assert isinstance(store, LocalStore)
        held_sha, held = _content("held")
        storage.store(db, held)
        db.commit()  # its row is there for the sweep
        orphan_sha, orphan = _content("orphan")
        young_sha, young = _content("young")
        store.put(orphan_sha, orphan)
        store.put(young_sha, young)
        for sha in (held_sha, orphan_sha):
            _aged(store, sha)
        temp = store.path(orphan_sha).parent / ".upload-killed-while-writing"
        temp.write_bytes(b"half a file")
        os.utime(temp, (TWO_DAYS_AGO, TWO_DAYS_AGO))

        tried = sweep(db, older_than=DAY, dry_run=True)
        assert store.exists(orphan_sha) and temp.exists()  # a dry run removes nothing
        done = sweep(db, older_than=DAY)

    assert (tried.found, tried.removed, tried.size) == (1, 0, len(orphan))
    assert (done.found, done.removed, done.leftovers) == (1, 1, 1)
    assert not store.exists(orphan_sha) and not temp.exists()
    assert store.exists(held_sha) and store.exists(young_sha)


def test_a_file_without_a_row_that_is_stored_again_is_kept(app, db):
    with app.app_context():
        store = storage.backend()
        sha, data = _content("reused")
        store.put(sha, data)  # left by a check-in killed two days ago
        _aged(store, sha)
        storage.store(db, data)  # a new upload of the same bytes finds it: touched, not rewritten
        sweep(db, older_than=DAY)
    assert store.exists(sha) and store.modified(sha) > TWO_DAYS_AGO


def test_a_bucket_is_swept_the_same_way(app, db, on_s3):
    with app.app_context():
        store = storage.backend()
        held_sha, held = _content("held in the bucket")
        storage.store(db, held)
        db.commit()
        orphan_sha, orphan = _content("orphan in the bucket")
        store.put(orphan_sha, orphan)
        before = store.modified(orphan_sha)
        store.touch(orphan_sha)
        assert store.modified(orphan_sha) >= before
        later = time.time() + 2 * 86400  # a bucket's times cannot be set back: the sweep runs later
        swept = sweep(db, older_than=DAY, now=later)
    assert (swept.found, swept.removed, swept.size) == (1, 1, len(orphan))
    assert not store.exists(orphan_sha) and store.exists(held_sha)


def test_the_command_says_what_it_found_and_removed(instance):  # noqa: F811
    runner = CliRunner()
    assert runner.invoke(cli.main, ["db", "upgrade"]).exit_code == 0
    store = LocalStore(Path(instance) / "storage")
    held_sha, held = _content("held by the command's database")
    orphan_sha, orphan = _content("left over")
    for sha, data in ((held_sha, held), (orphan_sha, orphan)):
        store.put(sha, data)
        _aged(store, sha)
    engine = make_engine(f"sqlite:///{Path(instance) / 'workbench.db'}")
    with Session(engine) as session:
        session.add(Blob(sha256=held_sha, size=len(held)))
        session.commit()
    engine.dispose()

    tried = runner.invoke(cli.main, ["storage", "sweep", "--dry-run"])
    assert tried.exit_code == 0, tried.output
    assert "没有记录引用的文件 1 个" in tried.output and "未删除" in tried.output
    assert store.exists(orphan_sha)
    done = runner.invoke(cli.main, ["storage", "sweep"])
    assert done.exit_code == 0, done.output
    assert "已删除没有记录引用的文件 1 个（共找到 1 个" in done.output
    assert not store.exists(orphan_sha) and store.exists(held_sha)
    refused = runner.invoke(cli.main, ["storage", "sweep", "--hours", "0"])
    assert refused.exit_code == 2 and "--hours" in refused.output
