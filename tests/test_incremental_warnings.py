"""Rebuilds of drafts in progress: an edited chapter with warnings (or errors) of its own keeps
the fast path, and writes and reports what a full build writes and reports; a change other
chapters see still takes the full path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import write_project
from whitepaper import DiagnosticError
from whitepaper.pipeline import BuildOptions, BuildResult, build, check, rebuild
from whitepaper.pipeline.timing import Timed
from whitepaper.project import Project

HTML = BuildOptions(formats=("html",))

# Every chapter has warnings, as drafts do: TODO markers, a table nobody refers to; one of
# chapter one's tables is referred to from chapter two only, and one entry is never cited.
CHAPTERS = {
    "01-one.md": """\
        # One {#sec-one}

        An opening paragraph. TODO: expand the opening.

        | a | b |
        |---|---|
        | 1 | 2 |

        : Costs, referred to from chapter two {#tbl-costs}

        | c | d |
        |---|---|
        | 3 | 4 |

        : Nobody refers to this one {#tbl-lonely}

        The end of chapter one.
        """,
    "02-two.md": """\
        # Two

        Text citing [@topol2019], with @tbl-costs. FIXME: a better word.

        | x |
        |---|
        | 1 |

        : Also unreferenced {#tbl-alone}
        """,
    "03-three.md": """\
        # Three

        A short last chapter, see @sec-one.
        """,
}


def shown(result: BuildResult | DiagnosticError) -> list[str]:
    return [str(d) for d in result.diagnostics]


def full_build(project: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    """A copy of the project built from nothing, and the diagnostics that build and `check` show."""
    tmp_path.mkdir(exist_ok=True)
    copy = tmp_path / f"full-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("build"))
    checked = [str(d) for d in check(copy, use_cache=False).diagnostics]
    try:
        found = shown(build(copy, BuildOptions(formats=("html",), use_cache=False)))
    except DiagnosticError as error:
        found = shown(error)
    assert found == checked
    return copy, found


def edit(project: Path, name: str, old: str, new: str) -> None:
    path = project / "chapters" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = write_project(tmp_path_factory.mktemp("drafts") / "p", CHAPTERS)
    result = build(project, HTML)
    rules = sorted({d.rule for d in result.diagnostics})
    assert rules == ["table-unreferenced", "todo-marker", "unused-reference"]
    return project


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("01-one.md", "An opening", "A first"),  # a word, in a chapter with warnings
        ("01-one.md", "paragraph. TODO", "paragraph.\n\nAnd one more,\nover two lines. TODO"),  # its warnings move down
        ("01-one.md", "The end", "TODO: end it. The end"),  # a warning more
        ("02-two.md", " FIXME: a better word.", ""),  # a warning fewer
        ("02-two.md", "Text citing", "Prose citing"),  # the chapter that refers to another's table
    ],
)
def test_an_edit_in_a_chapter_with_warnings_keeps_the_fast_path(
    drafts: Path, tmp_path: Path, name: str, old: str, new: str
) -> None:
    edit(drafts, name, old, new)
    result = build(drafts, HTML)
    assert result.edited_chapters == 1
    full, expected = full_build(drafts, tmp_path)
    assert (drafts / "build" / "paper.html").read_bytes() == (full / "build" / "paper.html").read_bytes()
    assert shown(result) == expected
    assert "chapters/01-one.md" in " ".join(expected)  # warnings of the edited chapter and of the others


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("01-one.md", "# One {#sec-one}", "# One, renamed {#sec-one}"),  # a heading: in the contents
        ("01-one.md", "{#tbl-lonely}", "{#tbl-alone-too}"),  # a label
        ("02-two.md", "[@topol2019]", "[@wilkinson2016fair]"),  # a citation: the references change
    ],
)
def test_a_change_seen_elsewhere_takes_the_full_path(
    drafts: Path, tmp_path: Path, name: str, old: str, new: str
) -> None:
    edit(drafts, name, old, new)
    result = build(drafts, HTML)
    assert result.edited_chapters == 0
    full, expected = full_build(drafts, tmp_path)
    assert (drafts / "build" / "paper.html").read_bytes() == (full / "build" / "paper.html").read_bytes()
    assert shown(result) == expected
    edit(drafts, name, new, old)
    build(drafts, HTML)


def test_an_error_in_the_edited_chapter_is_found_on_the_fast_path(tmp_path: Path) -> None:
    """An error of the chapter's own (raw HTML with a script, made an error by `rules:`) is
    reported as a full build reports it, from the fast path; the last good draft stays."""
    project = write_project(tmp_path / "p", CHAPTERS)
    with (project / "whitepaper.yaml").open("a") as config:
        config.write("rules:\n  html-unsafe: error\n")
    build(project, HTML)
    html = (project / "build" / "paper.html").read_bytes()
    edit(project, "03-three.md", "A short", 'A <button onclick="steal()">short</button>')
    assert rebuild.edited(Project(project), HTML, Timed(None)) is not None  # the fast path
    with pytest.raises(DiagnosticError) as raised:
        build(project, HTML)
    assert (project / "build" / "paper.html").read_bytes() == html  # not written
    _, expected = full_build(project, tmp_path / "full")
    assert shown(raised.value) == expected
    assert "[html-unsafe]" in expected[-1] and expected[-1].startswith("chapters/03-three.md:3:")
