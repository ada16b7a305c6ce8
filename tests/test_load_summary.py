"""The load test's verdict (bench/load/summary.py): ratio of page p95 to /healthz p95, errors."""

import importlib.util
from pathlib import Path

import pytest

HEADER = "Type,Name,Request Count,Failure Count,50%,95%,99%\n"


@pytest.fixture(scope="module")
def summary():
    path = Path(__file__).resolve().parents[1] / "bench" / "load" / "summary.py"
    spec = importlib.util.spec_from_file_location("load_summary", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stats(tmp_path, rows: str) -> str:
    (tmp_path / "run_stats.csv").write_text(HEADER + rows, encoding="utf-8")
    return str(tmp_path / "run")


def test_passes_within_three_times_and_prints_server_times(summary, tmp_path, capsys):
    prefix = _stats(
        tmp_path,
        "GET,healthz,100,0,5,10,20\nGET,page dashboard,100,0,12,30,40\n,Aggregated,200,0,8,25,40\n",
    )
    log = tmp_path / "access.log"
    lines = [f"GET /engagements/{n}/indicators 200 {9000 + n}" for n in range(30)]
    log.write_text("\n".join(lines + ["GET /healthz 200 800", "garbage"]) + "\n", encoding="utf-8")
    assert summary.main(prefix, str(log)) == 0
    out = capsys.readouterr().out
    assert "3.0×" in out and "GET /engagements/{id}/indicators" in out
    assert "GET /healthz" not in out  # one request is too few for a p95


def test_fails_on_a_slow_page_or_any_error(summary, tmp_path, capsys):
    slow = _stats(
        tmp_path,
        "GET,healthz,100,0,5,10,20\nGET,page flowchart,100,0,20,31,50\n,Aggregated,200,0,9,28,50\n",
    )
    assert summary.main(slow) == 1
    assert "FAIL: page p95" in capsys.readouterr().out
    failed = _stats(
        tmp_path,
        "GET,healthz,100,1,5,10,20\nGET,page flowchart,100,0,9,20,30\n,Aggregated,200,1,7,15,30\n",
    )
    assert summary.main(failed) == 1
    assert "FAIL: 1 failed requests" in capsys.readouterr().out
