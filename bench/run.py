"""Run every bench/bench_*.py against the installed project and write bench/results.json.

Each module has `run(quick: bool) -> list[dict]` returning rows
{"name", "value", "unit", "baseline", "ratio", "target"}; the baseline is measured in the same run.
Usage: python bench/run.py [--quick] [name ...]
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    rows: list[dict] = []
    for path in sorted(HERE.glob("bench_*.py")):
        if wanted and not any(w in path.stem for w in wanted):
            continue
        started = time.perf_counter()
        print(f"== {path.stem} ({'quick' if quick else 'full'})", flush=True)
        for row in _load(path).run(quick):
            rows.append(row)
            print(
                f"  {row['name']:<48} {row['value']:>12} {row['unit']:<6} baseline {row['baseline']:>10} "
                f"ratio {row['ratio']:>8}  target {row['target']}",
                flush=True,
            )
        print(f"  ({time.perf_counter() - started:.1f} s)")
    (HERE / "results.json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"wrote {HERE / 'results.json'} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
