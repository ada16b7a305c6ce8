"""A checkout package of the demo engagement in the format the server writes (issue 18), built
here from `scope.collect` so the laptop tests do not depend on the check-out service; and the
laptop's app over an unpacked folder."""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path

from flask import Flask
from sqlalchemy import Connection, select

from workbench import create_app
from workbench.core import storage
from workbench.core.blobstore.local import LocalStore
from workbench.core.timeutil import utcnow
from workbench.engagements.models import Engagement
from workbench.offline import laptop, package, scope, tokens

PASSPHRASE = "野外口令-2026"
DEVICE = "笔记本 X"
SERVER_SECRET = "server-secret"


def demo_engagement_id(conn: Connection) -> int:
    from workbench.demo.loader import DEMO_TITLE

    tbl = Engagement.__table__
    return conn.execute(select(tbl.c.id).where(tbl.c.title == DEMO_TITLE)).scalar_one()


def write_checkout(
    conn: Connection,
    engagement_id: int,
    out: Path,
    *,
    passphrase: str = PASSPHRASE,
    kind: str = "checkout",
) -> tuple[dict, dict]:
    """Write a checkout package of the engagement (in an app context: files come from storage);
    returns its manifest and records as the package holds them."""
    snap = scope.collect(conn, engagement_id)
    engagement = snap.reference["engagement"][0]
    issued_at = utcnow().isoformat()
    checkout = uuid.uuid4().hex
    fields = {"checkout": checkout, "engagement_id": engagement_id, "issued_at": issued_at}
    blobs = [sha for sha in snap.blobs() if storage.exists(sha)]
    manifest = {
        "format": 1,
        "kind": "checkout",
        **fields,
        "engagement_title": engagement["title"],
        "device": DEVICE,
        "issued_by": "张三",
        "server": "测试服务器",
        "token": tokens.sign(SERVER_SECRET, fields),
        "team_ids": sorted(snap.team_ids),
        "blobs": blobs,
        "counts": {name: len(rows) for name, rows in snap.merged.items()},
    }
    records = {
        "merged": {n: [scope.plain_row(r) for r in rows] for n, rows in snap.merged.items()},
        "reference": {n: [scope.plain_row(r) for r in rows] for n, rows in snap.reference.items()},
    }
    store = storage.backend()
    assert isinstance(store, LocalStore)

    def fill(zf: zipfile.ZipFile) -> None:
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
        zf.writestr("records.json", json.dumps(records, ensure_ascii=False))
        for sha in blobs:
            zf.write(store.path(sha), f"files/{sha}", compress_type=zipfile.ZIP_STORED)

    package.write_package(
        out,
        kind=kind,
        package_id=checkout,
        created_at=issued_at,
        passphrase=passphrase,
        fill=fill,
    )
    return manifest, records


def laptop_app(folder: Path) -> Flask:
    """The app `workbench offline open` serves from this folder, with the suite's test settings."""
    return create_app(
        {
            **laptop.app_config(folder),
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "LOGIN_LIMIT": "100000 per minute",
            "QUEUE_URL": "memory://",
            "OFFLINE_PUBLIC_URL": "http://192.168.137.1:5000",
        }
    )


def open_return(path: Path, workdir: Path, passphrase: str = PASSPHRASE) -> dict:
    """A return package's header, manifest, records and file names."""
    opened = package.open_package(path, passphrase=passphrase, workdir=workdir)
    with zipfile.ZipFile(opened.payload_path) as zf:
        return {
            "header": opened.header,
            "manifest": json.loads(zf.read("manifest.json")),
            "records": json.loads(zf.read("records.json")),
            "files": {
                n.removeprefix("files/"): zf.read(n)
                for n in zf.namelist()
                if n.startswith("files/")
            },
        }


def rows(app: Flask, model, *where) -> list:
    """The laptop's rows of a table model (its own database, outside any request)."""
    from sqlmodel import Session
    from sqlmodel import select as model_select

    from workbench.db import ENGINE_KEY

    with Session(app.extensions[ENGINE_KEY]) as session:
        return list(session.exec(model_select(model).where(*where)).all())
