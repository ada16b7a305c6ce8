"""The README's API guide works as written: scripts/api_example.sh against a real server.

The guide drives a new engagement through the API alone (token, engagement, declarations,
indicator sheet, working paper with evidence, report) with curl and jq, the way a firm's own
scripts would; the README shows the same commands.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests import live_server

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "api_example.sh"

pytestmark = pytest.mark.skipif(
    not (shutil.which("curl") and shutil.which("jq")), reason="the guide uses curl and jq"
)


def _steps(text: str) -> str:
    """The commands from step 1 on (the script's header and the README's prose differ)."""
    return text[text.index("# 1. A token") :].strip()


def test_the_readme_shows_the_scripts_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[
        readme.index("<!-- api-guide:start -->") : readme.index("<!-- api-guide:end -->")
    ]
    block = block[block.index("```bash") + len("```bash") : block.rindex("```")]
    assert _steps(block) == _steps(SCRIPT.read_text(encoding="utf-8"))


def test_the_guide_runs_against_a_real_server(tmp_path):
    (tmp_path / "instance").mkdir()
    instance = live_server.prepare(tmp_path / "instance")
    port = live_server.free_port()
    server = live_server.start(instance, port)
    out = tmp_path / "out"
    out.mkdir()
    try:
        done = subprocess.run(
            ["bash", str(SCRIPT)],
            cwd=ROOT,
            env={**os.environ, "BASE": f"http://127.0.0.1:{port}", "OUT": str(out)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        live_server.stop(server)
    assert done.returncode == 0, done.stderr + done.stdout
    lines = done.stdout.splitlines()
    assert lines[0] == '{"imported":24,"created":24}'
    assert lines[1].startswith('[{"id":') and '"name":"座谈会纪要.txt"' in lines[1]
    assert lines[2].strip().lower() == "x-deliverable-version: 1"
    with zipfile.ZipFile(out / "评价报告.docx") as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert "2026年度示例资金绩效评价" in body
