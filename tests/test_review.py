"""Review editions and rounds, read back from the PDFs the way software and reviewers see them."""

from __future__ import annotations

import hashlib
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from conftest import Run, copy_sample, run_cli, write_project
from whitepaper.review.edition import parse_destination

TRICKY = """\
---
title: Tricky layout
owners: [Ann Author]
status: in-review
---



Opening paragraph after blank lines,
spanning two lines [@topol2019].

## Lists {#sec-lists}

- first item
- second item with **bold**
    - nested item
- third item

1. Loose one

   Second paragraph of loose one.

2. Loose two

> Quoted paragraph one
> continues here.
>
> Quoted paragraph two.

::: {#rec-outer .recommendation title="Outer"}
Outer text.

::: {.inner}
Inner text.
:::

After inner.
:::

| Col | Val |
|-----|-----|
| a   | 1   |

: A small table, see @tbl-small. {#tbl-small}

Closing paragraph [@wilkinson2016fair].
"""

# Every block's first line, as an author sees the file (1-based), and a word found there.
EXPECTED = {
    2: "Tricky",  # the chapter heading comes from the front matter title
    9: "Opening", 12: "Lists", 14: "first", 15: "second", 16: "nested", 17: "third",
    19: "Loose", 21: "Second", 23: "Loose", 25: "Quoted", 28: "Quoted",
    30: "rec", 31: "Outer", 33: "inner", 34: "Inner", 37: "After", 40: "Col", 46: "Closing",
}  # fmt: skip

CONFIG = """\
title: Review fixture
version: "2.0"
date: 2026-03-01
bibliography: bibliography/references.bib
blocks:
  recommendation: {label: Recommendation, prefix: R}
review: {watermark: DRAFT}
reviewers:
  - name: Rita Reviewer
    email: rita@example.org
    organisation: Example Hospital
    chapters: [chapters/02-second.md]
    due: 2026-04-01
  - name: Sam Second
    chapters: [sec-tricky]
"""
SECOND = "---\ntitle: Second chapter\n---\n\nText of the second chapter [@topol2019].\n\n## Part {#sec-part}\n\nMore text.\n"


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True)


def make(root: Path, with_git: bool = True) -> Path:
    project = write_project(root, {"01-tricky.md": TRICKY, "02-second.md": SECOND}, CONFIG)
    if with_git:
        git(project, "init", "-q")
        git(project, "add", "-A")
        git(project, "-c", "user.email=t@example.org", "-c", "user.name=Test", "commit", "-qm", "fixture")
    return project


@pytest.fixture(scope="module")
def review_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    project = make(tmp_path_factory.mktemp("review"))
    return project, run_cli("build", project, "--review")


def fragments(page) -> list[tuple[float, float, str]]:  # type: ignore[no-untyped-def]
    """(x, y, text) of every text run on a page."""
    found: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            found.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text))

    page.extract_text(visitor_text=visit)
    return found


def test_every_destination_names_the_right_line(review_build: tuple[Path, Run]) -> None:
    project, result = review_build
    assert result.exit_code == 0, result.output
    pdf = project / "build" / "paper.review.pdf"
    reader = PdfReader(pdf)
    source = (project / "chapters" / "01-tricky.md").read_text().split("\n")
    found: dict[int, str] = {}
    for name, dest in reader.named_destinations.items():
        parsed = parse_destination(name)
        if parsed is None or parsed[0] != "chapters/01-tricky.md":
            continue
        line = parsed[1]
        page = reader.pages[reader.get_destination_page_number(dest)]
        top = float(dest["/Top"])
        # The first line of body text at or just below the destination, right of the margin markers.
        below = sorted((f for f in fragments(page) if f[1] <= top + 2 and f[0] > 70), key=lambda f: (-f[1], f[0]))
        assert below, name
        first_line = sorted((f for f in below if abs(f[1] - below[0][1]) < 3), key=lambda f: f[0])
        found[line] = " ".join(f[2] for f in first_line)  # the whole first line
    assert sorted(found) == sorted(EXPECTED)
    for line, word in EXPECTED.items():
        assert word.lower() in re.sub(r"\W", "", source[line - 1]).lower(), (line, source[line - 1])
        # A div's own line is its fence, and a table's caption is shown above it: skip those two.
        if line not in (30, 40):
            assert word.lower() in found[line].lower() or line == 2, (line, found[line])
    assert found[40].startswith("Table 1.")


def test_markers_sit_in_the_margin(review_build: tuple[Path, Run]) -> None:
    project, _ = review_build
    reader = PdfReader(project / "build" / "paper.review.pdf")
    markers = set()
    for page in reader.pages:
        for x, _, text in fragments(page):
            for match in re.finditer(r"(\d\d-[a-z]+\.md):(\d+)", text):
                assert x < 70, f"marker {match.group(0)} is not in the left margin (x={x})"
                markers.add((match.group(1), int(match.group(2))))
    assert {line for name, line in markers if name == "01-tricky.md"} == set(EXPECTED)


def test_watermark_on_every_page_but_not_in_the_text(review_build: tuple[Path, Run]) -> None:
    project, _ = review_build
    reader = PdfReader(project / "build" / "paper.review.pdf")
    for number, page in enumerate(reader.pages, start=1):
        assert page.images, f"page {number} has no watermark image"
        assert "DRAFT" not in page.extract_text()


def test_stamp_status_badge_and_commit(review_build: tuple[Path, Run]) -> None:
    project, _ = review_build
    reader = PdfReader(project / "build" / "paper.review.pdf")
    commit = subprocess.run(["git", "-C", str(project), "rev-parse", "--short=7", "HEAD"], capture_output=True, text=True).stdout.strip()
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert f"Review edition · version 2.0 · 1 March 2026 · commit {commit}\n" in text or re.search(
        rf"Review edition · version 2\.0 · 1 March 2026 · commit {commit}(?!\+)", text
    )
    assert "Status: In review · Owners: Ann Author" in text
    (project / "chapters" / "02-second.md").write_text(SECOND + "\nAn uncommitted edit.\n")
    assert run_cli("build", project, "--review", "--quiet").exit_code == 0
    dirty = "\n".join(p.extract_text() for p in PdfReader(project / "build" / "paper.review.pdf").pages)
    assert f"commit {commit}+dirty" in dirty
    git(project, "checkout", "--", "chapters/02-second.md")


@pytest.fixture(scope="module")
def round_started(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    project = make(tmp_path_factory.mktemp("round"))
    return project, run_cli("review", "start", "r1", "-C", project, "--docx")


def test_round_files_and_hashes(round_started: tuple[Path, Run]) -> None:
    project, result = round_started
    assert result.exit_code == 0, result.output
    folder = project / "review" / "r1"
    record = yaml.safe_load((folder / "round.yaml").read_text())
    head = subprocess.run(["git", "-C", str(project), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert record["commit"] == head and record["dirty"] is False
    names = sorted(f["path"] for f in record["files"])
    assert names == ["r1-00-full-paper.pdf", "r1-01-rita-reviewer.docx", "r1-01-rita-reviewer.pdf", "r1-02-sam-second.docx", "r1-02-sam-second.pdf"]
    for entry in record["files"]:
        assert hashlib.sha256((folder / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    assert [r["chapters"] for r in record["reviewers"]] == [["chapters/02-second.md"], ["chapters/01-tricky.md"]]
    assert not list((project / "review").glob(".*"))


def test_packets_hold_exactly_the_assigned_chapters(round_started: tuple[Path, Run]) -> None:
    project, _ = round_started
    folder = project / "review" / "r1"
    full = PdfReader(folder / "r1-00-full-paper.pdf")
    rita = PdfReader(folder / "r1-01-rita-reviewer.pdf")
    text = "\n".join(p.extract_text() for p in rita.pages)
    assert "Review packet for Rita Reviewer, Example Hospital" in text
    assert "Please return your comments by 1 April 2026." in text
    assert "2 Second chapter" in text and "1 Tricky layout" not in text and "Opening paragraph" not in text
    # The chapter pages keep the numbers they have in the full paper.
    full_page = next(i for i, p in enumerate(full.pages, 1) if "2 Second chapter" in p.extract_text())
    assert f"Page {full_page} of {len(full.pages)}" in text
    # Only the works cited in the chapter, numbered as in the full paper.
    assert re.search(r"1\.\s+Topol EJ", text) and "Wilkinson MD" not in text
    assert rita.metadata["/WhitepaperReviewer"] == "Rita Reviewer" and rita.metadata["/WhitepaperRound"] == "r1"
    names = [n for n in rita.named_destinations if parse_destination(n)]
    assert names and all(parse_destination(n)[0] == "chapters/02-second.md" for n in names)  # type: ignore[index]
    sam = "\n".join(p.extract_text() for p in PdfReader(folder / "r1-02-sam-second.pdf").pages)
    assert "1 Tricky layout" in sam and "2 Second chapter" not in sam


def test_word_copies(round_started: tuple[Path, Run]) -> None:
    project, _ = round_started
    with zipfile.ZipFile(project / "review" / "r1" / "r1-01-rita-reviewer.docx") as docx:
        document = docx.read("word/document.xml").decode()
    assert "Second chapter" in document and "Topol" in document and "Tricky layout" not in document


def test_round_list(round_started: tuple[Path, Run]) -> None:
    project, _ = round_started
    output = run_cli("review", "list", "-C", project).output
    assert re.search(r"r1\s+│\s+2026-03-01\s+│\s+[0-9a-f]{7}\s+│\s+2\s+│\s+none yet", output)


def test_round_errors_leave_nothing_behind(tmp_path: Path) -> None:
    project = make(tmp_path / "p")
    assert run_cli("review", "start", "r1", "-C", project).exit_code == 0
    again = run_cli("review", "start", "r1", "-C", project)
    assert again.exit_code == 1 and "review/r1: error: round 'r1' exists already; a round is never overwritten [round-exists]" in again.output
    (project / "chapters" / "02-second.md").write_text(SECOND + "\nEdited.\n")
    dirty = run_cli("review", "start", "r2", "-C", project)
    assert dirty.exit_code == 1 and "[round-dirty-tree]" in dirty.output
    assert run_cli("review", "start", "r2", "-C", project, "--allow-dirty", "--quiet").exit_code == 0
    assert "+dirty" in "".join(p.extract_text() for p in PdfReader(project / "review" / "r2" / "r2-00-full-paper.pdf").pages)
    config = (project / "whitepaper.yaml").read_text()
    (project / "whitepaper.yaml").write_text(config.replace("chapters: [sec-tricky]", "chapters: [chapters/09-missing.md]"))
    unknown = run_cli("review", "start", "r3", "-C", project, "--allow-dirty")
    assert unknown.exit_code == 1
    assert (
        "whitepaper.yaml:15:16: error: reviewer 'Sam Second' is assigned 'chapters/09-missing.md', which is not a chapter" in unknown.output
    )
    (project / "whitepaper.yaml").write_text(config.replace("  - name: Sam Second\n", "  - email: nameless@example.org\n"))
    nameless = run_cli("review", "start", "r3", "-C", project, "--allow-dirty")
    assert nameless.exit_code == 1 and "whitepaper.yaml:14:5: error: missing required key 'name' [config-missing]" in nameless.output
    assert sorted(p.name for p in (project / "review").iterdir()) == ["r1", "r2"]


def test_round_outside_git_keeps_a_source_copy(tmp_path: Path) -> None:
    project = make(tmp_path / "p", with_git=False)
    result = run_cli("review", "start", "r1", "-C", project, "--quiet")
    assert result.exit_code == 0, result.output
    record = yaml.safe_load((project / "review" / "r1" / "round.yaml").read_text())
    assert record["commit"] is None and record["source"] == "source/"
    assert (project / "review" / "r1" / "source" / "chapters" / "01-tricky.md").read_text() == TRICKY


def test_sample_paper_review_round(tmp_path: Path) -> None:
    project = copy_sample(tmp_path / "sample", review=False)  # a round r1 of its own
    result = run_cli("review", "start", "r1", "-C", project, "--quiet")
    assert result.exit_code == 0, result.output
    assert len(list((project / "review" / "r1").glob("r1-0[1-9]-*.pdf"))) == 3


def test_marker_labels_show_the_whole_source_position() -> None:
    """A long file name breaks into lines of the margin column, at a `-` or before a `.`; never cut short."""
    from whitepaper.review.edition import MARKER_WIDTH, marker_label

    assert marker_label("03-challenges.md", 42) == "03-challenges.md:42"
    for name, line, lines in [
        ("05-collaboration.md", 145, ["05-collaboration", ".md:145"]),
        ("01-executive-summary.md", 2, ["01-executive-", "summary.md:2"]),
        ("a-very-long-chapter-file-name-here.md", 1234, ["a-very-long-", "chapter-file-name-", "here.md:1234"]),
        ("x" * 30 + ".md", 3, ["x" * 19, "x" * 11 + ".md:3"]),
    ]:
        label = marker_label(name, line)
        assert label.split("\n") == lines and label.replace("\n", "") == f"{name}:{line}"
        assert all(len(part) <= MARKER_WIDTH for part in lines)


def test_every_marker_of_the_sample_shows_its_whole_position(tmp_path: Path) -> None:
    """In the review edition's text, each marker reads as its file name and line, whole."""
    project = copy_sample(tmp_path / "sample")
    assert run_cli("build", project, "--review", "-q").exit_code == 0
    reader = PdfReader(project / "build" / "whitepaper.review.pdf")
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    joined = re.sub(r"(\S)-\n(\S)", r"\1-\2", re.sub(r"(\S)\n(\.md:\d+)", r"\1\2", text))
    names = sorted(p.name for p in (project / "chapters").glob("*.md"))
    shown = set(re.findall(r"(\d\d-[a-z-]+\.md):\d+", joined))
    assert shown == set(names)
    assert "…" not in text


def test_review_page_size_and_comment_margin(tmp_path: Path) -> None:
    project = make(tmp_path / "p", with_git=False)
    config = project / "whitepaper.yaml"
    config.write_text(config.read_text().replace("review: {watermark: DRAFT}", "review: {watermark: REVIEW, comment-margin: 60mm, paper-size: letter}"))
    assert run_cli("build", project, "--review", "--quiet").exit_code == 0
    reader = PdfReader(project / "build" / "paper.review.pdf")
    box = reader.pages[2].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    right_edge = max(x for x, _, text in fragments(reader.pages[3]) if "Page" not in text and "Review" not in text)
    assert right_edge < 612 - 60 / 25.4 * 72 + 30  # the text stops before the comment margin
    config.write_text(config.read_text().replace("comment-margin: 60mm", "comment-margin: wide"))
    bad = run_cli("build", project, "--review")
    assert bad.exit_code == 1 and "review.comment-margin: give a length such as 40mm" in bad.output
