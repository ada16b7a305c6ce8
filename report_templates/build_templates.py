"""Build the docxtpl report templates in this folder: ``python report_templates/build_templates.py``.

The built .docx files are committed: an agency may restyle them in Word or WPS (keeping the
``{{ }}`` / ``{% %}`` tags) without running this script again. Context keys: README.md.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    # The builder's helper modules live beside it; this folder is not a package.
    sys.path.insert(0, str(HERE))

from docx.document import Document as DocxDocument  # noqa: E402
from form_docs import opinion_table, score_sheet, working_paper  # noqa: E402
from report_docs import evaluation_plan, evaluation_report, ex_ante_report  # noqa: E402

BUILDERS: dict[str, Callable[[], DocxDocument]] = {
    "evaluation_plan": evaluation_plan,
    "evaluation_report": evaluation_report,
    "ex_ante_report": ex_ante_report,
    "score_sheet": score_sheet,
    "opinion_table": opinion_table,
    "working_paper": working_paper,
}


def build_all(out_dir: Path = HERE) -> list[Path]:
    """Write every template to ``out_dir``; return the written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, builder in BUILDERS.items():
        path = out_dir / f"{name}.docx"
        builder().save(str(path))
        written.append(path)
    return written


def render_previews(out_dir: Path, templates_dir: Path = HERE) -> list[Path]:
    """Render every template with its sample context (samples.py) into ``out_dir``."""
    from samples import SAMPLES

    from workbench.reports.render import render_docx

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, sample in SAMPLES.items():
        path = out_dir / f"{name}.docx"
        path.write_bytes(render_docx(name, sample(), templates_dir=templates_dir))
        written.append(path)
    return written


def main(argv: list[str]) -> None:
    """``build_templates.py [OUT_DIR]`` builds; ``--preview DIR`` renders the samples too."""
    args = list(argv)
    preview = None
    if "--preview" in args:
        index = args.index("--preview")
        preview = Path(args[index + 1])
        del args[index : index + 2]
    target = Path(args[0]) if args else HERE
    for path in build_all(target):
        print(path)
    if preview is not None:
        for path in render_previews(preview, target):
            print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
