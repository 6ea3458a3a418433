"""`whitepaper approve`: sign-off of a chapter's text, stale after an edit, revocable, by owners
or editors only, and merged by git without a conflict."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import run_cli, write_project

CONFIG = """\
title: Sign-off fixture
bibliography: bibliography/references.bib
editors: [Eda Editor]
"""
ONE = "---\ntitle: One\nstatus: approved\nowners: [Ann Author]\n---\n\nFindable data [@wilkinson2016fair].\n"
TWO = "---\ntitle: Two\nowners: [Bo Builder]\n---\n\nFast medicine [@topol2019].\n"


def git(project: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True, text=True)
    return done.stdout


def status_of(project: Path) -> dict[str, dict[str, object]]:
    rows = json.loads(run_cli("status", project, "--format", "json").output)
    return {row["file"]: row for row in rows}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "p", {"01-one.md": ONE, "02-two.md": TWO}, CONFIG)


def unapproved(project: Path) -> list[str]:
    output = run_cli("check", project).output
    return [line for line in output.splitlines() if line.endswith("[status-unapproved]")]


def test_approve_then_edit_then_approve_again(project: Path) -> None:
    assert unapproved(project) == [
        "chapters/01-one.md:3:1: warning: status is approved, but no one has approved it; its owners approve it with `whitepaper approve` [status-unapproved]"
    ]
    result = run_cli("approve", "01-one.md", "--by", "Ann Author", "--note", "Read twice.", "-C", project)
    assert result.exit_code == 0, result.output
    line = [l for l in (project / "review" / "approvals.yaml").read_text().splitlines() if not l.startswith("#")]
    assert len(line) == 1 and line[0].startswith("- {chapter: chapters/01-one.md, by: Ann Author, at: ") and "note: Read twice." in line[0]
    assert unapproved(project) == []
    assert status_of(project)["chapters/01-one.md"]["approved_by"][0].startswith("Ann Author (")
    chapter = project / "chapters" / "01-one.md"
    chapter.write_text(chapter.read_text().replace("Findable data", "Findable, reusable data"))
    row = status_of(project)["chapters/01-one.md"]
    assert row["approved_by"] == [] and row["stale"][0].startswith("Ann Author (")
    assert "the text changed since Ann Author approved it" in unapproved(project)[0]
    assert run_cli("approve", "chapters/01-one.md", "--by", "Eda Editor", "-C", project).exit_code == 0  # an editor may
    assert unapproved(project) == []


def test_revoke(project: Path) -> None:
    assert run_cli("approve", "01-one.md", "--by", "Ann Author", "-C", project).exit_code == 0
    assert run_cli("approve", "01-one.md", "--by", "Ann Author", "--revoke", "-C", project).exit_code == 0
    assert status_of(project)["chapters/01-one.md"]["approved_by"] == []
    assert len(unapproved(project)) == 1


def test_only_owners_and_editors_approve(project: Path) -> None:
    result = run_cli("approve", "02-two.md", "01-one.md", "--by", "Bo Builder", "-C", project)
    assert result.exit_code == 1
    assert (
        "chapters/01-one.md:4:1: error: Bo Builder cannot approve chapters/01-one.md: it is owned by Ann Author, "
        "and `editors:` in whitepaper.yaml does not name Bo Builder [approver-unknown]"
    ) in result.output
    assert not (project / "review" / "approvals.yaml").exists()  # nothing written, not even the other chapter's
    unknown = run_cli("approve", "03-three.md", "--by", "Eda Editor", "-C", project)
    assert unknown.exit_code == 1 and "'03-three.md' is not a chapter of the paper" in unknown.output
    assert "[approve-unknown-chapter]" in unknown.output
    by_stem = run_cli("approve", "02-two", "--by", "Eda Editor", "-C", project)  # a file name without .md names it too
    assert by_stem.exit_code == 0 and "Eda Editor approved chapters/02-two.md" in by_stem.output, by_stem.output


def test_two_branches_approvals_merge(project: Path) -> None:
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-qm", "paper")
    assert run_cli("approve", "01-one.md", "--by", "Eda Editor", "-C", project).exit_code == 0  # and .gitattributes
    git(project, "add", "-A")
    git(project, "-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-qm", "first approval")
    git(project, "checkout", "-q", "-b", "ann")
    assert run_cli("approve", "01-one.md", "--by", "Ann Author", "-C", project).exit_code == 0
    git(project, "-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-qam", "Ann approves")
    git(project, "checkout", "-q", "main")
    assert run_cli("approve", "02-two.md", "--by", "Bo Builder", "-C", project).exit_code == 0
    git(project, "-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-qam", "Bo approves")
    merged = subprocess.run(
        ["git", "-C", str(project), "-c", "user.email=t@example.org", "-c", "user.name=T", "merge", "-q", "ann", "-m", "merge"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert merged.returncode == 0, merged.stdout + merged.stderr
    status = status_of(project)
    assert {s.split(" (")[0] for s in status["chapters/01-one.md"]["approved_by"]} == {"Eda Editor", "Ann Author"}
    assert status["chapters/02-two.md"]["approved_by"][0].startswith("Bo Builder (")
    assert "merge=union" in (project / ".gitattributes").read_text()


def test_the_review_edition_says_when_an_approval_is_stale(project: Path) -> None:
    assert run_cli("approve", "01-one.md", "--by", "Ann Author", "-C", project).exit_code == 0
    assert run_cli("approve", "02-two.md", "--by", "Bo Builder", "-C", project).exit_code == 0
    chapter = project / "chapters" / "02-two.md"
    chapter.write_text(chapter.read_text() + "\nOne more sentence.\n")
    assert run_cli("build", project, "--review", "-q").exit_code == 0
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(project / "build" / "paper.review.pdf").pages)
    assert "Status: Approved · Owners: Ann Author · Approved by Ann Author (" in text
    assert "Owners: Bo Builder · Approval stale: edited since Bo Builder approved it (" in text


def test_two_signatures_in_one_second_one_without_a_commit(project: Path) -> None:
    """Approving in a repository and outside it within one second gives two lines that differ
    only where one has no commit; reading and rewriting the file must still order them."""
    assert run_cli("approve", "01-one.md", "--by", "Ann Author", "-C", project).exit_code == 0
    approvals = project / "review" / "approvals.yaml"
    signed = [l for l in approvals.read_text().splitlines() if l.startswith("- ")][0]
    assert "commit:" not in signed  # the fixture is no git repository
    approvals.write_text(approvals.read_text() + signed[:-1] + ", commit: 989ba27}\n")
    result = run_cli("approve", "02-two.md", "--by", "Bo Builder", "-C", project)
    assert result.exit_code == 0, result.output
    lines = [l for l in approvals.read_text().splitlines() if l.startswith("- ")]
    assert len(lines) == 3 and lines[0] == signed and lines[1] == signed[:-1] + ", commit: 989ba27}"
    assert status_of(project)["chapters/01-one.md"]["approved_by"][0].startswith("Ann Author (")
