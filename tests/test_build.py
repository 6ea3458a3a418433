"""What a reader sees in the drafts of a small fixture paper."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from pypdf import PdfReader

from conftest import Run, pdf_pages, run_cli, toc_entries, write_project


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.fragments: list[str] = []
        self.external: list[tuple[str, str]] = []
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "html":
            self.lang = values.get("lang") or ""
        href = values.get("href") or ""
        if tag == "a" and href.startswith("#"):
            self.fragments.append(href[1:])
        for name in ("src",):
            if values.get(name) and not (values[name] or "").startswith("data:"):
                self.external.append((tag, values[name] or ""))
        if tag == "link" and values.get("rel") == "stylesheet":
            self.external.append((tag, href))


def parse_html(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_build_succeeds_without_warnings(small_build: tuple[Path, Run]) -> None:
    project, result = small_build
    assert result.exit_code == 0, result.output
    assert ": warning:" not in result.output and "; no warnings" in result.output
    assert re.search(r"built build/paper\.html \([\d.]+ kB\), build/paper\.pdf \([\d.]+ kB\) in [\d.]+ s", result.output)
    assert (project / "build" / "paper.html").is_file()
    assert (project / "build" / "paper.pdf").is_file()


def test_html_is_self_contained_and_links_resolve(small_build: tuple[Path, Run]) -> None:
    project, _ = small_build
    page = parse_html(project / "build" / "paper.html")
    assert page.lang == "en"
    assert page.external == []  # images embedded, CSS inlined
    assert page.fragments, "expected citation and contents links"
    missing = [f for f in page.fragments if f not in page.ids]
    assert missing == []
    assert {"ref-wilkinson2016fair", "ref-topol2019"} <= page.ids
    html = (project / "build" / "paper.html").read_text(encoding="utf-8")
    assert 'href="https://doi.org/10.1038/sdata.2016.18"' in html
    assert "data:image/svg+xml;base64," in html


def test_clashing_automatic_heading_ids_are_made_unique(small_build: tuple[Path, Run]) -> None:
    project, _ = small_build
    html = (project / "build" / "paper.html").read_text(encoding="utf-8")
    assert 'id="background"' in html
    assert 'id="sec-methods-background"' in html


def test_pdf_shows_title_authors_and_references(small_build: tuple[Path, Run]) -> None:
    project, _ = small_build
    pages = pdf_pages(project / "build" / "paper.pdf")
    assert "Fixture Paper" in pages[0]
    assert "Ada Example" in pages[0]
    assert "Example Institute" in pages[0]
    assert "Version 1.2" in pages[0] and "15 January 2026" in pages[0]
    everything = "\n".join(pages)
    # Vancouver: numbered, "Surname Initials", journal abbreviation style with year;volume:pages.
    assert re.search(r"1\.\s+Wilkinson MD, Dumontier M\. The FAIR guiding principles", everything)
    assert re.search(r"2\.\s+Topol EJ\. High-performance medicine", everything)


def test_pdf_running_header_and_page_footer(small_build: tuple[Path, Run]) -> None:
    project, _ = small_build
    pages = pdf_pages(project / "build" / "paper.pdf")
    total = len(pages)
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in text
        assert "Fixture · Version 1.2" in text
    assert "Page 1 of" not in pages[0]  # the title page is clean


def test_toc_page_numbers_match_the_pages(small_build: tuple[Path, Run]) -> None:
    project, _ = small_build
    pages = pdf_pages(project / "build" / "paper.pdf")
    entries = toc_entries(pages)
    assert [title for title, _ in entries] == ["1 Introduction", "1.1 Background", "2 Methods", "2.1 Background", "References", "Contributors"]
    for title, page in entries:
        lines = [line.strip() for line in pages[page - 1].splitlines()]
        assert title in lines, f"{title} not on page {page}"


def test_chapters_start_on_a_new_page(small_build: tuple[Path, Run]) -> None:
    project, _ = small_build
    pages = pdf_pages(project / "build" / "paper.pdf")
    for title in ("1 Introduction", "2 Methods", "References"):
        page = next(p for p in pages if re.search(rf"^{title}$", p, re.M) and "Contents" not in p)
        body = [line for line in page.splitlines() if "Version 1.2" not in line]
        assert body[0].strip() == title


def test_pdf_outline_mirrors_headings(small_build: tuple[Path, Run]) -> None:
    project, _ = small_build
    reader = PdfReader(project / "build" / "paper.pdf")

    def titles(outline: list) -> list:  # type: ignore[type-arg]
        result: list = []  # type: ignore[type-arg]
        for item in outline:
            result.append(titles(item) if isinstance(item, list) else item.title)
        return result

    assert titles(reader.outline) == [
        "Contents", "1 Introduction", ["1.1 Background"], "2 Methods", ["2.1 Background"], "References",
        "Contributors", ["Authors", "Affiliations", "Chapters and their owners"],
    ]  # fmt: skip


def test_pdf_metadata(small_build: tuple[Path, Run]) -> None:
    project, _ = small_build
    meta = PdfReader(project / "build" / "paper.pdf").metadata
    assert meta is not None
    assert meta.title == "Fixture Paper"
    assert meta.author == "Ada Example"
    assert meta["/CreationDate"].startswith("D:20260115")
    assert meta.creator.startswith("whitepaper ")


def test_pdf_has_a4_pages_and_letter_by_option(small_build: tuple[Path, Run], tmp_path: Path) -> None:
    project, _ = small_build
    box = PdfReader(project / "build" / "paper.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    letter = write_project(tmp_path / "letter", {"01-a.md": "# A\n\nText.\n"})
    result = run_cli("build", letter, "--pdf", "--paper-size", "letter")
    assert result.exit_code == 0, result.output
    box = PdfReader(letter / "build" / "paper.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    assert not (letter / "build" / "paper.html").exists()  # --pdf builds the PDF only


def test_citation_styles_by_name(tmp_path: Path) -> None:
    chapters = {"01-a.md": "# A\n\nCited [@wilkinson2016fair; @topol2019].\n"}
    expectations = {
        "apa": r"Wilkinson, M\. D\., & Dumontier, M\. \(2016\)\. The FAIR",
        "ieee": r"\[1\]\s+M\. D\. Wilkinson and M\. Dumontier, .The FAIR",
        "nature": r"1\.\s+Wilkinson, M\. D\. & Dumontier, M\. The FAIR",
        "chicago-author-date": r"Topol, Eric J\. 2019\. .High-Performance Medicine",
    }
    for style, pattern in expectations.items():
        config = f"title: Styles\ncsl: {style}\nbibliography: bibliography/references.bib\noutputs: {{formats: [pdf]}}\n"
        project = write_project(tmp_path / style, chapters, config)
        result = run_cli("build", project, "--quiet")
        assert result.exit_code == 0, result.output
        text = " ".join(" ".join(pdf_pages(project / "build" / "paper.pdf")).split())
        assert re.search(pattern, text), (style, text[-600:])


def test_project_templates_and_css_override_the_packaged_ones(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "custom",
        {"01-a.md": "# A\n\nText.\n"},
        "title: Custom\ncss: style/extra.css\noutputs: {formats: [html]}\n",
    )
    (project / "style").mkdir()
    (project / "style" / "extra.css").write_text("body { --marker-from-project-css: 1; }\n")
    (project / "templates").mkdir()
    (project / "templates" / "_abstract.html").write_text("<p id='custom-abstract'>Custom block</p>\n")
    result = run_cli("build", project)
    assert result.exit_code == 0, result.output
    html = (project / "build" / "paper.html").read_text(encoding="utf-8")
    assert "--marker-from-project-css" in html
    assert "id='custom-abstract'" in html


def test_quiet_prints_nothing_on_success(tmp_path: Path) -> None:
    project = write_project(tmp_path / "q", {"01-a.md": "# A\n\nText [@topol2019; @wilkinson2016fair].\n"})
    result = run_cli("build", project, "--quiet", "--html")
    assert result.exit_code == 0
    assert result.output == ""


def test_build_never_modifies_the_authors_files(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"01-a.md": "# A\n\nText [@topol2019].\n"})
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    assert run_cli("build", project).exit_code == 0
    after = {p: p.read_bytes() for p in project.rglob("*") if p.is_file() and "build" not in p.relative_to(project).parts}
    assert after == before
