"""Summarise a locust --csv run: p50/p95/p99 per request, pages against the layout floor, errors.

The floor is /about ("page floor (about)"): the full layout for a signed-in user and nothing else,
so a page's p95 divided by the floor's p95 is the cost of the page's own work under the same load.
The ratio to /healthz (which renders nothing) is printed beside it, for comparison with earlier runs.
Exit status 1 on any failed request, on a run without the floor, or when the worst page p95 exceeds
LOAD_MAX_RATIO (default 3) × the floor p95. With gunicorn's access log (lines "METHOD PATH STATUS
MICROSECONDS") it also prints the time the server itself spent per route, which tells the server's
share of a slow page from the client's.
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
FLOOR = "page floor (about)"
HEALTHZ = "healthz"


def _rows(prefix: str) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _percentiles(row: dict[str, str]) -> tuple[float, float, float]:
    return tuple(float(row[key] or 0) for key in ("50%", "95%", "99%"))  # type: ignore[return-value]


def _ratio(value: float, base: float) -> float:
    return value / base if base else float("inf")


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


def page_p95s(named: dict[str, dict[str, str]]) -> dict[str, float]:
    """p95 of each page of the mix ("page …" requests), the floor itself left out."""
    return {
        name: _percentiles(row)[1]
        for name, row in named.items()
        if name.startswith("page ") and name != FLOOR
    }


def main(prefix: str, log_path: str | None = None) -> int:
    rows = _rows(prefix)
    named = {row["Name"]: row for row in rows if row["Name"] != "Aggregated"}
    total = next(row for row in rows if row["Name"] == "Aggregated")
    floor = _percentiles(named[FLOOR])[1] if FLOOR in named else 0.0
    health = _percentiles(named[HEALTHZ])[1] if HEALTHZ in named else 0.0
    pages = page_p95s(named)
    print(
        f"{'request':<28}{'count':>8}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'÷ floor':>9}{'÷ healthz':>10}"
    )
    for name, row in sorted(named.items()):
        p50, p95, p99 = _percentiles(row)
        ratios = ""
        if name in pages or name == FLOOR:
            ratios = f"{_ratio(p95, floor):>8.1f}×{_ratio(p95, health):>9.1f}×"
        print(
            f"{name:<28}{row['Request Count']:>8}{row['Failure Count']:>6}"
            f"{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}{ratios}"
        )
    if log_path and os.path.exists(log_path):
        print_server_times(log_path)
    errors = int(total["Failure Count"])
    worst_name, worst = max(pages.items(), key=lambda item: item[1]) if pages else ("-", 0.0)
    ratio = _ratio(worst, floor)
    print(f"requests {total['Request Count']}, errors {errors}")
    print(
        f"worst page p95 {worst:.0f} ms ({worst_name}) ÷ floor (about) p95 {floor:.0f} ms: "
        f"{ratio:.1f}× (limit {LIMIT_RATIO:g}×)"
    )
    print(
        f"worst page p95 {worst:.0f} ms ({worst_name}) ÷ healthz p95 {health:.0f} ms: "
        f"{_ratio(worst, health):.1f}×; floor ÷ healthz: {_ratio(floor, health):.1f}×"
    )
    failed = False
    if errors:
        print(f"FAIL: {errors} failed requests (see {prefix}_failures.csv)")
        failed = True
    if not floor:
        print(f"FAIL: no p95 for the floor ({FLOOR!r} missing from the run)")
        failed = True
    elif ratio > LIMIT_RATIO:
        print(f"FAIL: page p95 is more than {LIMIT_RATIO:g} × the floor (about) p95")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
