"""Summarise a locust --csv run: p50/p95/p99 of pages vs /healthz and the error count.

Exit status 1 on any failed request or when the worst page p95 exceeds 3 × the healthz p95.
With gunicorn's access log (lines "METHOD PATH STATUS MICROSECONDS") it also prints the time the server
itself spent per route, which tells the server's share of a slow page from the client's.
Usage: python bench/load/summary.py <csv prefix> [access log]
"""

from __future__ import annotations

import csv
import os
import re
import statistics
import sys
from collections import defaultdict

LIMIT_RATIO = float(os.environ.get("LOAD_MAX_RATIO", "3"))


def _rows(prefix: str) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _percentiles(row: dict[str, str]) -> tuple[float, float, float]:
    return tuple(float(row[key] or 0) for key in ("50%", "95%", "99%"))  # type: ignore[return-value]


def server_times(log_path: str) -> dict[str, list[float]]:
    """Milliseconds per "METHOD /route/{id}" from the access log (ids folded into {id})."""
    times: dict[str, list[float]] = defaultdict(list)
    with open(log_path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) != 4 or not parts[3].isdigit():
                continue
            method, path, _status, micros = parts
            times[f"{method} {re.sub(r'/[0-9]+', '/{id}', path)}"].append(int(micros) / 1000)
    return times


def print_server_times(log_path: str) -> None:
    times = server_times(log_path)
    print(f"\n{'server time per route':<44}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}")
    for route, values in sorted(times.items(), key=lambda item: -len(item[1])):
        if len(values) < 20:
            continue  # too few for a p95
        p95 = statistics.quantiles(values, n=20)[-1]
        print(f"{route[:43]:<44}{len(values):>7}{statistics.median(values):>9.1f}{p95:>9.1f}")
    print()


def main(prefix: str, log_path: str | None = None) -> int:
    rows = _rows(prefix)
    named = {row["Name"]: row for row in rows if row["Name"] != "Aggregated"}
    total = next(row for row in rows if row["Name"] == "Aggregated")
    print(f"{'request':<28}{'count':>8}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name, row in sorted(named.items()):
        p50, p95, p99 = _percentiles(row)
        print(
            f"{name:<28}{row['Request Count']:>8}{row['Failure Count']:>6}"
            f"{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}"
        )
    if log_path and os.path.exists(log_path):
        print_server_times(log_path)
    errors = int(total["Failure Count"])
    health = _percentiles(named["healthz"])[1] if "healthz" in named else 0.0
    pages = {name: _percentiles(row)[1] for name, row in named.items() if name.startswith("page ")}
    worst_name, worst = max(pages.items(), key=lambda item: item[1]) if pages else ("-", 0.0)
    ratio = worst / health if health else float("inf")
    print(f"requests {total['Request Count']}, errors {errors}")
    print(
        f"worst page p95 {worst:.0f} ms ({worst_name}) vs healthz p95 {health:.0f} ms: {ratio:.1f}×"
    )
    failed = False
    if errors:
        print(f"FAIL: {errors} failed requests (see {prefix}_failures.csv)")
        failed = True
    if ratio > LIMIT_RATIO:
        print(f"FAIL: page p95 is more than {LIMIT_RATIO:.0f} × the healthz p95")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
