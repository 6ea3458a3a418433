"""Incremental HTML: parts rendered one by one equal one pandoc call, and a rebuild that redoes
only the edited chapter writes what a full build writes."""

from __future__ import annotations

import pickle
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import copy_sample, pdf_pages, write_project
from whitepaper import DiagnosticError, checks, pandoc, rules
from whitepaper.cache import Cache
from whitepaper.checks.base import ChapterCheck, PaperCheck
from whitepaper.config import load_config
from whitepaper.diagnostics import Diagnostics, Location, Rule, Severity
from whitepaper.pipeline import BuildOptions, BuildResult, analyse, build, check
from whitepaper.project import CACHE_DIR, Project
from whitepaper.render.body import ABSTRACT_END, pandoc_document, render_body
from whitepaper.render.summaries import SummaryTables
from whitepaper.resolve import ResolvedChapter
from whitepaper.sources.bibliography import write_csl_json
from whitepaper.sources.chapters import read_chapters

CONFIG = """\
title: Notes and Code
date: 2026-01-15
abstract: |
  The abstract has a note[^a] and cites [@topol2019].

  [^a]: A note in the abstract, citing [@wilkinson2016fair].
bibliography: bibliography/references.bib
"""

CHAPTERS = {
    "01-one.md": """\
        # One

        Text with a note[^1] and a citation [@wilkinson2016fair; @topol2019].
        See @fig-plot and @sec-two.

        ```python
        x = 1
        ```

        ```
        plain code, no language
        ```

        ![A plot, drawn from data [@topol2019].](figures/plot.svg){#fig-plot}

        [^1]: The first note, citing [@topol2019].

            Its second paragraph.
        """,
    "02-two.md": """\
        # Two

        More text[^x] and another note[^y] [@wilkinson2016fair].

        ```r
        y <- 2
        ```

        [^x]: Note x.
        [^y]: Note y with `code`.
        """,
    "03-three.md": """\
        ---
        title: Three
        status: in-review
        ---

        # Three

        The last chapter, citing @topol2019 in the text.
        """,
}

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def make(root: Path) -> Path:
    project = write_project(root, CHAPTERS, CONFIG)
    (project / "figures").mkdir()
    (project / "figures" / "plot.svg").write_text(SVG)
    return project


def one_pandoc_call(project: Path) -> tuple[str, str]:
    """The abstract and body as a single pandoc run with citeproc over the whole paper writes them."""
    analysis = analyse(project)
    assert analysis.document is not None and analysis.loaded is not None and analysis.csl is not None
    bibliography = write_csl_json(analysis.bibliography, project / CACHE_DIR)
    args = ["--citeproc", "--csl", str(analysis.csl), "--mathml", "--bibliography", str(bibliography)]
    tables = SummaryTables(Project(project), analysis.document.targets, analysis.loaded.config)
    output, _ = pandoc.ast_to_html(pandoc_document(analysis.document, analysis.loaded.config, tables), args)
    abstract, _, body = output.partition(ABSTRACT_END)
    return abstract.strip(), body.strip()


def in_parts(project: Path, cache: Cache) -> tuple[str, str]:
    analysis = analyse(project)
    assert analysis.document is not None and analysis.loaded is not None and analysis.csl is not None
    bibliography = write_csl_json(analysis.bibliography, project / CACHE_DIR)
    tables = SummaryTables(Project(project), analysis.document.targets, analysis.loaded.config)
    body = render_body(analysis.document, analysis.loaded.config, analysis.csl, bibliography, tables, cache)
    return body.abstract_html, body.body_html


@pytest.mark.parametrize("paper", ["fixture", "sample"])
def test_parts_render_as_one_pandoc_call(paper: str, tmp_path: Path) -> None:
    project = make(tmp_path / "p") if paper == "fixture" else copy_sample(tmp_path / "sample")  # never the repository's own cache
    cache = Cache(tmp_path / "cache")
    whole = one_pandoc_call(project)
    assert in_parts(project, cache) == whole
    assert in_parts(project, cache) == whole  # again, every part and the citations from the cache
    assert cache.hits and not cache.rejected
    if paper == "fixture":  # the numbering pandoc gives notes and code blocks runs across parts
        abstract, body = whole
        assert 'id="fn1"' in body and 'id="fn4"' in body and 'id="cb3"' in body and abstract


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make(tmp_path_factory.mktemp("incremental") / "p")
    assert not build(project).edited_chapters
    return project


def edit(project: Path, name: str, old: str, new: str) -> BuildResult:
    path = project / "chapters" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return build(project)


def full_build_of(project: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "full"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("build"))
    build(copy, BuildOptions(use_cache=False))
    return copy


@pytest.mark.parametrize(
    ("name", "old", "new", "only_edited"),
    [
        ("02-two.md", "More text", "Much more text", True),  # a word
        ("01-one.md", "Its second paragraph.", "Its second paragraph, longer.\n\nAnd a third.", True),  # in a note
        ("02-two.md", "Note x.", "Note x.[^z]\n\n[^z]: A new note shifts the later notes' numbers.", True),
        ("01-one.md", "plain code", "```js\nlet z = 3\n```\n\n```\nplain code", True),  # a new code block
        ("03-three.md", "The last chapter", "The final chapter", True),  # front matter as it was
        ("03-three.md", "status: in-review", "status: draft", False),  # front matter: shown in the drafts
        ("03-three.md", "@topol2019 in", "@wilkinson2016fair in", False),  # citations: numbers move
        ("01-one.md", "A plot, drawn", "A bar chart, drawn", False),  # a caption, in the list of figures
        ("02-two.md", "# Two", "# Two, renamed", False),  # a title, in the contents
    ],
)
def test_rebuild_writes_what_a_full_build_writes(built: Path, tmp_path: Path, name: str, old: str, new: str, only_edited: bool) -> None:
    result = edit(built, name, old, new)
    assert result.edited_chapters == (1 if only_edited else 0)
    full = full_build_of(built, tmp_path)
    assert (built / "build" / "paper.html").read_bytes() == (full / "build" / "paper.html").read_bytes()
    assert pdf_pages(built / "build" / "paper.pdf") == pdf_pages(full / "build" / "paper.pdf")
    manifest, expected = (p / "build" / "manifest.json" for p in (built, full))
    assert manifest.read_text().replace(str(built), "") == expected.read_text().replace(str(full), "")


def test_an_edit_that_brings_a_problem_is_reported_as_a_full_build_would(built: Path) -> None:
    html = (built / "build" / "paper.html").read_bytes()
    with pytest.raises(DiagnosticError) as raised:
        edit(built, "03-three.md", "title: Three", "title: [Three")  # broken front matter
    assert [d.rule for d in raised.value.diagnostics] == ["front-matter-syntax"]
    assert (built / "build" / "paper.html").read_bytes() == html  # the last good draft stays
    edit(built, "03-three.md", "title: [Three", "title: Three")
    result = edit(built, "03-three.md", "chapter, citing", "chapter (TODO: check), citing")
    assert result.edited_chapters == 1  # a warning of the chapter's own keeps the fast path
    assert [d.rule for d in result.diagnostics] == ["todo-marker"]
    result = edit(built, "03-three.md", "(TODO: check)", "(checked)")  # and so does its going
    assert result.edited_chapters == 1 and not result.diagnostics


def diagnostics_of(result: BuildResult) -> list[str]:
    return [str(d) for d in result.diagnostics]


def same_as_full_build_and_check(project: Path, rebuilt: BuildResult, tmp_path: Path) -> list[str]:
    """What a rebuild reported is what `check` and a full build of the same files report."""
    full = tmp_path / f"full-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(project, full, ignore=shutil.ignore_patterns("build"))
    checked = [str(d) for d in check(full, use_cache=False).diagnostics]
    built_full = diagnostics_of(build(full, BuildOptions(use_cache=False)))
    assert diagnostics_of(rebuilt) == checked == built_full
    return checked


def test_every_check_runs_again_on_a_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule on a chapter's text and a rule on the bibliography fire the same in a rebuild after
    the edit that triggers them as in a full build and in `check`; so do checks added later."""
    project = make(tmp_path / "p")
    bib = project / "bibliography" / "references.bib"
    bib.write_text(bib.read_text() + "\n@book{extra2020, author = {Extra, E.}, title = {Extra}, publisher = {P}, year = {2020}}\n")
    two = project / "chapters" / "02-two.md"
    two.write_text(two.read_text().replace("[@wilkinson2016fair]", "[@wilkinson2016fair; @extra2020]"))
    assert build(project).diagnostics.items == []
    rebuilt = edit(project, "02-two.md", "More text", "More text (TODO: sources)")  # a rule on the text
    assert same_as_full_build_and_check(project, rebuilt, tmp_path) == ["chapters/02-two.md:3:12: warning: 'TODO' marker left in the text [todo-marker]"]
    edit(project, "02-two.md", " (TODO: sources)", "")
    rebuilt = edit(project, "02-two.md", "; @extra2020]", "]")  # a rule on the bibliography
    found = same_as_full_build_and_check(project, rebuilt, tmp_path)
    assert [d.split(": ", 1)[1] for d in found] == ["warning: entry 'extra2020' is never cited [unused-reference]"]

    # Checks added later, whatever they look at, run again too.
    lorem = Rule("test-lorem", Severity.WARNING, "checks", "lorem ipsum left in the text")
    long = Rule("test-long", Severity.WARNING, "checks", "the paper is longer than 60 words")

    def no_lorem(chapter: ResolvedChapter, paper: checks.Paper, diagnostics: Diagnostics) -> None:
        if "lorem" in chapter.source.text:
            diagnostics.add(lorem, chapter.source.locate("lorem"), "lorem ipsum")

    def not_long(paper: checks.Paper, diagnostics: Diagnostics) -> None:
        words = sum(chapter.survey.words for chapter in paper.document.chapters)
        if words > 60:
            diagnostics.add(long, Location("whitepaper.yaml"), f"{words} words")

    monkeypatch.setattr(checks, "CHAPTER_CHECKS", (*checks.CHAPTER_CHECKS, ChapterCheck((lorem,), no_lorem)))
    monkeypatch.setattr(checks, "PAPER_CHECKS", (*checks.PAPER_CHECKS, PaperCheck((long,), not_long)))
    for rule in (lorem, long):
        monkeypatch.setitem(rules.CATALOGUE, rule.id, rule)
    edit(project, "01-one.md", "Text with", "Text with")  # the checks' verdict on the paper as it stands
    rebuilt = edit(project, "03-three.md", "The last chapter", "The last chapter, lorem ipsum")
    assert "[test-lorem]" in " ".join(same_as_full_build_and_check(project, rebuilt, tmp_path))
    rebuilt = edit(project, "03-three.md", "lorem ipsum", "with " + "many more words " * 10)
    assert "[test-long]" in " ".join(same_as_full_build_and_check(project, rebuilt, tmp_path))


def test_a_broken_state_is_not_trusted(built: Path, tmp_path: Path) -> None:
    state = next((built / CACHE_DIR / "rebuild").rglob("*.bin"))
    state.write_bytes(state.read_bytes()[:-100])  # cut short
    assert edit(built, "02-two.md", "another note", "one more note").edited_chapters == 0
    assert edit(built, "02-two.md", "one more note", "yet another note").edited_chapters == 1
    state.write_bytes(state.read_bytes().replace(b"yet another", b"yet unother"))  # changed, checksum not
    assert edit(built, "02-two.md", "yet another note", "another note").edited_chapters == 0
    full = full_build_of(built, tmp_path)
    assert (built / "build" / "paper.html").read_bytes() == (full / "build" / "paper.html").read_bytes()


def cached(project: Path, namespace: str) -> int:
    return sum(1 for _ in (project / CACHE_DIR / namespace).rglob("*.json"))


def test_what_else_changes_takes_the_full_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make(tmp_path / "p")
    build(project)
    parts, clusters = cached(project, "html"), cached(project, "citations")
    assert edit(project, "02-two.md", "More text", "Much more text").edited_chapters == 1
    assert (cached(project, "html"), cached(project, "citations")) == (parts + 1, clusters)  # one part, no citeproc
    (project / "templates").mkdir()  # a template of the project's own
    (project / "templates" / "_abstract.html").write_text("<p>custom abstract block</p>\n")
    assert edit(project, "02-two.md", "Much more", "Even more").edited_chapters == 0
    assert "custom abstract block" in (project / "build" / "paper.html").read_text()
    bib = project / "bibliography" / "references.bib"  # the bibliography
    bib.write_text(bib.read_text().replace("High-performance medicine", "Very high-performance medicine"))
    assert edit(project, "02-two.md", "Even more", "Still more").edited_chapters == 0
    assert "Very high-performance medicine" in (project / "build" / "paper.html").read_text()
    config = project / "whitepaper.yaml"  # the citation style
    config.write_text(config.read_text() + "csl: apa\n")
    assert edit(project, "02-two.md", "Still more", "Even more").edited_chapters == 0
    assert "Wilkinson &amp; Dumontier, 2016" in (project / "build" / "paper.html").read_text()
    monkeypatch.setattr(pandoc, "pandoc_version", lambda: "99.0")  # another pandoc: every part again
    html_before, clusters_before = cached(project, "html"), cached(project, "citations")
    assert edit(project, "02-two.md", "Even more", "Yet more").edited_chapters == 0
    parts = 1 + len(CHAPTERS) + 2  # the abstract, the chapters, the references, the contributors
    assert cached(project, "html") == html_before + parts and cached(project, "citations") == clusters_before + 1


def test_a_stored_chapter_reads_back_whole(tmp_path: Path) -> None:
    chapters = {
        "01-a.md": "---\ntitle: A\nowners: [Ann]\n---\n\n# A\n\nText.\n",
        "02-b.md": "----\n\nA rule above, not front matter.\n",
        "03-c.md": "\ufeff# C\r\n\r\nWindows lines.\r\n",
    }
    project = write_project(tmp_path / "p", chapters)
    diagnostics = Diagnostics()
    paper = Project(project)
    for chapter in read_chapters(paper, load_config(paper, diagnostics), diagnostics):
        again = pickle.loads(pickle.dumps(chapter))
        assert (again.body, again.lines, again.text, again.meta, again.body_line) == (
            chapter.body, chapter.lines, chapter.text, chapter.meta, chapter.body_line
        )  # fmt: skip
    assert not diagnostics.has_errors()


def test_damaged_cache_entries_are_made_again(tmp_path: Path) -> None:
    """Parts' HTML, formatted citations and compiled templates: cut short or edited, each is
    made afresh and the drafts are as before."""
    project = make(tmp_path / "p")
    build(project)
    html = (project / "build" / "paper.html").read_bytes()
    cache = project / CACHE_DIR
    damaged = [*(cache / "html").rglob("*.json"), *(cache / "citations").rglob("*.json"), *(cache / "templates").rglob("*.bin")]
    assert len(damaged) >= 8
    for number, path in enumerate(damaged):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if number % 2 else data.replace(b"Two", b"Owt").replace(b"class", b"klass"))
    (project / "build" / "paper.html").unlink()
    assert build(project).edited_chapters == 0
    assert (project / "build" / "paper.html").read_bytes() == html


def test_two_chapters_edited_at_once(built: Path, tmp_path: Path) -> None:
    (built / "chapters" / "02-two.md").touch()  # saved again, unchanged: not an edit
    for name, old, new in (("01-one.md", "Text with", "Prose with"), ("03-three.md", "in the text", "in its text")):
        path = built / "chapters" / name
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new, 1))
    assert build(built).edited_chapters == 2
    full = full_build_of(built, tmp_path)
    assert (built / "build" / "paper.html").read_bytes() == (full / "build" / "paper.html").read_bytes()


def test_a_chapter_gone_or_linked_out(tmp_path: Path) -> None:
    project = make(tmp_path / "p")
    build(project)
    outside = tmp_path / "outside.md"
    outside.write_text("# Two\n\nNot part of the project.\n")
    chapter = project / "chapters" / "02-two.md"
    chapter.unlink()
    chapter.symlink_to(outside)  # the same name, now a link out of the project
    with pytest.raises(DiagnosticError) as raised:
        build(project)
    assert "chapter-outside" in [d.rule for d in raised.value.diagnostics.errors]
    chapter.unlink()
    chapter.write_text(textwrap.dedent(CHAPTERS["02-two.md"]))
    build(project)
    (project / "chapters" / "03-three.md").unlink()  # gone: the paper has two chapters now
    assert build(project).edited_chapters == 0
    assert "chapter-sec-three" not in (project / "build" / "paper.html").read_text()
    full = full_build_of(project, tmp_path)
    assert (project / "build" / "paper.html").read_bytes() == (full / "build" / "paper.html").read_bytes()


def test_math_that_cannot_be_drawn_is_reported_as_a_full_build_would(tmp_path: Path) -> None:
    chapters = {
        "01-a.md": "# A\n\nPlain text [@topol2019; @wilkinson2016fair].\n",
        "02-b.md": "# B\n\nA formula that cannot be drawn: $\\tag{1}$.\n",
    }
    project = write_project(tmp_path / "p", chapters)

    def found(result: BuildResult) -> list[tuple[str, str, int]]:
        return [(d.rule, d.location.path, d.location.line) for d in result.diagnostics]

    math = [("math-unsupported", "chapters/02-b.md", 3)]
    assert found(build(project)) == math
    for number, formats in enumerate((("html",), ("html", "pdf"))):  # without the print page, and with it
        edit_text(project, "01-a.md", "text", f"text {number}")
        result = build(project, BuildOptions(formats=formats))
        assert result.edited_chapters == 1 and found(result) == math
    edit_text(project, "01-a.md", "Plain", "Now $\\tag{2}$ and")  # new math, before the other
    result = build(project, BuildOptions(formats=("html",)))
    assert result.edited_chapters == 1
    assert found(result) == [("math-unsupported", "chapters/01-a.md", 3), *math]  # in reading order
    full = full_build_of(project, tmp_path)
    assert found(result) == found(build(full, BuildOptions(formats=("html",), use_cache=False)))


def edit_text(project: Path, name: str, old: str, new: str) -> None:
    path = project / "chapters" / name
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))


def test_the_project_named_otherwise_from_another_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make(tmp_path / "p")
    monkeypatch.chdir(project)
    build(Path("."))
    monkeypatch.chdir(tmp_path)
    path = project / "chapters" / "02-two.md"
    path.write_text(path.read_text().replace("More text", "More prose"))
    assert build(Path("p")).edited_chapters == 1
    full = full_build_of(project, tmp_path)
    manifest, expected = (p / "build" / "manifest.json" for p in (project, full))
    assert manifest.read_text() == expected.read_text()
