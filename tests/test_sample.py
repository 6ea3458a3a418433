"""The shipped sample paper: it builds cleanly, and its drafts read right."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pypdf import PdfReader

from conftest import REPO, Run, pdf_pages, toc_entries
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
    assert top_level == ["Abstract", "Contents", "List of figures", "List of tables", *numbered, "References", "Contributors"]
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
