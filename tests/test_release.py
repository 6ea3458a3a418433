"""`whitepaper release`: the gate, every unmet condition at once; a release with every file, an
archival PDF carrying its sources, valid citation files; releases stopped half-way leave nothing."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
import yaml

from conftest import run_cli, write_project

CONFIG = """\
title: Release fixture
subtitle: A paper to publish
version: "0.9"
date: 2026-03-01
keywords: [tests, releases]
license: Released under the Creative Commons Attribution 4.0 International licence (CC BY 4.0).
authors:
  - {name: Ada Example, orcid: 0000-0002-1825-0097, affiliations: [inst], roles: [writing - original draft]}
  - {name: Bo Second, affiliations: [inst]}
affiliations:
  - {id: inst, name: Example Institute, ror: "https://ror.org/01ggx4157"}
bibliography: bibliography/references.bib
editors: [Eda Editor]
blocks:
  recommendation: {label: Recommendation, prefix: R}
reviewers:
  - {name: Rita Reviewer}
"""
ONE = "---\ntitle: One\nowners: [Ada Example]\n---\n\nFindable data [@wilkinson2016fair].\n"
TWO = """\
---
title: Two
owners: [Bo Second]
---

Fast medicine [@topol2019].

::: {#rec-share .recommendation title="Share code"}
Publish the analysis code.
:::

See @rec-share.
"""


def git(project: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True, text=True, env=env).stdout


def commit(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-qm", message)


def approve_all(project: Path) -> None:
    for chapter in ("01-one.md", "02-two.md"):
        assert run_cli("approve", chapter, "--by", "Eda Editor", "-C", project).exit_code == 0


@pytest.fixture
def ready(tmp_path: Path) -> Path:
    """A paper in git, every chapter approved, nothing open: it may be released."""
    project = write_project(tmp_path / "paper", {"01-one.md": ONE, "02-two.md": TWO}, CONFIG)
    git(project, "init", "-q", "-b", "main")
    approve_all(project)
    commit(project, "paper")
    return project


def test_every_unmet_condition_at_once(ready: Path) -> None:
    project = ready
    assert run_cli("release", "1.0", "-C", project, "-q").exit_code == 0  # and now a second one fails on everything
    commit(project, "release 1.0")
    one = project / "chapters" / "01-one.md"
    one.write_text(one.read_text() + "\nTODO: a last word.\n")  # a warning, a stale approval, a dirty tree
    assert run_cli("review", "start", "r1", "-C", project, "--allow-dirty", "-q").exit_code == 0
    sheet = project.parent / "sheet.csv"
    sheet.write_text("reviewer,location,comment\nRita Reviewer,02-two.md:6,Which medicine?\n")
    assert run_cli("review", "collect", "r1", sheet, "-C", project).exit_code == 0
    (project / "releases" / "1.1").mkdir()  # taken, as if by hand
    result = run_cli("release", "1.1", "-C", project, "-q")
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    rules = sorted(line.rsplit("[", 1)[1].rstrip("]") for line in errors)
    assert rules == ["release-dirty-tree", "release-exists", "release-open-comment", "release-unapproved", "todo-marker"]
    assert "chapters/01-one.md:1:1: error: no approval of the chapter's text as it stands; its text changed since Eda Editor approved it (" in result.output
    assert "chapters/02-two.md:6: error: c-" in result.output and "of round r1 by Rita Reviewer is open" in result.output
    assert "5 errors; nothing was written" in result.output
    assert sorted(p.name for p in (project / "releases").iterdir()) == ["1.0", "1.1"] and not list((project / "releases" / "1.1").iterdir())
    bad = run_cli("release", "one", "-C", project)
    assert bad.exit_code == 2 and "'one' is not a version" in bad.output


def test_a_release_has_every_file(ready: Path, tmp_path: Path) -> None:
    project = ready
    result = run_cli("release", "1.0", "-C", project, "--bump", "-q")
    assert result.exit_code == 0, result.output
    folder = project / "releases" / "1.0"
    names = sorted(p.name for p in folder.iterdir())
    assert names == [".zenodo.json", "CHANGES.md", "CITATION.cff", "SHA256SUMS", "paper.docx", "paper.html", "paper.pdf"]
    sums = dict(reversed(line.split("  ", 1)) for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in names if name != "SHA256SUMS"} == sums
    assert git(project, "tag", "-l") == "v1.0\n"
    assert 'version: "1.0"' in (project / "whitepaper.yaml").read_text()  # --bump, and nothing else changed
    html = (folder / "paper.html").read_text()
    assert "Version 1.0" in html and "DRAFT" not in html and 'class="src"' not in html
    assert "This is the first release." in (folder / "CHANGES.md").read_text()
    # The citation files
    schema = ["--builtin-schema", "vendor.citation-file-format"]  # the Citation File Format's own schema, bundled
    valid = subprocess.run([str(Path(sys.executable).parent / "check-jsonschema"), *schema, str(folder / "CITATION.cff")], capture_output=True, text=True, check=False)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    cff = yaml.safe_load((folder / "CITATION.cff").read_text())
    assert cff["version"] == "1.0" and cff["license"] == "CC-BY-4.0" and cff["authors"][0]["orcid"] == "https://orcid.org/0000-0002-1825-0097"
    zenodo = json.loads((folder / ".zenodo.json").read_text())
    assert zenodo["creators"][0] == {"name": "Example, Ada", "affiliation": "Example Institute", "orcid": "0000-0002-1825-0097"}
    assert zenodo["version"] == "1.0" and zenodo["license"] == {"id": "cc-by-4.0"} and zenodo["keywords"] == ["tests", "releases"]
    # The archival PDF: PDF/A-3a (and PDF/UA-1), an output intent, XMP with title, authors and version, the sources attached
    pdf = pikepdf.open(folder / "paper.pdf")
    metadata = pdf.open_metadata()
    assert metadata.pdfa_status == "3A" and metadata.get("pdfuaid:part") == "1" and "/OutputIntents" in pdf.Root
    assert metadata["dc:title"] == "Release fixture: A paper to publish" and metadata["dc:creator"] == ["Ada Example", "Bo Second"]
    assert metadata["{http://prismstandard.org/namespaces/basic/3.0/}versionIdentifier"] == "1.0"
    attached = {name: pdf.attachments[name].get_file().read_bytes() for name in pdf.attachments}
    paper = {p.relative_to(project).as_posix(): p.read_bytes() for p in project.rglob("*") if p.is_file() and p.parts[len(project.parts)] in ("chapters", "bibliography")}
    paper["whitepaper.yaml"] = git(project, "show", "HEAD:whitepaper.yaml").encode()  # as released, before --bump
    assert attached == paper
    rebuilt = tmp_path / "rebuilt"  # what the archive carries builds the same paper
    for name, data in attached.items():
        (rebuilt / name).parent.mkdir(parents=True, exist_ok=True)
        (rebuilt / name).write_bytes(data)
    assert run_cli("check", rebuilt, "--strict").exit_code == 0
    released = tmp_path / "released"  # the paper as committed when it was released
    released.mkdir()
    archive = subprocess.run(["git", "-C", str(project), "archive", "HEAD", "chapters", "bibliography", "whitepaper.yaml"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(released)], input=archive.stdout, check=True)
    for folder_built in (rebuilt, released):
        assert run_cli("build", folder_built, "--html", "-q").exit_code == 0
    assert (rebuilt / "build" / "paper.html").read_bytes() == (released / "build" / "paper.html").read_bytes()


def test_a_second_release_says_what_changed(ready: Path) -> None:
    project = ready
    assert run_cli("release", "1.0", "-C", project, "-q").exit_code == 0
    commit(project, "release 1.0")
    two = project / "chapters" / "02-two.md"
    two.write_text(two.read_text().replace("Publish the analysis code.", "Publish the analysis code and its tests."))
    approve_all(project)
    commit(project, "reworded R1")
    assert run_cli("release", "1.1", "-C", project, "-q", "--no-tag").exit_code == 0
    changes = (project / "releases" / "1.1" / "CHANGES.md").read_text()
    assert "## Changes since version 1.0" in changes
    assert "- `chapters/02-two.md` (Two): changed, 4 words added and 1 removed" in changes
    assert "- Unchanged: chapters/01-one.md." in changes and "- Reworded R1: Share code" in changes
    assert (project / "releases" / "1.1" / "redline-1.0-1.1.pdf").stat().st_size > 1000
    assert git(project, "tag", "-l") == "v1.0\n"  # --no-tag


def test_open_comments_may_be_released_and_are_listed(ready: Path) -> None:
    project = ready
    assert run_cli("review", "start", "r1", "-C", project, "-q").exit_code == 0
    sheet = project.parent / "sheet.csv"
    sheet.write_text("reviewer,location,comment\nRita Reviewer,02-two.md:6,Which medicine?\n")
    assert run_cli("review", "collect", "r1", sheet, "-C", project).exit_code == 0
    commit(project, "round r1")
    assert run_cli("release", "1.0", "-C", project, "-q").exit_code == 1
    assert run_cli("release", "1.0", "-C", project, "-q", "--allow-open").exit_code == 0
    changes = (project / "releases" / "1.0" / "CHANGES.md").read_text()
    assert "## Comments still open" in changes and "(round r1, Rita Reviewer), `chapters/02-two.md:6`: Which medicine?" in changes


def test_a_release_stopped_at_any_moment_leaves_no_half_release(ready: Path) -> None:
    project = ready
    whitepaper = str(Path(sys.executable).parent / "whitepaper")
    folder = project / "releases" / "1.0"
    rng = random.Random(7)
    for attempt in range(6):
        process = subprocess.Popen([whitepaper, "release", "1.0", "-C", str(project), "-q", "--no-tag"], start_new_session=True)
        time.sleep(rng.uniform(0.5, 6.0))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if folder.exists():  # whole, if there at all
            sums = (folder / "SHA256SUMS").read_text().splitlines()
            assert all(hashlib.sha256((folder / line.split("  ", 1)[1]).read_bytes()).hexdigest() == line.split("  ", 1)[0] for line in sums)
            break
    result = run_cli("release", "1.0", "-C", project, "-q", "--no-tag")
    assert result.exit_code == (1 if folder.exists() and "release-exists" in result.output else 0)
    assert (folder / "SHA256SUMS").is_file()
