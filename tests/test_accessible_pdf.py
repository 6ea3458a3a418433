"""Every PDF the tool writes is tagged, and the draft and the release are PDF/UA-1: a structure
tree in reading order, artifacts out of it, alternative text, languages (see pdf/tags.py)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pikepdf
import pypdf
import pytest
from pdfua import Severity, validate

from conftest import REPO, Run, run_cli, write_project

PDFUA_BROKEN = {"UA-14-001"}  # pdfua 0.1.3 raises on any heading whose /K is an array; checked here instead

CONFIG = """\
title: Accessible fixture
version: "0.9"
date: 2026-03-01
lang: en-GB
license: Released under the Creative Commons Attribution 4.0 International licence (CC BY 4.0).
authors:
  - {name: Ada Example, affiliations: [inst]}
affiliations:
  - {id: inst, name: Example Institute}
bibliography: bibliography/references.bib
editors: [Eda Editor]
reviewers:
  - {name: Rita Reviewer, chapters: [chapters/01-one.md]}
"""
ONE = """\
---
title: One
owners: [Ada Example]
---

Findable data [@wilkinson2016fair] are described on [the site of the principles](https://www.go-fair.org/).

## Methods

@tbl-tools lists the tools and @fig-square shows a square.

| Tool | Use |
|------|-----|
| pandoc | parsing |
| WeasyPrint | layout |

: Tools used. {#tbl-tools}

![A blue square.](figures/square.svg){#fig-square width=30%}

![](figures/square.svg){alt="" width=5%}

The energy is $E = mc^2$ in this line.

::: {lang=fr}
Les données ouvertes sont utiles.
:::

Privacy is [Datenschutz]{lang=de} in German.
"""
TWO = "---\ntitle: Two\nowners: [Ada Example]\n---\n\nFast medicine [@topol2019].\n"
SQUARE = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="100" height="100"><rect width="10" height="10" fill="#369"/></svg>'


# --- reading a structure tree -----------------------------------------------------------------


@dataclass
class Element:
    role: str
    depth: int
    node: pikepdf.Dictionary
    marks: list[tuple[int, int]]  # (page index, MCID) of its own marked content, in order
    index: int = 0  # its place in the depth-first list
    reading: list[tuple[int, int]] = field(default_factory=list)  # its marked content and its descendants', in reading order
    end: int = 0  # the place after its last descendant

    def holds(self, other: Element) -> bool:
        return self.index <= other.index < self.end


def kids(node: pikepdf.Object) -> list[pikepdf.Object]:
    k = node.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def elements(pdf: pikepdf.Pdf) -> list[Element]:
    """Every structure element, depth first, in the order the tree gives."""
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    found: list[Element] = []

    def walk(node: pikepdf.Object, depth: int, page: int | None) -> list[tuple[int, int]]:
        page = pages.get(node.Pg.objgen, page) if "/Pg" in node else page
        element = Element(str(node.S), depth, node, [], len(found))
        found.append(element)
        for kid in kids(node):
            if isinstance(kid, int):
                element.marks.append((page, int(kid)))  # type: ignore[arg-type]
                element.reading.append(element.marks[-1])
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                element.marks.append((pages[kid.Pg.objgen], int(kid.MCID)))
                element.reading.append(element.marks[-1])
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                element.reading += walk(kid, depth + 1, page)
        element.end = len(found)
        return element.reading

    for top in kids(pdf.Root.StructTreeRoot):
        walk(top, 0, None)
    return found


def marked_text(path: Path, pages: int | None = None) -> dict[tuple[int, int], str]:
    """The text of each piece of marked content of the first `pages` (or all): (page index, MCID) -> text."""
    texts: dict[tuple[int, int], str] = {}
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages[:pages]):
            for char in page.chars:
                if char.get("mcid") is not None:
                    key = (index, char["mcid"])
                    texts[key] = texts.get(key, "") + char["text"]
    return texts


def structure_text(found: list[Element], texts: dict[tuple[int, int], str], page: int | None = None) -> str:
    """What a screen reader reads: the tree's marked content in tree order (on one page, or all)."""
    marks = [mark for element in found if element.depth == 0 for mark in element.reading if page is None or mark[0] == page]
    return " ".join(" ".join(texts.get(mark, "") for mark in marks).split())


def read(path: Path) -> tuple[list[Element], dict[tuple[int, int], str]]:
    with pikepdf.open(path) as pdf:
        return elements(pdf), marked_text(path)


def page_text(path: Path, pages: int = 0, first: int = 1) -> str:
    """What pdftotext shows of pages `first` to `pages` (1-based; 0: to the end)."""
    last = ["-l", str(pages)] if pages else []
    shown = subprocess.run(["pdftotext", "-layout", "-f", str(first), *last, str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(shown.split())


def tagged(path: Path) -> bool:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return re.search(r"^Tagged:\s+yes$", info, re.MULTILINE) is not None


def assert_passes_pdfua(path: Path) -> None:
    report = validate(str(path))
    problems = [f"{f.rule_id} {f.location.describe()}: {f.message}" for f in report.findings if f.severity >= Severity.WARNING]
    assert not problems, "\n".join(problems)
    assert {o.rule_id for o in report.skipped} <= PDFUA_BROKEN


def assert_well_formed(path: Path) -> None:
    """What pdfua leaves out or cannot run: headings have text, figures and formulas /Alt,
    every table's header cells a /Scope, and the tree and the pages agree (assert_mapped)."""
    with pikepdf.open(path) as pdf:
        found = elements(pdf)
        assert str(pdf.Root.Lang) and pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert all(page.get("/Tabs") == "/S" for page in pdf.pages if "/Annots" in page)
    for element in found:
        if re.fullmatch(r"/H[1-6]", element.role):
            assert any(e.marks for e in found[element.index : element.end]), f"empty {element.role}"
        if element.role in ("/Figure", "/Formula"):
            assert str(element.node.get("/Alt", "")).strip(), f"{element.role} without /Alt"
        if element.role == "/TH":
            assert element.node.A.Scope in ("/Column", "/Row")
    tables = [e for e in found if e.role == "/Table"]
    assert all(any(e.role == "/TH" for e in found[t.index : t.end]) for t in tables)
    assert_mapped(path)
    assert_object_streams_agree(path)


def assert_object_streams_agree(path: Path) -> None:
    """Each object kept in an object stream is at the index the cross-reference stream gives:
    pdf.js goes by that index rather than searching the stream's table, so a wrong one shows
    another object. (Tagging frees objects, which pydyf once counted into the indices.)"""
    reader = pypdf.PdfReader(path)
    assert reader.xref_objStm, "no object streams: nothing checked"
    tables: dict[int, list[int]] = {}
    for number, (stream, index) in reader.xref_objStm.items():
        if stream not in tables:
            objects = reader.get_object(stream)
            header = objects.get_data()[: int(objects["/First"])].split()  # type: ignore[union-attr,index]
            tables[stream] = [int(n) for n in header[::2]]
        assert tables[stream][index] == number, f"object {number} is not at index {index} of stream {stream}"


PAINTING = {"Tj", "TJ", "'", '"', "Do", "BI", "sh", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*"}  # operators that paint


def assert_mapped(path: Path) -> None:
    """Everything painted on the pages is tagged content or an artifact; every piece of marked
    content is in the tree once, and the parent tree maps it back to its element (what a reader
    uses to go from the text under the cursor to its tag)."""
    owners: dict[tuple[int, int], tuple[int, int]] = {}  # (page index, MCID) -> its element's object
    with pikepdf.open(path) as pdf:
        assert pdf.check_pdf_syntax() == []  # what qpdf finds wrong (an unsorted name tree, say)
        for element in elements(pdf):
            for mark in element.marks:
                assert mark not in owners, f"{mark} in the tree twice"
                owners[mark] = element.node.objgen
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        parents = dict(zip((int(n) for n in nums[::2]), nums[1::2], strict=True))
        marked: set[tuple[int, int]] = set()
        for index, page in enumerate(pdf.pages):
            depth = 0
            for operands, operator in pikepdf.parse_content_stream(page):
                name = str(operator)
                depth += {"BDC": 1, "BMC": 1, "EMC": -1}.get(name, 0)
                assert depth > 0 or name not in PAINTING, f"page {index + 1}: {name} neither content nor artifact"
                if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                    mcid = int(operands[1].MCID)
                    marked.add((index, mcid))
                    assert parents[int(page.StructParents)][mcid].objgen == owners[(index, mcid)]
    assert marked == set(owners)


# --- the sample paper's draft -------------------------------------------------------------------


FIRST_PAGES = 14  # of the sample: title, abstract, contents, the first chapters (text is read from these only: it is slow)


@pytest.fixture(scope="module")
def draft(sample_build: tuple[Path, Run]) -> Path:
    project, result = sample_build
    assert result.exit_code == 0, result.output
    return project / "build" / "whitepaper.pdf"


@pytest.fixture(scope="module")
def draft_tree(draft: Path) -> tuple[list[Element], dict[tuple[int, int], str]]:
    with pikepdf.open(draft) as pdf:
        return elements(pdf), marked_text(draft, FIRST_PAGES)


def test_the_sample_draft_is_pdf_ua(draft: Path) -> None:
    assert tagged(draft)
    assert_passes_pdfua(draft)
    assert_well_formed(draft)
    with pikepdf.open(draft) as pdf:
        assert pdf.open_metadata().get("pdfuaid:part") == "1" and str(pdf.Root.Lang) == "en-GB"


def expected_tags(markdown: str) -> list[str]:
    """The structure a chapter's blocks make: its title an H1, `##` an H2, a list an L, a fenced
    div a Div, anything else a paragraph."""
    body = markdown.split("---", 2)[2]
    tags, fenced = ["/H1"], False
    for block in (b.strip() for b in body.split("\n\n") if b.strip()):
        if fenced:
            fenced = not block.endswith(":::")
            continue
        if block.startswith(":::"):
            tags.append("/Div")
            fenced = not (block.endswith(":::") and "\n" in block)  # its closing fence is in a later block
        elif block.startswith("#"):
            tags.append(f"/H{len(block.split()[0])}")
        else:
            tags.append("/L" if block.startswith("- ") else "/P")
    return tags


def test_the_first_chapter_is_tagged_in_reading_order(draft_tree: tuple[list[Element], dict[tuple[int, int], str]]) -> None:
    found, texts = draft_tree
    heading = next(e for e in found if e.role == "/H1" and _text(e, found, texts) == "Executive summary")
    chapter = next(e for e in reversed(found[: heading.index]) if e.depth == heading.depth - 1)
    blocks = [e.role for e in found[chapter.index : chapter.end] if e.depth == heading.depth]
    assert blocks == expected_tags((REPO / "chapters" / "01-executive-summary.md").read_text(encoding="utf-8"))
    # One paragraph for each of the source's, also for the one that goes on over a page break
    fifth = [e for e in found if e.role == "/P" and _text(e, found, texts).startswith("Fifth,")]
    assert len(fifth) == 1 and _text(fifth[0], found, texts).endswith(".")
    assert len({mark[0] for e in found[fifth[0].index : fifth[0].end] for mark in e.marks}) == 2


def _text(element: Element, found: list[Element], texts: dict[tuple[int, int], str]) -> str:
    return " ".join("".join(texts.get(m, "") for m in element.reading).split())


def test_running_heads_and_page_numbers_are_artifacts(draft: Path, draft_tree: tuple[list[Element], dict[tuple[int, int], str]]) -> None:
    spoken, shown = structure_text(*draft_tree), page_text(draft, FIRST_PAGES)
    for artifact in ("From Particles to Patients · Version 1.0", "Page 7 of", ". . . . ."):
        assert artifact in shown and artifact not in spoken, artifact
    assert "Biomedical research and health care now generate data" in spoken and "Executive summary 6" in spoken  # the contents


def test_a_page_reads_like_its_source(draft: Path, draft_tree: tuple[list[Element], dict[tuple[int, int], str]]) -> None:
    """A screen reader's order on a page: the heading, then the source's paragraphs as written;
    and pdftotext's order of the page (what copying the text gives) is the source's too."""
    found, texts = draft_tree
    heading = next(e for e in found if e.role == "/H1" and _text(e, found, texts).endswith("Challenges"))
    page = next(mark[0] for e in found[heading.index : heading.end] for mark in e.marks)
    read = structure_text(found, texts, page).replace("\u2010 ", "")  # words hyphenated at line ends, joined
    source = (REPO / "chapters" / "03-challenges.md").read_text(encoding="utf-8")
    first = source.split("\n\n")[1]  # the chapter's first paragraph, after its front matter
    words = re.sub(r"@sec-platforms", "", re.sub(r"@sec-recommendations", "", first)).split()
    assert read.startswith("2 Challenges This chapter describes the obstacles")
    for text in (read, page_text(draft, page + 1, first=page + 1).replace("‐ ", "")):
        at = 0
        for word in words[:40]:  # the words in the source's order, nothing in between but cross-references
            at = text.index(word, at) + len(word)
    assert read.index("Privacy and re-identification") < read.index("Disclosure of health data")
    assert not re.search(r"Page \d+ of \d+|· Version", read)


# --- a small paper through review, release and redline -------------------------------------------


def git(project: Path, *args: str) -> None:
    identity = ["-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run(["git", *identity, "-C", str(project), *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A paper in git, released, reviewed and then edited: every kind of PDF the tool writes."""
    project = write_project(tmp_path_factory.mktemp("accessible") / "paper", {"01-one.md": ONE, "02-two.md": TWO}, CONFIG)
    (project / "figures").mkdir()
    (project / "figures" / "square.svg").write_text(SQUARE, encoding="utf-8")
    git(project, "init", "-q", "-b", "main")
    for chapter in ("01-one.md", "02-two.md"):
        assert run_cli("approve", chapter, "--by", "Eda Editor", "-C", project).exit_code == 0
    git(project, "add", "-A")
    git(project, "commit", "-qm", "paper")
    steps = [
        ("release", "1.0", "--no-tag", "-q", "-C", project),
        ("review", "start", "r1", "-q", "--allow-dirty", "-C", project),
        ("review", "report", "r1", "-C", project),
    ]
    for step in steps:
        result = run_cli(*step)
        assert result.exit_code == 0, result.output
    chapter = project / "chapters" / "02-two.md"
    chapter.write_text(chapter.read_text().replace("Fast medicine", "Fast and careful medicine"))
    result = run_cli("diff", "r1", "-C", project, "-q")
    assert result.exit_code == 0, result.output
    return project


def test_every_pdf_is_tagged(paper: Path) -> None:
    pdfs = sorted(p.relative_to(paper).as_posix() for p in paper.rglob("*.pdf") if ".cache" not in p.parts)
    kinds = ["build/diff-r1-", "releases/1.0/paper.pdf", "review/r1/r1-00-full-paper.pdf", "review/r1/r1-01-rita-reviewer.pdf", "review/r1/report.pdf", "review/r1/responses.pdf"]
    assert all(any(p.startswith(kind) for p in pdfs) for kind in kinds), pdfs
    assert [p for p in pdfs if not tagged(paper / p)] == []


def test_the_release_is_pdf_a_and_pdf_ua(paper: Path) -> None:
    release = paper / "releases" / "1.0" / "paper.pdf"
    assert_passes_pdfua(release)
    assert_well_formed(release)
    with pikepdf.open(release) as pdf:
        metadata = pdf.open_metadata()
        assert metadata.pdfa_status == "3A" and metadata.get("pdfuaid:part") == "1"
        assert "chapters/01-one.md" in pdf.attachments


def test_figures_math_languages_and_decoration(paper: Path) -> None:
    release = paper / "releases" / "1.0" / "paper.pdf"
    with pikepdf.open(release) as pdf:
        found = elements(pdf)
        by_role = {role: [e for e in found if e.role == role] for role in ("/Figure", "/Formula", "/TH", "/Div", "/Span", "/Link")}
        assert [str(e.node.Alt) for e in by_role["/Figure"]] == ["A blue square."]  # the decorative one is an artifact
        group = _grouping(by_role["/Figure"][0].node)  # the figure's image and caption, held together
        assert group.S == "/Div" and [str(k.S) for k in kids(group) if "/S" in k][-1] == "/Caption"
        assert [str(e.node.Alt) for e in by_role["/Formula"]] == ["E = mc^2"]
        assert [str(e.node.A.Scope) for e in by_role["/TH"]] == ["/Column", "/Column"]
        assert [str(e.node.Lang) for e in by_role["/Div"] if "/Lang" in e.node] == ["fr"]
        assert [str(e.node.Lang) for e in by_role["/Span"] if "/Lang" in e.node] == ["de"]
        links = [a for page in pdf.pages for a in page.get("/Annots", []) if a.Subtype == "/Link"]
        assert links and all(str(a.get("/Contents", "")).strip() for a in links)
        assert "the site of the principles" in [str(a.Contents) for a in links]
        with pdf.open_outline() as outline:  # bookmarks: the headings, nested by level
            chapters = {str(item.title): [str(kid.title) for kid in item.children] for item in outline.root}
        assert chapters["1 One"] == ["1.1 Methods"] and chapters["2 Two"] == []
    assert "Les données ouvertes sont utiles." in structure_text(*read(release))


def _grouping(node: pikepdf.Dictionary) -> pikepdf.Dictionary:
    """The nearest element above a node that is not a NonStruct (which groups nothing)."""
    node = node.P
    while node.S == "/NonStruct":
        node = node.P
    return node


def test_review_markers_are_artifacts_and_destinations(paper: Path) -> None:
    """The source-line markers stay on the page, for review tools and readers, but out of the tree."""
    review = paper / "review" / "r1" / "r1-00-full-paper.pdf"
    assert_passes_pdfua(review)
    assert_mapped(review)  # the markers, the stamp and the watermark painted as artifacts
    shown, spoken = page_text(review), structure_text(*read(review))
    assert "01-one.md:6" in shown and "01-one.md:" not in spoken and "DRAFT" not in spoken
    assert "Findable data" in spoken
    with pikepdf.open(review) as pdf:
        names = pikepdf.NameTree(pdf.Root.Names.Dests)
        assert "L:chapters/01-one.md:6" in names
