"""A subscriber syncing 10,000 hub indicators of which 1,000 changed, against importing the same
published set as a signed offline pack file (issue 20).

A hub database (migrated SQLite) holds 10,000 indicators published by one member; a subscriber
database has already synced them all (10,000 updates recorded). Then 1,000 of them change on the
hub. The subscriber database is copied twice: on one copy the subscriber syncs through the hub
protocol (httpx against the hub app, in-process through a WSGI transport: JSON both ways, the
member key checked, the feed paged by the cursor), on the other it imports the hub's signed pack
file of the whole published set (signature verified, 10,000 items read, 1,000 taken). Both end in
the same state. Target: sync ≤ 2× the pack import, measured in the same run.
Usage: python bench/bench_hub_sync.py [--quick]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import httpx
from helpers import bench_row
from sqlmodel import Session, func, select

from workbench import create_app, migrate
from workbench.accounts.models import Organisation
from workbench.db import make_engine
from workbench.hub import hub_side, services, sync
from workbench.hub.client import HubClient
from workbench.hub.models import HubConnection, HubUpdate
from workbench.hub.schemas import MAX_PUBLISH, ItemContent, PublishItem
from workbench.library.content import LeafContent

SECRET = "bench-secret"
URL = "http://127.0.0.1"
BASE = LeafContent(
    level1="产出",
    level2="产出质量",
    name="",
    definition="抽查的对象中检查合格的比例，用以反映管理水平。",
    points=("核实检查记录", "抽查现场"),
    evidence=("检查记录表",),
    standard_type="行业标准",
    rule="ratio",
    weight=Decimal("4.00"),
    target="100%",
    scoring="得分＝合格率×分值。",
    tags=("质量",),
)


def _items(count: int, *, revised: int = 0) -> list[PublishItem]:
    found = []
    for i in range(count):
        data = replace(BASE, name=f"第{i}项检查合格率")
        if i < revised:
            data = replace(data, definition=data.definition + "（修订：补充抽样口径）")
        columns = {**data.columns(), "weight": data.weight}
        found.append(
            PublishItem(
                origin_key=f"bench.{i}",
                sector="教育",
                engagement_types=["project"],
                content=ItemContent.model_validate(columns),
            )
        )
    return found


def _publish(db: Session, member, items: list[PublishItem]) -> None:
    for start in range(0, len(items), MAX_PUBLISH):
        hub_side.publish(db, member=member, items=items[start : start + MAX_PUBLISH])
    db.commit()


def _subscriber(path: Path, key: str) -> None:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as db:
        org = Organisation(name="订阅机构", kind="agency")
        db.add(org)
        db.flush()
        db.add(
            HubConnection(
                org_id=org.id,
                url=URL,
                key_secret=services._fernet(SECRET).encrypt(key.encode()).decode(),
            )
        )
        db.commit()
    engine.dispose()


def _connection(db: Session) -> HubConnection:
    return db.exec(select(HubConnection)).one()


def run(quick: bool) -> list[dict]:
    size, changed = (1_000, 100) if quick else (10_000, 1_000)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        hub_app = create_app(
            {
                "INSTANCE_PATH": root / "hub",
                "DATABASE_URL": f"sqlite:///{root / 'hub.db'}",
                "HUB_MODE": True,
                "SECRET_KEY": SECRET,
                "QUEUE_URL": "memory://",
            }
        )
        hub_engine = make_engine(f"sqlite:///{root / 'hub.db'}")
        migrate.upgrade(hub_engine)
        with Session(hub_engine, expire_on_commit=False) as db:
            member, _ = hub_side.create_member(db, actor=None, name="发布机构")
            _, key = hub_side.create_member(db, actor=None, name="订阅机构")
            _publish(db, member, _items(size))
        transport = httpx.WSGITransport(app=hub_app)

        first = root / "subscriber.db"
        _subscriber(first, key)
        engine = make_engine(f"sqlite:///{first}")
        with Session(engine, expire_on_commit=False) as db:
            with HubClient(URL, key, transport=transport) as client:
                sync.sync(db, actor=None, connection=_connection(db), client=client)
            db.commit()
        engine.dispose()

        with Session(hub_engine, expire_on_commit=False) as db:
            member = db.get(type(member), member.id)
            _publish(db, member, _items(size, revised=changed))
            pack = hub_side.pack_file(db, instance=root / "hub")
        hub_engine.dispose()
        shutil.copy(first, root / "by-sync.db")
        shutil.copy(first, root / "by-pack.db")

        timings = {}
        for name in ("by-sync", "by-pack"):
            engine = make_engine(f"sqlite:///{root / name}.db")
            with Session(engine, expire_on_commit=False) as db:
                connection = _connection(db)
                if name == "by-pack":
                    connection.public_key = _public(root / "hub")
                    db.commit()
                start = time.perf_counter()
                if name == "by-sync":
                    with HubClient(URL, key, transport=transport) as client:
                        done = sync.sync(db, actor=None, connection=connection, client=client)
                    assert done.ok and done.received.new + done.received.changed == changed, (
                        done.summary()
                    )
                else:
                    got = sync.import_pack(db, actor=None, connection=connection, data=pack)
                    assert got.new + got.changed == changed, got.summary()
                db.commit()
                timings[name] = time.perf_counter() - start
                pending = db.exec(select(func.count()).where(HubUpdate.hub_version == 2)).one()
                assert pending == changed
            engine.dispose()
    print(
        f"  sync {timings['by-sync']:.2f} s, pack import {timings['by-pack']:.2f} s "
        f"({size} indicators, {changed} changed, pack {len(pack) / 1e6:.1f} MB)",
        flush=True,
    )
    return [
        bench_row(
            f"hub sync, {size} indicators with {changed} changed",
            timings["by-sync"],
            "s",
            timings["by-pack"],
            "≤ 2× the signed pack import",
        )
    ]


def _public(instance: Path) -> str:
    from workbench.hub import signing

    return signing.public_key_text(hub_side.signing_key(instance))


if __name__ == "__main__":
    for row in run("--quick" in sys.argv):
        print(row)
