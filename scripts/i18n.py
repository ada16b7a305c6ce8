"""Refresh the English catalogue: extract, merge, fill from en_terms.tsv, compile.

Usage: python scripts/i18n.py   (run after changing UI strings; commit the .po and .mo files)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "workbench/translations/en/LC_MESSAGES/messages.po"
TERMS = ROOT / "scripts/en_terms.tsv"


def main() -> int:
    pot = Path("/tmp/workbench-messages.pot")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "update",
            "-i",
            str(pot),
            "-d",
            str(ROOT / "workbench/translations"),
            "-l",
            "en",
            "--no-fuzzy-matching",
        ],
        check=True,
        capture_output=True,
    )
    terms = dict(
        line.split("\t", 1)
        for line in TERMS.read_text(encoding="utf-8").splitlines()
        if "\t" in line
    )
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    missing = 0
    for message in catalog:
        if message.id and isinstance(message.id, str):
            message.string = terms.get(message.id, message.string or "")
            missing += not message.string
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=0)
    with PO.with_suffix(".mo").open("wb") as fh:
        write_mo(fh, catalog)
    print(f"{len(catalog)} messages, {missing} without English")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
