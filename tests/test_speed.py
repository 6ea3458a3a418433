"""Rebuilds that notice there is nothing to do, and that notice every change that matters."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import pdf_pages, run_cli, write_project
from whitepaper import pandoc
from whitepaper.pipeline import key

CHAPTERS = {"01-a.md": "# A\n\nText [@topol2019; @wilkinson2016fair].\n"}


@pytest.fixture
def built(tmp_path: Path) -> Path:
    project = write_project(tmp_path / "p", CHAPTERS)
    result = run_cli("build", project)
    assert result.exit_code == 0 and result.output.splitlines()[-1].startswith("built ")
    return project


def up_to_date(project: Path) -> bool:
    result = run_cli("build", project)
    assert result.exit_code == 0, result.output
    return "up to date (nothing changed)" in result.output


def test_nothing_changed_does_nothing(built: Path) -> None:
    pdf = built / "build" / "paper.pdf"
    stamp = pdf.stat().st_mtime_ns
    assert up_to_date(built)
    assert pdf.stat().st_mtime_ns == stamp


def test_each_input_invalidates(built: Path) -> None:
    config = built / "whitepaper.yaml"
    config.write_text(config.read_text() + "csl: apa\n")  # the citation style
    assert not up_to_date(built)
    assert "Wilkinson, M. D., & Dumontier, M. (2016)" in " ".join(" ".join(pdf_pages(built / "build" / "paper.pdf")).split())
    assert up_to_date(built)
    (built / "templates").mkdir()  # a template of the project's own
    (built / "templates" / "_abstract.html").write_text("<p>custom abstract block</p>\n")
    assert not up_to_date(built)
    assert "custom abstract block" in (built / "build" / "paper.html").read_text()
    bib = built / "bibliography" / "references.bib"  # the bibliography
    bib.write_text(bib.read_text().replace("High-performance medicine", "Very high-performance medicine"))
    assert not up_to_date(built)
    assert "Very high-performance medicine" in (built / "build" / "paper.html").read_text()
    (built / "build" / "paper.pdf").unlink()  # an output removed by hand
    assert not up_to_date(built)
    assert (built / "build" / "paper.pdf").is_file()


def test_a_new_pandoc_version_invalidates(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pandoc, "pandoc_version", lambda: "99.0")
    assert not up_to_date(built)


def test_an_edited_built_in_template_invalidates(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a working copy of the tool, its own print style edited (no new version): not up to date.
    A copy of the templates stands in for the package's, which other tests are reading."""
    templates = tmp_path / "templates"
    shutil.copytree(key.TEMPLATES, templates)
    monkeypatch.setattr(key, "TEMPLATES", templates)
    key._templates.cache_clear()
    assert up_to_date(built)  # the same files (copied with their times)
    style = next(templates.rglob("print.css"))
    style.write_text(style.read_text() + "\n/* edited */\n")
    key._templates.cache_clear()  # a new process
    assert not up_to_date(built)
    key._templates.cache_clear()


def test_a_corrupt_record_is_ignored(built: Path) -> None:
    record = built / "build" / ".cache" / "last-build.json"
    data = json.loads(record.read_text())
    record.write_text("{not json")
    assert not up_to_date(built)
    data["outputs"] = {"paper.pdf": [1, 1]}
    record.write_text(json.dumps(data))
    assert not up_to_date(built)
    assert up_to_date(built)


def test_no_cache_always_builds(built: Path) -> None:
    result = run_cli("build", built, "--no-cache")
    assert result.output.splitlines()[-1].startswith("built ")
