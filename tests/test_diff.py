"""Redlines: every kind of change, read back from the HTML, the PDF and the Word file."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import CHROMIUM, CHROMIUM_FLAGS, Run, run_cli, write_project
from whitepaper import pandoc

BIB = """\
@article{alpha2020, author = {Alpha, A.}, title = {Alpha}, journal = {J}, year = {2020}}
@article{beta2021, author = {Beta, B.}, title = {Beta}, journal = {J}, year = {2021}}
@article{gamma2022, author = {Gamma, G.}, title = {Gamma}, journal = {J}, year = {2022}}
"""
CONFIG = """\
title: Diff fixture
authors: [{name: Ed Itor}]
date: 2026-05-01
bibliography: bibliography/references.bib
csl: vancouver
blocks:
  recommendation: {label: Recommendation, prefix: R}
"""
MOVABLE = "This paragraph is long enough to be recognised when it is moved somewhere else in the chapter."
V1 = {
    "01-first.md": f"""---
title: First
---

The quick brown fox jumps over the lazy dog.

Second paragraph stays the same and cites a work [@beta2021].

{MOVABLE}

| Item | Cost |
|------|------|
| A    | 10   |
| B    | 20   |

: Costs. {{#tbl-costs}}

![A square.](figures/square.svg){{#fig-square}}

See @tbl-costs and @fig-square.

::: {{#rec-one .recommendation title="First recommendation"}}
Do the first thing.
:::
""",
    "02-second.md": "---\ntitle: Second\n---\n\nThis chapter will be removed entirely.\n",
    "03-third.md": "---\ntitle: Third\n---\n\nThe third chapter will only be renamed, its text untouched [@gamma2022].\n",
}
SQUARE = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="60" height="60"><rect width="10" height="10" fill="{}"/></svg>'


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True)


def commit(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "-c", "user.email=t@example.org", "-c", "user.name=Test", "commit", "-qm", message)


@pytest.fixture(scope="module")
def redline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    project = write_project(tmp_path_factory.mktemp("diff"), V1, CONFIG, BIB)
    (project / "figures").mkdir()
    (project / "figures" / "square.svg").write_text(SQUARE.format("#369"))
    git(project, "init", "-q")
    commit(project, "v1")
    first = V1["01-first.md"]
    first = first.replace("title: First", "title: First part")  # the chapter retitled
    first = first.replace("quick brown fox", "quick red fox")  # a word changed
    first = first.replace("lazy dog.", "lazy dog. A new sentence is inserted here.")  # a sentence inserted
    first = first.replace(f"{MOVABLE}\n\n", "")  # the paragraph moves ...
    first += f"\n{MOVABLE}\n"  # ... to the end
    first = first.replace("| B    | 20   |", "| B    | 25   |")  # a table cell changed
    first = first.replace("The quick", "Earlier work [@alpha2020] exists. The quick")  # a citation before the others
    first = first.replace("Do the first thing.\n:::\n", 'Do the first thing.\n:::\n\n::: {#rec-two .recommendation title="Second recommendation"}\nA new thing to do.\n:::\n')  # a block added
    (project / "chapters" / "01-first.md").write_text(first)
    (project / "chapters" / "02-second.md").unlink()  # a chapter removed
    (project / "chapters" / "03-third.md").rename(project / "chapters" / "03-renamed.md")  # renamed
    (project / "chapters" / "04-new.md").write_text("---\ntitle: Brand new\n---\n\nA chapter that did not exist.\n")  # added
    (project / "figures" / "square.svg").write_text(SQUARE.format("#c33"))  # the figure replaced
    commit(project, "v2")
    return project, run_cli("diff", "HEAD~1", "HEAD", "-C", project, "--docx")


def html_of(project: Path) -> str:
    return (project / "build" / "diff-HEAD_1-HEAD.html").read_text(encoding="utf-8")


def test_diff_runs(redline: tuple[Path, Run]) -> None:
    project, result = redline
    assert result.exit_code == 0, result.output
    for suffix in ("html", "pdf", "docx"):
        assert (project / "build" / f"diff-HEAD_1-HEAD.{suffix}").is_file()


def test_word_and_sentence_changes(redline: tuple[Path, Run]) -> None:
    page = html_of(redline[0])
    assert re.search(r'<span class="deletion"[^>]*>quick brown</span>|<span class="deletion"[^>]*>brown</span>', page)
    assert re.search(r'<span class="insertion"[^>]*>(quick )?red</span>', page)
    assert re.search(r'<span class="insertion"[^>]*> ?A new sentence is inserted here\.</span>', page)
    assert 'author="Ed Itor"' in page and 'date="2026-05-01"' in page
    assert re.search(r'<h1[^>]*>.*<span class="insertion"[^>]*> ?part</span></h1>', page)  # a retitled chapter


def test_moved_paragraph_is_a_move_not_a_rewrite(redline: tuple[Path, Run]) -> None:
    page = html_of(redline[0])
    assert re.search(r'<div class="moved-block">\s*<p>This paragraph is long enough', page)
    assert not re.search(r'class="deletion"[^>]*>[^<]*recognised when it is moved', page)


def test_renumbered_citation_is_not_a_change(redline: tuple[Path, Run]) -> None:
    page = html_of(redline[0])
    # [@beta2021] is now [2], not [1]; its paragraph is shown plainly, not as changed.
    paragraph = re.search(r"(<div class=\"changed-block\">\s*)?<p>Second paragraph stays the same[^\n]*", page)
    assert paragraph and not paragraph.group(1)
    assert 'data-cites="beta2021"' in paragraph.group(0) and ">2<" in paragraph.group(0)
    assert re.search(r'<span class="insertion"[^>]*>.*data-cites="alpha2020"', page)


def test_table_cell_and_figure(redline: tuple[Path, Run]) -> None:
    page = html_of(redline[0])
    cell = re.search(r"<td>B</td>\s*<td>(.*?)</td>", page, re.S)
    assert cell and 'class="deletion"' in cell.group(1) and ">20<" in cell.group(1) and ">25<" in cell.group(1)
    assert '<div class="image-changed">' in page and "Image changed" in page


def test_chapters_added_removed_renamed_and_summary(redline: tuple[Path, Run]) -> None:
    project, result = redline
    summary = json.loads(run_cli("diff", "HEAD~1", "HEAD", "-C", project, "--stat", "--format", "json").output)
    status = {c["file"]: (c["status"], c["renamed_from"]) for c in summary["chapters"]}
    assert status == {
        "chapters/01-first.md": ("changed", None),
        "chapters/02-second.md": ("removed", None),
        "chapters/03-renamed.md": ("renamed", "chapters/03-third.md"),
        "chapters/04-new.md": ("added", None),
    }
    assert summary["blocks"]["recommendation"] == {"added": ["R2"], "removed": [], "changed": []}
    pdf = " ".join(" ".join(p.extract_text() for p in PdfReader(project / "build" / "diff-HEAD_1-HEAD.pdf").pages).split())
    assert "Summary of changes" in pdf and "2 Third renamed (was chapters/03-third.md) 0 +0 −0" in pdf
    assert "will only be renamed" not in pdf  # a rename alone is in the summary, its text is not shown
    assert "This chapter will be removed entirely." in pdf and "A chapter that did not exist." in pdf
    assert "2 Second (removed) . ." in pdf  # the contents name the removed chapter
    assert "added R2 “Second recommendation”" in pdf


def test_word_file_has_tracked_changes(redline: tuple[Path, Run]) -> None:
    project, _ = redline
    docx = project / "build" / "diff-HEAD_1-HEAD.docx"
    with zipfile.ZipFile(docx) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "<w:ins " in xml and "<w:del " in xml and 'w:author="Ed Itor"' in xml
    assert re.search(r"<w:delText[^>]*>[^<]*brown", xml)
    document = json.loads(pandoc.run(["-f", "docx", "--track-changes=all", "-t", "json", str(docx)]).stdout)
    spans = [n for n in _walk(document["blocks"]) if n.get("t") == "Span"]
    kinds = {cls for span in spans for cls in span["c"][0][1]}
    assert {"insertion", "deletion"} <= kinds


def _walk(value):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child)


def test_diff_errors_name_the_side(tmp_path: Path, redline: tuple[Path, Run]) -> None:
    project, _ = redline
    missing = run_cli("diff", "no-such-tag", "-C", project)
    assert missing.exit_code == 1 and "(old side: no-such-tag): error: 'no-such-tag' is not a git revision" in missing.output
    (tmp_path / "empty").mkdir()
    folder = run_cli("diff", "HEAD", str(tmp_path / "empty"), "-C", project)
    assert folder.exit_code == 1 and "(new side:" in folder.output and "is not a paper project" in folder.output
    broken = write_project(tmp_path / "broken", {"01-a.md": "# A\n\n[@nowhere]\n"})
    fails = run_cli("diff", "HEAD", str(broken), "-C", project)
    assert fails.exit_code == 1 and "(new side:" in fails.output and "unknown citation key 'nowhere'" in fails.output


# Only the changes: hunks with context, heading paths, contents and lists of what is shown ---------

FILLER = " ".join(["This sentence is here to make the paragraph long enough to fill most of a page."] * 45)
ALPHA = f"""---
title: Alpha
---

Alpha opens by citing earlier work [@alpha2020].

## Background {{#sec-background}}

Background paragraph 1 cites a work [@beta2021].

Background paragraph 2.

Background paragraph 3.

Background paragraph 4 is the first to change.

Background paragraph 5.

Background paragraph 6.

Background paragraph 7.

Background paragraph 8.

Background paragraph 9.

Background paragraph 10. {FILLER}

Background paragraph 11 changes too and cites a third work [@gamma2022].

Background paragraph 12, see @fig-steady.

## Results {{#sec-results}}

Results paragraph 1.

![A circle.](figures/square.svg){{#fig-circle}}

Results paragraph 2 will change.

| Item | Count |
|------|-------|
| A    | 1     |

: Counts. {{#tbl-counts}}

Results paragraph 3.
"""
STEADY = """---
title: Steady
---

Steady text that cites a work again [@beta2021].

## Steady section {#sec-steady-part}

![A steady square.](figures/square.svg){#fig-steady}

| Key | Value |
|-----|-------|
| K   | V     |

: Steady table. {#tbl-steady}
"""


@pytest.fixture(scope="module")
def sections(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A paper with a chapter changed in three places and a chapter unchanged: its redline
    (v1 → HEAD) shows only the changes, and with --full (v1 → v2) the whole paper."""
    chapters = {"01-alpha.md": ALPHA, "02-steady.md": STEADY}
    project = write_project(tmp_path_factory.mktemp("sections"), chapters, CONFIG + "lists-of: [figures, tables]\n", BIB)
    (project / "figures").mkdir()
    (project / "figures" / "square.svg").write_text(SQUARE.format("#369"))
    git(project, "init", "-q")
    commit(project, "v1")
    git(project, "tag", "v1")
    alpha = ALPHA.replace("4 is the first to change.", "4 is the first that has changed.")
    alpha = alpha.replace("11 changes too", "11 was changed too")
    alpha = alpha.replace("Results paragraph 2 will change.", "Results paragraph 2 has changed.")
    (project / "chapters" / "01-alpha.md").write_text(alpha)
    commit(project, "v2")
    git(project, "tag", "v2")
    for args in (("v1", "HEAD"), ("v1", "v2", "--full")):
        result = run_cli("diff", *args, "-C", project)
        assert result.exit_code == 0, result.output
    return project


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def listed(pages: list[str], heading: str) -> list[tuple[str, int]]:
    """The lines under `heading` (Contents, List of figures, …) up to the next list, each as (text, page);
    a line without a page number fails the test."""
    page = next(p for p in pages if p.splitlines()[0].strip() == heading or f"\n{heading}\n" in p)
    lines = page.split(f"{heading}\n", 1)[1].splitlines()
    entries = []
    for line in lines:
        line = line.strip()
        if line.startswith(("List of ", "Redline: ", "Page ")):
            break
        match = re.match(r"^(.*?)\s*(?:\.\s*){3,}(\d+)$", line)
        assert match, f"a line of {heading} without its page number: {line!r}"
        entries.append((flat(match.group(1)), int(match.group(2))))
    return entries


def test_unchanged_chapters_collapse_to_a_line_of_the_summary(sections: Path) -> None:
    pages = pdf_text(sections / "build" / "diff-v1-HEAD.pdf")
    text = flat(" ".join(pages))
    assert "Unchanged, not shown: 2 Steady." in text
    assert "Steady text" not in text and "No changes" not in text
    assert not any(p.startswith("2 Steady") or "\n2 Steady\n" in p for p in pages)  # no page for it
    assert "1 Alpha changed 3 +" in text  # three changes: the runs of changed blocks
    html = (sections / "build" / "diff-v1-HEAD.html").read_text(encoding="utf-8")
    assert "Steady text" not in html and 'href="#change-1">3</a>' in html


def test_contents_and_lists_give_the_pages_of_what_is_shown(sections: Path) -> None:
    pages = pdf_text(sections / "build" / "diff-v1-HEAD.pdf")
    contents = dict(listed(pages, "Contents"))
    assert list(contents) == ["Summary of changes", "1 Alpha", "1.1 Background", "1.2 Results", "References"]
    assert "Summary of changes" in pages[contents["Summary of changes"] - 1]
    assert flat(pages[contents["1 Alpha"] - 1]).startswith("1 Alpha")
    assert flat(pages[contents["References"] - 1]).startswith("References")
    assert "1 Alpha › 1.1 Background" in pages[contents["1.1 Background"] - 1]
    # The Results hunk starts on a later page than the Background one; the contents say which.
    assert contents["1.2 Results"] > contents["1.1 Background"]
    assert "1 Alpha › 1.2 Results" in pages[contents["1.2 Results"] - 1]
    assert "1 Alpha › 1.2 Results" not in pages[contents["1.2 Results"] - 2]
    figures, tables = listed(pages, "List of figures"), listed(pages, "List of tables")
    assert [title for title, _ in figures] == ["1 A circle"] and [title for title, _ in tables] == ["1 Counts"]
    assert "Figure 1. A circle." in pages[figures[0][1] - 1] and "Table 1. Counts." in pages[tables[0][1] - 1]


def test_hunks_keep_one_paragraph_of_context_and_count_what_is_left_out(sections: Path) -> None:
    text = flat(" ".join(pdf_text(sections / "build" / "diff-v1-HEAD.pdf")))
    first = re.search(r"⋯ 3 unchanged paragraphs 1 Alpha › 1\.1 Background Background paragraph 3\. Background paragraph 4 is the first", text)
    assert first, text
    between = re.search(r"Background paragraph 5\. ⋯ 4 unchanged paragraphs 1 Alpha › 1\.1 Background Background paragraph 10\.", text)
    assert between, text
    assert "see Figure 2. ⋯ 1 unchanged paragraph 1 Alpha › 1.2 Results Figure 1. A circle." in text
    assert "Item Count A 1 ⋯ 1 unchanged paragraph" in text  # the last one, after the table
    for hidden in ("Alpha opens", "Background paragraph 2.", "Background paragraph 6.", "Background paragraph 9.", "Results paragraph 1.", "Results paragraph 3."):
        assert hidden not in text


def test_each_hunk_stands_under_its_heading_path(sections: Path) -> None:
    html = (sections / "build" / "diff-v1-HEAD.html").read_text(encoding="utf-8")
    paths = re.findall(r'<div class="redline-path">(.*?)</div>\s*<(\w+)[^>]*>\s*(?:<[^>]+>\s*)*([^<]{0,30})', html, re.S)
    readable = [(flat(re.sub(r"<[^>]+>", "", path)), tag, start.strip()) for path, tag, start in paths]
    assert readable == [
        ("1 Alpha › 1.1 Background", "p", "Background paragraph 3."),
        ("1 Alpha › 1.1 Background", "p", "Background paragraph 10. This"),
        ("1 Alpha › 1.2 Results", "figure", "Figure 1."),
    ], readable
    # The first mention of a section left out carries its id (the contents lead there), once.
    assert html.count('id="sec-background"') == 1 and html.count('id="sec-results"') == 1
    # A cross-reference to a figure that is not shown reads as text, not as a link to nowhere.
    assert re.search(r"Background paragraph 12, see <span[^>]*>Figure(&nbsp;|\s)2</span>", html.replace('<span class="xref">', ""))
    assert 'href="#fig-steady"' not in html
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert [link for link in re.findall(r'href="#([^"]+)"', html) if link not in ids] == []  # every link leads somewhere


def test_citations_keep_the_full_papers_numbers(sections: Path) -> None:
    html = (sections / "build" / "diff-v1-HEAD.html").read_text(encoding="utf-8")
    # gamma2022 is the third work the paper cites; the two before it are in paragraphs not shown.
    assert re.search(r'data-cites="gamma2022">\(<a href="#ref-gamma2022" role="doc-biblioref">3</a>\)', html)
    pages = pdf_text(sections / "build" / "diff-v1-HEAD.pdf")
    references = flat(next(p for p in pages if p.startswith("References")))
    assert "3. Gamma G. Gamma. J. 2022." in references
    assert "Alpha A." not in references and "Beta B." not in references  # cited only where nothing is shown


def test_full_keeps_the_whole_paper(sections: Path) -> None:
    pages = pdf_text(sections / "build" / "diff-v1-v2.pdf")
    text = flat(" ".join(pages))
    for paragraph in ("Alpha opens", "Background paragraph 2.", "Background paragraph 6.", "Results paragraph 3.", "Steady text"):
        assert paragraph in text
    assert "unchanged paragraph" not in text and "›" not in text
    assert "Unchanged: 2 Steady." in text
    contents = dict(listed(pages, "Contents"))
    assert {"1 Alpha", "1.1 Background", "1.2 Results", "2 Steady", "2.1 Steady section", "References"} <= set(contents)
    assert "Steady text" in pages[contents["2 Steady"] - 1]
    assert [title for title, _ in listed(pages, "List of figures")] == ["1 A circle", "2 A steady square"]
    assert [title for title, _ in listed(pages, "List of tables")] == ["1 Counts", "2 Steady table"]
    references = flat(next(p for p in pages if p.startswith("References")))
    assert "1. Alpha A." in references and "2. Beta B." in references and "3. Gamma G." in references


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
def test_previous_and_next_change_in_a_browser(sections: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    page_url = (sections / "build" / "diff-v1-HEAD.html").as_uri()
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1500, "height": 800})
        page.goto(page_url)

        def focused() -> str:
            return str(page.evaluate("document.activeElement.id"))

        def status() -> str:
            return page.locator(".redline-position").inner_text()

        next_button = page.get_by_role("button", name="Next change")
        previous_button = page.get_by_role("button", name="Previous change")
        assert next_button.is_visible() and previous_button.is_visible()
        assert page.locator(".redline-position").get_attribute("role") == "status"
        page.keyboard.press("n")
        assert focused() == "change-1" and status() == "Change 1 of 3"
        page.keyboard.press("n")
        assert focused() == "change-2" and status() == "Change 2 of 3"
        top = page.evaluate("document.activeElement.getBoundingClientRect().top")
        assert 0 <= top < 100  # scrolled to the top of the window
        page.keyboard.press("p")
        assert focused() == "change-1"
        page.keyboard.press("p")
        assert focused() == "change-1" and status() == "Change 1 of 3 · no earlier change"
        next_button.click()
        assert focused() == "change-2"
        next_button.click()
        assert focused() == "change-3" and status() == "Change 3 of 3"
        previous_button.click()
        assert focused() == "change-2"
        assert "Background paragraph 11" in page.evaluate("document.activeElement.textContent")
        side = page.locator(".side-toc a[href='#sec-alpha']").inner_text()
        assert "3 changes" in side
        browser.close()
