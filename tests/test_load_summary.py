"""The load test's verdict (bench/load/summary.py): the worst page p95 ÷ the layout floor's p95
(/about) against LOAD_MAX_RATIO, the ratio to /healthz reported beside it, and any error failing."""

import importlib.util
from pathlib import Path

import pytest

HEADER = "Type,Name,Request Count,Failure Count,50%,95%,99%\n"
FLOOR = "GET,page floor (about),100,0,8,20,30\n"
HEALTHZ = "GET,healthz,100,0,2,5,9\n"


@pytest.fixture()
def summary(monkeypatch):
    monkeypatch.delenv("LOAD_MAX_RATIO", raising=False)
    path = Path(__file__).resolve().parents[1] / "bench" / "load" / "summary.py"
    spec = importlib.util.spec_from_file_location("load_summary", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stats(tmp_path, rows: str) -> str:
    (tmp_path / "run_stats.csv").write_text(HEADER + rows, encoding="utf-8")
    return str(tmp_path / "run")


def _lines(out: str) -> dict[str, str]:
    """The printed table's rows by request name, and the verdict lines."""
    return {line[:28].strip(): line for line in out.splitlines() if line.strip()}


def test_judges_pages_against_the_floor_and_reports_healthz(summary, tmp_path, capsys):
    prefix = _stats(
        tmp_path,
        HEALTHZ
        + FLOOR
        + "GET,page dashboard,100,0,12,60,80\nGET,page flowchart,100,0,20,45,70\n"
        + "POST,save actual value,100,0,40,200,300\n,Aggregated,400,0,9,50,90\n",
    )
    log = tmp_path / "access.log"
    lines = [f"GET /engagements/{n}/indicators 200 {9000 + n}" for n in range(30)]
    log.write_text("\n".join(lines + ["GET /healthz 200 800", "garbage"]) + "\n", encoding="utf-8")
    assert summary.main(prefix, str(log)) == 0
    out = capsys.readouterr().out
    rows = _lines(out)
    # Each page, the floor included, with its p95 ÷ floor p95 and ÷ healthz p95.
    assert rows["page dashboard"].split()[-2:] == ["3.0×", "12.0×"]
    assert rows["page flowchart"].split()[-2:] == ["2.2×", "9.0×"]
    assert rows["page floor (about)"].split()[-2:] == ["1.0×", "4.0×"]
    # A POST that is not a page is not judged (200 ms = 10 × the floor): no ratio columns.
    assert rows["save actual value"].split()[-1] == "300"
    assert rows["healthz"].split()[-1] == "9"
    assert "worst page p95 60 ms (page dashboard) ÷ floor (about) p95 20 ms: 3.0× (limit 3×)" in out
    assert (
        "worst page p95 60 ms (page dashboard) ÷ healthz p95 5 ms: 12.0×; floor ÷ healthz: 4.0×"
        in out
    )
    assert "FAIL" not in out
    assert "GET /engagements/{id}/indicators" in out
    assert "GET /healthz" not in out  # one request is too few for a p95


def test_fails_on_a_page_beyond_the_limit_times_the_floor(summary, tmp_path, capsys):
    slow = _stats(
        tmp_path,
        HEALTHZ + FLOOR + "GET,page flowchart,100,0,20,61,80\n,Aggregated,300,0,9,40,70\n",
    )
    assert summary.main(slow) == 1
    out = capsys.readouterr().out
    assert "÷ floor (about) p95 20 ms: 3.0× (limit 3×)" in out  # 3.05 printed rounded
    assert "FAIL: page p95 is more than 3 × the floor (about) p95" in out


def test_the_limit_comes_from_load_max_ratio(summary, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(summary, "LIMIT_RATIO", 5.0)
    run = _stats(
        tmp_path,
        HEALTHZ + FLOOR + "GET,page indicators,100,0,20,100,120\n,Aggregated,300,0,9,40,70\n",
    )
    assert summary.main(run) == 0  # exactly 5 × the floor passes a limit of 5 (CI's)
    assert "5.0× (limit 5×)" in capsys.readouterr().out
    run = _stats(
        tmp_path,
        HEALTHZ + FLOOR + "GET,page indicators,100,0,20,101,120\n,Aggregated,300,0,9,40,70\n",
    )
    assert summary.main(run) == 1
    assert "FAIL: page p95 is more than 5 × the floor" in capsys.readouterr().out


def test_healthz_alone_no_longer_judges_pages(summary, tmp_path, capsys):
    """A page 12 × healthz but 1.5 × the floor passes; a run without the floor fails."""
    fair = _stats(
        tmp_path,
        HEALTHZ + FLOOR + "GET,page dashboard,100,0,12,30,40\n,Aggregated,300,0,8,25,40\n",
    )
    assert summary.main(fair) == 0
    assert "1.5× (limit 3×)" in capsys.readouterr().out
    unjudged = _stats(
        tmp_path, HEALTHZ + "GET,page dashboard,100,0,12,6,40\n,Aggregated,200,0,8,25,40\n"
    )
    assert summary.main(unjudged) == 1
    assert "FAIL: no p95 for the floor ('page floor (about)' missing from the run)" in (
        capsys.readouterr().out
    )


def test_fails_on_any_error(summary, tmp_path, capsys):
    failed = _stats(
        tmp_path,
        HEALTHZ.replace(",100,0,", ",100,1,")
        + FLOOR
        + "GET,page flowchart,100,0,9,20,30\n,Aggregated,300,1,7,15,30\n",
    )
    assert summary.main(failed) == 1
    out = capsys.readouterr().out
    assert "FAIL: 1 failed requests" in out and "FAIL: page p95" not in out
