"""Packages for the check-in tests: a check-out as the server writes it, a laptop's return as
plain records (what `workbench offline export` writes), so each test states the laptop's edits."""

from __future__ import annotations

import json
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from workbench.offline import checkout as checkout_service
from workbench.offline import package

PASSPHRASE = "现场口令-2026"


@dataclass
class Laptop:
    """A checked-out package opened as the laptop holds it: manifest and records to edit."""

    manifest: dict
    merged: dict[str, list[dict]]
    reference: dict[str, list[dict]]

    def rows(self, table: str) -> list[dict]:
        return self.merged[table]

    def row(self, table: str, **match) -> dict:
        return next(r for r in self.merged[table] if all(r.get(k) == v for k, v in match.items()))

    def next_id(self, table: str) -> int:
        ids = [r["id"] for r in self.merged[table]] + [
            r["id"] for r in self.reference.get(table, [])
        ]
        return max(ids, default=0) + 1_000_000

    def export(
        self,
        folder: Path,
        *,
        audit: list[dict] = (),
        files: dict[str, bytes] | None = None,
        passphrase: str = PASSPHRASE,
        export_id: str | None = None,
    ) -> Path:
        manifest = {
            "format": 1,
            "kind": "return",
            **{k: self.manifest[k] for k in ("checkout", "token", "engagement_id", "issued_at")},
            "device": self.manifest["device"],
            "export_id": export_id or uuid.uuid4().hex,
            "exported_at": datetime.now(UTC).isoformat(),
            "exported_by": "测试",
        }
        target = folder / f"return-{manifest['export_id']}.wbpkg"

        def fill(zf: zipfile.ZipFile) -> None:
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
            zf.writestr(
                "records.json",
                json.dumps({"merged": self.merged, "audit": list(audit)}, ensure_ascii=False),
            )
            for sha, data in (files or {}).items():
                zf.writestr(f"files/{sha}", data)

        package.write_package(
            target,
            kind="return",
            package_id=manifest["export_id"],
            created_at=manifest["exported_at"],
            passphrase=passphrase,
            fill=fill,
        )
        return target


def check_out(db, demo, folder: Path, *, user="demo-evaluator", device="笔记本 A"):
    """Check the demo engagement out; returns the check-out row and the laptop's view of it."""
    path = folder / f"checkout-{uuid.uuid4().hex[:6]}.wbpkg"
    row = checkout_service.checkout(
        db,
        actor=demo.users[user],
        engagement=demo.engagement,
        device=device,
        passphrase=PASSPHRASE,
        repeat=PASSPHRASE,
        out=path,
    )
    db.flush()
    return row, open_laptop(path, folder)


def open_laptop(path: Path, folder: Path, passphrase: str = PASSPHRASE) -> Laptop:
    work = folder / f"open-{uuid.uuid4().hex[:6]}"
    opened = package.open_package(path, passphrase=passphrase, workdir=work)
    with zipfile.ZipFile(opened.payload_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        records = json.loads(zf.read("records.json"))
    return Laptop(manifest, records["merged"], records["reference"])
