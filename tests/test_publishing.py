"""The publishing tail (pipeline/publish.py): every command that writes a PDF reports the same
problems the same way. A project whose template makes the PDF read a file outside the project
gets the same located error from `build`, `diff`, `review start` and `review report`, and none
of them writes anything."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest

from conftest import run_cli, write_project

CONFIG = """\
title: Publishing fixture
date: 2026-03-01
bibliography: bibliography/references.bib
reviewers:
  - name: Rita Reviewer
"""
CHAPTER = "---\ntitle: One\n---\n\nData should be findable [@wilkinson2016fair].\n\nMedicine changes fast [@topol2019].\n"
OUTSIDE = "file:///etc/hostname"


def break_template(project: Path) -> str:
    """The project's own copy of the shared stylesheet, with a background read from outside the
    project; returns the diagnostic every command must print."""
    common = (files("whitepaper.render") / "templates" / "css" / "common.css").read_text(encoding="utf-8")
    folder = project / "templates" / "css"
    folder.mkdir(parents=True, exist_ok=True)
    line = common.count("\n") + 1
    (folder / "common.css").write_text(common + f"body {{ background: url({OUTSIDE}); }}\n", encoding="utf-8")
    return f"templates/css/common.css:{line}:24: error: refused to fetch '{OUTSIDE}': only files inside the project are read [fetch-refused]"


@pytest.fixture(scope="module")
def round_then_broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A project whose round r1 was started and commented on, then whose template broke."""
    project = write_project(tmp_path_factory.mktemp("publishing") / "paper", {"01-one.md": CHAPTER}, CONFIG)
    started = run_cli("review", "start", "r1", "-C", project, "-q")
    assert started.exit_code == 0, started.output
    sheet = project / "sheet.csv"
    sheet.write_text("reviewer,location,comment\nRita Reviewer,chapters/01-one.md:5,Say which data.\n", encoding="utf-8")
    assert run_cli("review", "collect", "r1", sheet, "-C", project).exit_code == 0
    return project, break_template(project)


def test_build_reports_the_refused_file(round_then_broken: tuple[Path, str]) -> None:
    project, expected = round_then_broken
    result = run_cli("build", project, "--pdf")
    assert result.exit_code == 1 and expected in result.output
    assert not (project / "build" / "paper.pdf").exists()


def test_diff_reports_it_too(round_then_broken: tuple[Path, str]) -> None:
    project, expected = round_then_broken
    result = run_cli("diff", "r1", "-C", project)
    assert result.exit_code == 1 and expected in result.output
    assert not list(project.glob("build/diff-*"))


def test_review_start_reports_it_too(round_then_broken: tuple[Path, str]) -> None:
    project, expected = round_then_broken
    result = run_cli("review", "start", "r2", "-C", project, "-q")
    assert result.exit_code == 1 and expected in result.output
    assert not (project / "review" / "r2").exists()


def test_review_report_reports_it_too(round_then_broken: tuple[Path, str]) -> None:
    project, expected = round_then_broken
    result = run_cli("review", "report", "r1", "-C", project)
    assert result.exit_code == 1 and expected in result.output
    assert not (project / "review" / "r1" / "report.pdf").exists()
    assert re.search(r"1 error; nothing was written", result.output)
