"""Shared fixtures: paper projects built once per session through the real CLI."""

from __future__ import annotations

import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from whitepaper.cli import main
from whitepaper.project import Project

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# How the tests start headless Chromium (Playwright adds --headless; a fresh profile each time).
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CORPORA = REPO.parent / "shared" / "corpora"

BIB = """\
@article{wilkinson2016fair,
  author  = {Wilkinson, Mark D. and Dumontier, Michel},
  title   = {The {FAIR} Guiding Principles for scientific data management and stewardship},
  journal = {Scientific Data}, year = {2016}, volume = {3}, pages = {160018},
  doi     = {10.1038/sdata.2016.18}
}

@article{topol2019,
  author  = {Topol, Eric J.},
  title   = {High-performance medicine: the convergence of human and artificial intelligence},
  journal = {Nature Medicine}, year = {2019}, volume = {25}, pages = {44--56},
  doi     = {10.1038/s41591-018-0300-7}
}
"""


@dataclass
class Run:
    exit_code: int
    output: str  # stdout and stderr together
    exception: BaseException | None


def run_cli(*args: str | Path) -> Run:
    """Run the real CLI in-process; an exception other than SystemExit is a test failure."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.output, result.exception)


def write_project(root: Path, chapters: dict[str, str], config: str | None = None, bib: str = BIB) -> Path:
    """A small paper project: `chapters` maps file names under chapters/ to their text."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "chapters").mkdir(exist_ok=True)
    for name, text in chapters.items():
        (root / "chapters" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    if bib is not None:
        (root / "bibliography").mkdir(exist_ok=True)
        (root / "bibliography" / "references.bib").write_text(bib, encoding="utf-8")
    if config is None:
        config = """\
            title: Fixture Paper
            short-title: Fixture
            version: "1.2"
            date: 2026-01-15
            authors:
              - name: Ada Example
                affiliations: [inst]
            affiliations:
              - id: inst
                name: Example Institute
            bibliography: bibliography/references.bib
            """
    (root / "whitepaper.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
    return root


def copy_sample(target: Path, *, review: bool = True) -> Path:
    """The sample paper as a clone holds it: its files and, unless `review` is False, its review
    record (its rounds and approvals)."""
    root = Project(REPO).copy_paper(target).root
    if review and (REPO / "review").is_dir():
        shutil.copytree(REPO / "review", root / "review")
    return root


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, runs of spaces folded (lines kept), as a reader would copy it."""
    return [re.sub(r"[ \t]+", " ", page.extract_text() or "") for page in PdfReader(path).pages]


def toc_entries(pages: list[str]) -> list[tuple[str, int]]:
    """(title, page) pairs read from the Contents pages of a PDF: the lines with dot leaders."""
    entries = []
    for text in pages:
        for line in text.splitlines():
            if line.startswith("List of "):
                return entries  # the lists of figures and tables follow the contents
            match = re.match(r"^(.*?)\s*(?:\.\s*){3,}(\d+)$", line.strip())
            if match:
                entries.append((" ".join(match.group(1).split()), int(match.group(2))))
    return entries


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """The shipped sample paper, copied and built once for the whole session."""
    project = copy_sample(tmp_path_factory.mktemp("sample"))
    result = run_cli("build", project)
    return project, result


@pytest.fixture(scope="session")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """A two-chapter fixture with citations, sections, a figure and a table, built once."""
    project = write_project(
        tmp_path_factory.mktemp("small"),
        {
            "01-intro.md": """\
                ---
                title: Introduction
                status: in-review
                owners: [Ada Example]
                ---

                Data should be findable [@wilkinson2016fair].

                ## Background

                Medicine changes fast, says @topol2019. @fig-square shows a square.

                ![A square.](figures/square.svg){#fig-square width=40%}
                """,
            "02-methods.md": """\
                # Methods

                | Tool | Use |
                |------|-----|
                | pandoc | parsing |

                : Tools used. {#tbl-tools}

                ## Background

                Second chapter with a heading that clashes with the first [@topol2019]; see @tbl-tools.
                """,
        },
    )
    (project / "figures").mkdir()
    (project / "figures" / "square.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="100" height="100">'
        '<rect width="10" height="10" fill="#369"/></svg>',
        encoding="utf-8",
    )
    return project, run_cli("build", project)


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Headless Chromium driven by Playwright, one for a test module."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()
