"""The shipped sample paper: it builds cleanly, and its drafts read right."""

from __future__ import annotations

import hashlib
import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
import yaml
from pypdf import PdfReader

from conftest import REPO, Run, pdf_pages, run_cli, toc_entries
from test_build import parse_html


def test_sample_builds_without_warnings(sample_build: tuple[Path, Run]) -> None:
    project, result = sample_build
    assert result.exit_code == 0, result.output
    assert ": warning:" not in result.output and "; no warnings" in result.output
    assert (project / "build" / "whitepaper.html").is_file()
    assert (project / "build" / "whitepaper.pdf").is_file()


def test_sample_content_is_a_real_white_paper() -> None:
    chapters = sorted((REPO / "chapters").glob("*.md"))
    assert len(chapters) >= 6
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in chapters)
    assert words >= 6000
    bib = (REPO / "bibliography" / "references.bib").read_text(encoding="utf-8")
    entries = re.findall(r"^@\w+\{([^,]+),", bib, re.M)
    assert len(entries) >= 25
    assert list((REPO / "figures").glob("*.svg"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in chapters)
    assert re.search(r"^: .+\{#tbl-", text, re.M), "expected a captioned table"
    for key in entries:
        assert re.search(rf"@{re.escape(key)}\b", text), f"{key} is never cited"


def test_sample_title_page_lists_every_author(sample_build: tuple[Path, Run]) -> None:
    project, _ = sample_build
    config = yaml.safe_load((project / "whitepaper.yaml").read_text(encoding="utf-8"))
    first = pdf_pages(project / "build" / "whitepaper.pdf")[0]
    flat = " ".join(first.split())
    assert config["title"] in flat
    for author in config["authors"]:
        assert author["name"] in flat
    for affiliation in config["affiliations"]:
        assert affiliation["name"] in flat


def test_sample_toc_matches_pages_and_outline(sample_build: tuple[Path, Run]) -> None:
    project, _ = sample_build
    pdf = project / "build" / "whitepaper.pdf"
    pages = pdf_pages(pdf)
    entries = toc_entries(pages)
    chapter_titles = [
        yaml.safe_load(p.read_text(encoding="utf-8").split("---")[1])["title"]
        for p in sorted((project / "chapters").glob("*.md"))
    ]
    reader = PdfReader(pdf)
    top_level = [" ".join(item.title.split()) for item in reader.outline if not isinstance(item, list)]
    titles = [title for title, _ in entries]
    numbered = [next(t for t in titles if re.fullmatch(rf"(\d+ )?{re.escape(c)}", t)) for c in chapter_titles]
    assert numbered[0] == "Executive summary" and numbered[1] == "1 Introduction"
    assert top_level == ["Abstract", "Contents", "List of figures", "List of tables", *numbered, "References", "Abbreviations", "Contributors"]
    for title, page in entries:
        assert title in " ".join(pages[page - 1].split()), f"'{title}' is not on page {page}"
        assert title not in " ".join(pages[page - 2].split()), f"'{title}' is already on page {page - 1}"


def test_sample_references_are_complete_and_linked(sample_build: tuple[Path, Run]) -> None:
    project, _ = sample_build
    html_path = project / "build" / "whitepaper.html"
    page = parse_html(html_path)
    refs = {i for i in page.ids if i.startswith("ref-")}
    bib = (project / "bibliography" / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"^@\w+\{([^,]+),", bib, re.M))
    assert refs == {f"ref-{k}" for k in keys}
    assert [f for f in page.fragments if f not in page.ids] == []
    assert page.lang == "en-GB"
    assert page.external == []
    pdf_text = "\n".join(pdf_pages(project / "build" / "whitepaper.pdf"))
    numbers = re.findall(r"^(\d{1,3})\. ", pdf_text.split("\nReferences\n")[-1], re.M)
    expected = 1
    for number in numbers:  # wrapped lines may also start with a number: skip those
        expected += int(number) == expected
    assert expected - 1 == len(keys)


# The sample's review round r1 and release 1.0, committed with it --------------------------------


@pytest.fixture(scope="module")
def sample_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git clone of the repository: the round reads the Markdown its reviewers read from its commit."""
    if not (REPO / ".git").exists():
        pytest.skip("the repository is not a git clone")
    target = tmp_path_factory.mktemp("clone") / "repo"
    subprocess.run(["git", "clone", "-q", str(REPO), str(target)], check=True)
    return target


def test_the_sample_round_reads_back_as_committed(sample_clone: Path) -> None:
    """Round r1's returned files (a Word packet with comments, a reply and tracked changes, an
    annotated PDF, a comment sheet) collect into the committed register and nothing else."""
    project = sample_clone
    register = project / "review" / "r1" / "comments.yaml"
    before = register.read_text()
    result = run_cli("review", "collect", "r1", project / "review" / "r1" / "returned", "-C", project)
    assert result.exit_code == 0 and result.output.startswith("0 new comments from 3 files"), result.output
    assert "warning" not in result.output and register.read_text() == before
    entries = yaml.safe_load(before)["comments"]
    word = [e for e in entries if e["packet"].endswith(".docx")]
    assert {"comment", "reply", "replacement", "insertion", "deletion"} <= {e["kind"] for e in word}
    reply = next(e for e in word if e["kind"] == "reply")
    assert reply["author"] == "Pieter de Vries" and reply["in_reply_to"] in {e["id"] for e in word if e["kind"] == "comment"}
    assert any(e.get("suggestion") for e in entries if e["packet"].endswith(".pdf"))  # a struck-out wording
    assert not [e["id"] for e in entries if e["status"] == "open"]
    applied = [e for e in entries if e.get("applied")]
    for entry in applied:  # each applied suggestion's new wording stands in the chapter now
        assert " ".join(entry["suggestion"]["new"].split()) in " ".join((project / entry["suggestion"]["file"]).read_text().split())


def test_the_sample_response_to_reviewers_is_up_to_date(sample_clone: Path) -> None:
    """The committed report and response are what `review report r1` writes today.
    If this fails after a change to the reports, run `whitepaper review report r1` and commit review/r1/."""
    project = sample_clone
    assert run_cli("review", "report", "r1", "-C", project).exit_code == 0
    for name in ("report.html", "responses.html"):
        regenerated = (project / "review" / "r1" / name).read_text()
        assert regenerated == (REPO / "review" / "r1" / name).read_text(), f"review/r1/{name} is out of date: run `whitepaper review report r1`"
    responses = (REPO / "review" / "r1" / "responses.html").read_text()
    assert "<strong>Reply from Pieter de Vries.</strong>" in responses and "(to be written)" not in responses
    with zipfile.ZipFile(REPO / "review" / "r1" / "responses.docx") as docx:
        assert "Pieter de Vries" in docx.read("word/document.xml").decode()


def test_the_sample_release_is_whole_and_archival() -> None:
    folder = REPO / "releases" / "1.0"
    sums = dict(reversed(line.split("  ", 1)) for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {".zenodo.json", "CHANGES.md", "CITATION.cff", "whitepaper.docx", "whitepaper.html", "whitepaper.pdf"}
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    pdf = pikepdf.open(folder / "whitepaper.pdf")
    meta = pdf.open_metadata()
    assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("3", "U")
    assert {"whitepaper.yaml", "chapters/01-executive-summary.md"} <= set(pdf.attachments)
    pages = pdf_pages(folder / "whitepaper.pdf")
    assert "Version 1.0" in pages[0] and "Review edition" not in " ".join(pages) and "DRAFT" not in " ".join(pages)
    assert "Contributors" in pages[-1] or "Contributors" in pages[-2]
    assert yaml.safe_load((folder / "CITATION.cff").read_text())["version"] == "1.0"
