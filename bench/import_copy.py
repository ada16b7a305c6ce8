"""PostgreSQL part of the survey import bench: the importer's COPY write against a bare COPY.

The server is WORKBENCH_BENCH_PG_URL, else a throwaway one started here with the local
PostgreSQL binaries (as scripts/loadtest.sh does; needs root); without either the row is
skipped with the reason printed. Foreign keys of survey_response are dropped in the bench
database (no engagement or survey rows exist there); both writes pay the same unique index.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace


@contextlib.contextmanager
def _server() -> Iterator[str | None]:
    url = os.environ.get("WORKBENCH_BENCH_PG_URL")
    if url:
        yield url
        return
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not binaries or os.geteuid() != 0 or shutil.which("runuser") is None:
        print("skipped: set WORKBENCH_BENCH_PG_URL (no local PostgreSQL to start as root)")
        yield None
        return
    pg = binaries[-1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    work = tempfile.mkdtemp(prefix="wjx-bench-pg-")
    os.chmod(work, 0o755)
    data = Path(work) / "pg"
    data.mkdir()
    shutil.chown(data, "postgres", "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"]
    quiet = {"check": True, "capture_output": True}
    try:
        subprocess.run([*as_pg, f"{pg}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres",
                        "-E", "UTF8", "--locale=C.UTF-8"], **quiet)  # fmt: skip
        subprocess.run([*as_pg, f"{pg}/pg_ctl", "-D", str(data), "-l", f"{data}/log", "-w", "start",
                        "-o", f"-p {port} -k /tmp -c listen_addresses=127.0.0.1"], **quiet)  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_pg, f"{pg}/pg_ctl", "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True)  # fmt: skip
        shutil.rmtree(work, ignore_errors=True)


def _prepare(engine) -> None:
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import workbench.models  # noqa: F401 - every table

    with engine.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        names = connection.execute(
            text(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'survey_response'::regclass "
                "AND contype = 'f'"
            )
        ).scalars()
        for name in list(names):
            connection.execute(text(f'ALTER TABLE survey_response DROP CONSTRAINT "{name}"'))
        connection.execute(text("TRUNCATE survey_response"))


def bench_copy(path: Path, size: int, parse) -> list[dict]:
    """Write every parsed chunk with the importer (COPY) and the same rows with a bare COPY."""
    from sqlmodel import Session

    from workbench.db import make_engine
    from workbench.surveys.imports.writer import ResponseWriter, _row
    from workbench.surveys.models import Channel

    with _server() as url:
        if url is None:
            return []
        engine = make_engine(url)
        _prepare(engine)
        ours = bare = 0.0
        with Session(engine) as db, engine.raw_connection() as raw:
            writer = ResponseWriter(
                db, survey=SimpleNamespace(id=1), channel=Channel.wjx, import_id=None
            )
            driver = raw.driver_connection
            names = None

            def write(responses):
                nonlocal ours, bare, names
                if not responses:
                    return
                start = time.perf_counter()
                writer.write(responses)
                ours += time.perf_counter() - start
                rows = [_row(2, r.source_key, r, Channel.wjx, None, writer.now) for r in responses]
                names = names or list(rows[0])
                values = [[writer._json(v) if isinstance(v, dict) else v for v in row.values()]
                          for row in rows]  # fmt: skip
                start = time.perf_counter()
                with (
                    driver.cursor() as cursor,
                    cursor.copy(f"COPY survey_response ({', '.join(names)}) FROM STDIN") as copy,
                ):
                    for row in values:
                        copy.write_row(row)
                bare += time.perf_counter() - start

            parse(path, write)
            start = time.perf_counter()
            db.commit()
            ours += time.perf_counter() - start
            start = time.perf_counter()
            driver.commit()
            bare += time.perf_counter() - start
            assert writer.imported == size, (writer.imported, writer.skipped, size)
        engine.dispose()
    return [
        {
            "name": f"survey import {size:,} rows: write answers (PostgreSQL COPY)",
            "value": round(ours, 1),
            "unit": "s",
            "baseline": round(bare, 1),
            "ratio": round(ours / bare, 2),
            "target": "information (baseline: bare COPY of the same rows)",
        }
    ]
