"""`review apply`: accepted suggestions written into the chapters, exactly, once, and nowhere else."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from conftest import run_cli, write_project
from test_review import make
from whitepaper.project import Project
from whitepaper.review.frozen import FrozenSources, RoundInfo
from whitepaper.review.register import Comment, Suggestion
from whitepaper.review.report import locate
from whitepaper.review.suggestions import place

SHEET = """\
reviewer,location,comment,old,new
Rita Reviewer,02-second.md:5,Plainer.,Text of the second chapter,Text of chapter two
Rita Reviewer,02-second.md:9,,More text,More text here
Sam Second,01-tricky.md:9,Shorter.,after blank lines,
Sam Second,01-tricky.md:46,Not in the source,Closing words,Final words
"""


def accept(project: Path, *comments: str) -> dict[str, str]:
    """Mark the register's entries whose comment starts with one of `comments` accepted; their ids."""
    path = project / "review" / "r1" / "comments.yaml"
    data = yaml.safe_load(path.read_text())
    ids = {}
    for entry in data["comments"]:
        for text in comments:
            if entry["comment"].startswith(text):
                entry["status"] = "accepted"
                ids[text] = entry["id"]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return ids


@pytest.fixture
def collected(tmp_path: Path) -> Path:
    project = make(tmp_path / "p")
    assert run_cli("review", "start", "r1", "-C", project, "-q").exit_code == 0
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET)
    result = run_cli("review", "collect", "r1", sheet, "-C", project)
    assert result.exit_code == 0, result.output
    assert (
        "'Closing words' is not in the Markdown" in result.output and "[collect-suggestion-unplaced]" in result.output
    )
    return project


def test_accepted_replacement_insertion_and_deletion(collected: Path) -> None:
    project = collected
    second, tricky = project / "chapters" / "02-second.md", project / "chapters" / "01-tricky.md"
    before = {path: path.read_bytes() for path in (second, tricky)}
    accept(project, "Plainer.", "Replace “More text”", "Shorter.")
    dry = run_cli("review", "apply", "r1", "-C", project, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert (
        "-Text of the second chapter [@topol2019]." in dry.output and "+Text of chapter two [@topol2019]." in dry.output
    )
    assert "+More text here." in dry.output and "+Opening paragraph," in dry.output
    assert all(path.read_bytes() == data for path, data in before.items())  # --dry-run writes nothing
    result = run_cli("review", "apply", "r1", "-C", project)
    assert result.exit_code == 0, result.output
    assert "applied 3 suggestions to chapters/02-second.md, chapters/01-tricky.md" in result.output
    assert second.read_text() == before[second].decode().replace(
        "Text of the second chapter", "Text of chapter two"
    ).replace("More text.", "More text here.")
    assert tricky.read_text() == before[tricky].decode().replace(
        "Opening paragraph after blank lines,", "Opening paragraph,"
    )
    register = yaml.safe_load((project / "review" / "r1" / "comments.yaml").read_text())["comments"]
    applied = [c for c in register if c.get("applied")]
    assert len(applied) == 3 and all(
        re.match(r"\d{4}-\d\d-\d\dT[\d:]+Z on [0-9a-f]{7}$", c["applied"]) for c in applied
    )
    after = {path: path.read_bytes() for path in (second, tricky)}
    again = run_cli("review", "apply", "r1", "-C", project)
    assert again.exit_code == 0 and "applied 0 suggestions" in again.output
    assert all(path.read_bytes() == data for path, data in after.items())  # applying again changes nothing


def test_a_conflict_leaves_its_file_and_applies_the_others(collected: Path) -> None:
    project = collected
    second, tricky = project / "chapters" / "02-second.md", project / "chapters" / "01-tricky.md"
    tricky.write_text(
        tricky.read_text().replace("after blank lines", "after some blank lines")
    )  # edited since the round
    kept = tricky.read_bytes()
    ids = accept(project, "Plainer.", "Shorter.")
    result = run_cli("review", "apply", "r1", "-C", project)
    assert result.exit_code == 1
    assert re.search(
        rf"chapters/01-tricky\.md:9:\d+: error: {ids['Shorter.']}: 'after blank lines' is no longer here; "
        r"chapters/01-tricky\.md is left as it is \[apply-conflict\]",
        result.output,
    )
    assert tricky.read_bytes() == kept
    assert "Text of chapter two" in second.read_text()


def test_moved_lines_line_endings_and_front_matter_are_kept(collected: Path) -> None:
    project = collected
    second = project / "chapters" / "02-second.md"
    text = second.read_text().replace("Text of the second", "A new first paragraph.\n\nText of the second")
    second.write_bytes(text.replace("\n", "\r\n").encode())  # saved on Windows, lines moved since the round
    accept(project, "Plainer.", "Replace “More text”")
    result = run_cli("review", "apply", "r1", "-C", project)
    assert result.exit_code == 0, result.output
    data = second.read_bytes()
    assert (
        data
        == text.replace("Text of the second chapter", "Text of chapter two")
        .replace("More text.", "More text here.")
        .replace("\n", "\r\n")
        .encode()
    )
    assert data.startswith(b"---\r\ntitle: Second chapter\r\n---\r\n")


def test_ids_name_what_to_apply(collected: Path) -> None:
    project = collected
    register = yaml.safe_load((project / "review" / "r1" / "comments.yaml").read_text())["comments"]
    plainer = next(c["id"] for c in register if c["comment"] == "Plainer.")
    result = run_cli("review", "apply", "r1", plainer, "-C", project)  # not accepted, but named
    assert result.exit_code == 0 and "applied 1 suggestion to chapters/02-second.md" in result.output
    unknown = run_cli("review", "apply", "r1", "c-nothing", "-C", project)
    assert (
        unknown.exit_code == 1
        and "c-nothing: error: no comment of the round has this id [apply-conflict]" in unknown.output
    )


def test_the_report_shows_suggestions_as_redlines(collected: Path) -> None:
    project = collected
    result = run_cli("review", "report", "r1", "-C", project)
    assert result.exit_code == 0, result.output
    folder = project / "review" / "r1"
    for name in ("report.html", "responses.html"):
        page = (folder / name).read_text()
        assert (
            '<p class="suggestion"><strong>Suggested:</strong> Text of <del>the second chapter</del><ins>chapter two</ins>'
            in page
        )
        assert "More text<ins> here</ins>" in page
    text = " ".join((page.extract_text() or "") for page in PdfReader(folder / "report.pdf").pages)
    assert re.search(r"Suggested: Text of the second chapter ?chapter two", " ".join(text.split()))
    with zipfile.ZipFile(folder / "responses.docx") as docx:
        xml = docx.read("word/document.xml").decode()
    assert re.search(r"<w:strike ?/>.*?the second chapter", xml) and re.search(
        r'<w:u w:val="single" ?/>.*?chapter two', xml
    )


def test_an_applied_suggestion_is_still_found_in_the_report(tmp_path: Path) -> None:
    """A block reads otherwise once a suggestion rewrote most of it: it is found as applied, not gone."""
    project = write_project(
        tmp_path / "p", {"01-a.md": "# A\n\nIntro.\n\nNew first words of the block, then the rest.\n"}
    )
    suggestion = Suggestion(
        old="Old words", new="New first words of the block,", file="chapters/01-a.md", line=5, col=1
    )
    comment = Comment(
        id="c-1", reviewer="R", organisation=None, file="chapters/01-a.md", line=3, page=None, quote="Old words",
        source="Old words then the rest.", comment="", kind="sheet", suggestion=suggestion, applied="2026-01-01T00:00:00Z",
    )  # fmt: skip
    comment.line = suggestion.line = 3  # made on line 3; an intro paragraph was added above since
    (located,) = locate(Project(project), [comment])
    assert located.line == 5 and located.where == "chapters/01-a.md:5"
    comment.applied = None  # not applied: the text the comment was made on is gone
    (located,) = locate(Project(project), [comment])
    assert located.line is None and "text gone" in located.where


def test_suggestions_written_as_criticmarkup_for_the_owner(collected: Path) -> None:
    project = collected
    second = project / "chapters" / "02-second.md"
    before = second.read_text()
    accept(project, "Plainer.", "Replace “More text”")
    result = run_cli("review", "apply", "r1", "--as-suggestions", "-C", project)
    assert result.exit_code == 0, result.output
    assert "wrote 2 suggestions as CriticMarkup to chapters/02-second.md" in result.output
    text = second.read_text()
    assert "Text of {~~the second chapter~>chapter two~~}{>>Rita Reviewer (c-" in text and "): Plainer.<<}" in text
    assert "More text{++ here++}{>>Rita Reviewer (c-" in text  # a change with no words of its own: no comment text
    register = yaml.safe_load((project / "review" / "r1" / "comments.yaml").read_text())["comments"]
    assert sum(1 for c in register if str(c.get("applied", "")).endswith("as a suggestion")) == 2
    pending = run_cli("check", project)
    assert pending.output.count("[suggestion-pending]") == 2  # a change and its comment are one suggestion
    decided = run_cli("review", "apply", "--source", "chapters/02-second.md", "--all", "-C", project)
    assert decided.exit_code == 0, decided.output
    assert second.read_text() == before.replace("Text of the second chapter", "Text of chapter two").replace(
        "More text.", "More text here."
    )


@pytest.mark.parametrize("old", [" explicitly", "explicitly ", "explicitly", " explicitly "])
def test_a_deleted_word_leaves_one_space_between_its_neighbours(tmp_path: Path, old: str) -> None:
    """However a reviewer selected the word they struck out, applying it leaves `budget for`."""
    project = write_project(
        tmp_path / "p", {"01-a.md": "# A\n\nFunders should budget explicitly for data stewardship.\n"}
    )
    paper = Project(project)
    sources = FrozenSources(paper, RoundInfo("r1", paper.round_dir("r1"), {}))
    suggestion = place(
        sources, "chapters/01-a.md", 3, old, "", before="Funders should budget", after="for data stewardship."
    )
    assert suggestion is not None
    line = (project / "chapters" / "01-a.md").read_text().split("\n")[suggestion.line - 1]
    start = suggestion.col - 1
    assert line[start : start + len(suggestion.old)] == suggestion.old
    assert (
        line[:start] + suggestion.new + line[start + len(suggestion.old) :]
        == "Funders should budget for data stewardship."
    )
