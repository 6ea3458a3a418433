"""Redlines: every kind of change, read back from the HTML, the PDF and the Word file."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import Run, run_cli, write_project
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
    assert "Summary of changes" in pdf and "renamed (was chapters/03-third.md)" in pdf
    assert "No changes (renamed from chapters/03-third.md)." in pdf
    assert "This chapter will be removed entirely." in pdf and "A chapter that did not exist." in pdf
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
