"""The archive zip's manifest (SHA-256 and metadata of every file) and its verification (pure)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FORMAT = "workbench-archive/1"
# The post-archive addendum: its own manifest, chained to the original by that file's SHA-256.
ADDENDUM_DIR = "addendum/"
ADDENDUM_MANIFEST = "addendum/manifest.json"
ADDENDUM_FORMAT = "workbench-archive-addendum/1"
CHUNK = 1 << 20


@dataclass
class Verification:
    """What `workbench archive verify` found: problems are tampered, missing or extra files."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    addendum: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _hash_member(zf: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with zf.open(name) as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _read_manifest(zf: zipfile.ZipFile, result: Verification) -> dict | None:
    try:
        data = json.loads(zf.read(MANIFEST))
    except KeyError:
        result.problems.append(f"缺少清单文件 {MANIFEST}")
        return None
    except (json.JSONDecodeError, UnicodeDecodeError):
        result.problems.append(f"清单文件 {MANIFEST} 不是有效的 JSON")
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        result.problems.append(f"清单格式不是 {FORMAT}")
        return None
    files = data.get("files")
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("sha256"), str)
        for f in files
    ):
        result.problems.append("清单中的文件列表格式有误")
        return None
    return data


def verify_zip(path: Path) -> Verification:
    """Check every file of an archive zip against its manifest (hash and size), and for extras."""
    result = Verification()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        result.problems.append(f"无法打开档案包：{error}")
        return result
    with zf:
        names = [info.filename for info in zf.infolist() if not info.is_dir()]
        for name, count in Counter(names).items():
            if count > 1:
                result.problems.append(f"文件名重复（可能被追加篡改）：{name}")
        data = _read_manifest(zf, result)
        if data is None:
            return result
        result.manifest = data
        listed = set()
        files = list(data["files"])
        if ADDENDUM_MANIFEST in names:
            addendum = _read_addendum(zf, result)
            listed.add(ADDENDUM_MANIFEST)
            if addendum is not None:
                result.addendum = addendum
                files += addendum["files"]
        for entry in files:
            name = entry["path"]
            listed.add(name)
            if name not in names:
                result.problems.append(f"缺失：{name}")
                continue
            try:
                sha, size = _hash_member(zf, name)
            except (zipfile.BadZipFile, OSError, ValueError) as error:
                result.problems.append(f"无法读取：{name}（{error}）")
                continue
            result.checked += 1
            if sha != entry["sha256"]:
                result.problems.append(f"已被篡改（SHA-256 不符）：{name}")
            elif "size" in entry and entry["size"] != size:
                result.problems.append(f"已被篡改（大小不符）：{name}")
        for name in sorted(set(names) - listed - {MANIFEST}):
            result.problems.append(f"清单之外的文件：{name}")
    return result


def _read_addendum(zf: zipfile.ZipFile, result: Verification) -> dict | None:
    """The addendum's manifest, checked for its link to the original manifest."""
    try:
        data = json.loads(zf.read(ADDENDUM_MANIFEST))
    except (json.JSONDecodeError, UnicodeDecodeError):
        result.problems.append(f"补充件清单 {ADDENDUM_MANIFEST} 不是有效的 JSON")
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("format") != ADDENDUM_FORMAT
        or not isinstance(files, list)
        or not all(
            isinstance(f, dict)
            and isinstance(f.get("path"), str)
            and f["path"].startswith(ADDENDUM_DIR)
            and isinstance(f.get("sha256"), str)
            for f in files
        )
    ):
        result.problems.append(f"补充件清单格式不是 {ADDENDUM_FORMAT}")
        return None
    previous = data.get("previous") or {}
    original = hashlib.sha256(zf.read(MANIFEST)).hexdigest()
    if not isinstance(previous, dict) or previous.get("sha256") != original:
        result.problems.append(
            "补充件与原档案包清单的哈希链不符（原清单已被改动或补充件不属于本档案包）"
        )
    return data
