"""Configuration: defaults, then WORKBENCH_* environment variables, then an explicit mapping."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from workbench.core.blobstore import parse_url

ENV_PREFIX = "WORKBENCH_"

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "STORAGE_DIR": None,  # None: <instance>/storage
    # Where stored files live: None (the STORAGE_DIR folder), file:///abs/path or
    # s3://bucket/prefix (S3-compatible; credentials and region the usual boto3 way).
    "STORAGE_URL": None,
    "S3_ENDPOINT_URL": None,  # MinIO, Ceph RGW, OSS/COS/OBS…; None: boto3's (AWS_ENDPOINT_URL_S3)
    # S3 only: downloads answer a redirect to a presigned URL (clients must reach the store).
    "STORAGE_PRESIGNED_DOWNLOADS": False,
    "STORAGE_PRESIGNED_SECONDS": 300,
    "MAX_UPLOAD_MB": 50,
    "MAX_JSON_KB": 5120,  # JSON bodies (uploads are multipart and capped by MAX_UPLOAD_MB)
    "DEMO_PASSWORD": "demo12345",
    "LOGIN_LIMIT": "5 per minute;20 per hour",  # per client and, for failures, per account
    "RATELIMIT_STORAGE_URI": "memory://",  # per process: several workers share redis://…
    "TRUSTED_PROXIES": 0,  # reverse proxies in front whose X-Forwarded-* headers are believed
    "REMEMBER_DAYS": 30,  # how long a "remember me" login lasts
    "DEFAULT_LOCALE": "zh",
    "PAGE_SIZE": 20,
    "TOKEN_DAYS": 90,
    "BENCHMARK_STALE_YEARS": 3,
    "RETENTION_YEARS": 10,
    "RECTIFICATION_FEEDBACK_DAYS": 20,
    "RECTIFICATION_DAYS": 30,
    # Open rectification items at 完成归档: "warn" (listed, archive allowed; the follow-up stays
    # open after the archive) or "block" (every item rectified first).
    "ARCHIVE_OPEN_RECTIFICATION": "warn",
    # 事前评估 conclusion bands, e.g. "予以支持:80; 调整后支持:60; 不予支持:0" (lower bounds
    # inclusive); None: workbench.reports.ex_ante.DEFAULT_BANDS_TEXT, which is exactly that.
    "EX_ANTE_BANDS": None,
    "SURVEY_SUBMIT_LIMIT": "60 per minute;1000 per hour",
    "SURVEY_IMPORT_BACKGROUND_ROWS": 5000,
    "SESSION_COOKIE_SECURE": False,
    "SMTP_HOST": None,
    "SMTP_PORT": 25,
    "SMTP_FROM": None,
    # Where background jobs wait (workbench/core/jobs.py): None: <instance>/queue.sqlite3;
    # redis://… or postgresql://… when several nodes share the work.
    "QUEUE_URL": None,
    # Jobs with a state row (reports, PDFs, survey imports; workbench/core/job_rows.py): an attempt
    # running longer than JOB_TIME_LIMIT seconds is taken as lost and queued again by the sweep; a
    # transient fault is retried after JOB_RETRY_SECONDS, then twice that…, JOB_MAX_ATTEMPTS in all.
    "JOB_TIME_LIMIT": 900,
    "JOB_RETRY_SECONDS": 30,
    "JOB_MAX_ATTEMPTS": 3,
    "LOG_FORMAT": "text",  # "json": one JSON object per line, with the request id
    # Webhooks may call public addresses only, plus these networks (e.g. "10.0.0.0/8").
    "WEBHOOK_ALLOWED_NETWORKS": "",
    "WEBHOOK_TIMEOUT": 10,  # seconds per attempt
    "WEBHOOK_RETRY_SECONDS": 60,  # the first retry's wait; each next one doubles it
    "WEBHOOK_MAX_ATTEMPTS": 8,
    # The association hub (workbench/hub): HUB_MODE serves /hub/v1 to member instances; a member
    # connects from its 行业指标库 page (HUB_URL is the address offered there).
    "HUB_MODE": False,
    "HUB_URL": "",
    "HUB_MIN_GROUP": 5,  # engagements behind a shared statistic, below which it is not shown
    "HUB_TIMEOUT": 20,  # seconds per request to the hub
    "HUB_ALLOW_LOOPBACK_HTTP": False,  # tests only: http:// to 127.0.0.1 / localhost
    # An offline instance (a laptop in the field, workbench/offline): the address phones on the
    # laptop's hotspot reach it at, for survey links and QR codes; "" means the address
    # `workbench offline open` chose.
    "OFFLINE_PUBLIC_URL": "",
    # The server's 导入回传包 form: the largest return package it takes (a laptop's photos and
    # scans of a whole fieldwork stage), far above MAX_UPLOAD_MB; only a carrier's upload gets it.
    "OFFLINE_UPLOAD_MB": 4096,
}

# Values whose type the environment cannot tell us.
_INT_KEYS = {
    "MAX_UPLOAD_MB",
    "MAX_JSON_KB",
    "PAGE_SIZE",
    "TOKEN_DAYS",
    "TRUSTED_PROXIES",
    "REMEMBER_DAYS",
    "BENCHMARK_STALE_YEARS",
    "RETENTION_YEARS",
    "SMTP_PORT",
    "WEBHOOK_TIMEOUT",
    "WEBHOOK_RETRY_SECONDS",
    "WEBHOOK_MAX_ATTEMPTS",
    "JOB_TIME_LIMIT",
    "JOB_RETRY_SECONDS",
    "JOB_MAX_ATTEMPTS",
    "STORAGE_PRESIGNED_SECONDS",
    "HUB_MIN_GROUP",
    "HUB_TIMEOUT",
    "OFFLINE_UPLOAD_MB",
}
_BOOL_KEYS = {
    "SESSION_COOKIE_SECURE",
    "STORAGE_PRESIGNED_DOWNLOADS",
    "HUB_MODE",
    "HUB_ALLOW_LOOPBACK_HTTP",
}


def instance_path() -> Path:
    """The instance folder: WORKBENCH_INSTANCE_PATH or ./instance."""
    return Path(os.environ.get(ENV_PREFIX + "INSTANCE_PATH") or Path.cwd() / "instance").resolve()


def _from_env() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key in DEFAULTS:
        raw = os.environ.get(ENV_PREFIX + key)
        if raw is None:
            continue
        if key in _INT_KEYS:
            found[key] = int(raw)
        elif key in _BOOL_KEYS:
            found[key] = raw.lower() in {"1", "true", "yes", "on"}
        else:
            found[key] = raw
    return found


OFFLINE_FILE = "offline.json"  # written by `workbench offline open` when it unpacks a package


def offline_settings(folder: Path) -> dict[str, Any] | None:
    """What an offline instance folder says about its checkout, None for any other instance."""
    path = folder / OFFLINE_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def secret_key(folder: Path) -> str:
    """Read the instance's secret key, generating and keeping one on first start."""
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping."""
    folder = Path((overrides or {}).get("INSTANCE_PATH") or instance_path())
    settings: dict[str, Any] = {**DEFAULTS, **_from_env(), **(overrides or {})}
    settings["INSTANCE_PATH"] = folder
    # A laptop's instance (one engagement carried offline): its checkout, or None on a server.
    settings.setdefault("OFFLINE", offline_settings(folder))
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = f"sqlite:///{folder / 'workbench.db'}"
    settings["STORAGE_DIR"] = Path(settings["STORAGE_DIR"] or folder / "storage")
    if settings["STORAGE_URL"]:
        location = parse_url(settings["STORAGE_URL"])  # a bad address stops the start, in Chinese
        if location.path is not None:
            settings["STORAGE_DIR"] = location.path
    settings.setdefault(
        "SECRET_KEY", os.environ.get(ENV_PREFIX + "SECRET_KEY") or secret_key(folder)
    )
    settings["MAX_CONTENT_LENGTH"] = (settings["MAX_UPLOAD_MB"] + 5) * 1024 * 1024
    settings.setdefault("SESSION_COOKIE_HTTPONLY", True)
    settings.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    settings.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    settings.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    settings["REMEMBER_COOKIE_SECURE"] = settings["SESSION_COOKIE_SECURE"]
    settings.setdefault("WTF_CSRF_TIME_LIMIT", None)
    settings["BABEL_DEFAULT_LOCALE"] = settings["DEFAULT_LOCALE"]
    settings["RATELIMIT_STORAGE_URI"] = settings["RATELIMIT_STORAGE_URI"]
    return settings
