"""A build's output stays readable with many warnings: the first few of each rule with their
places, then how many more; `--verbose` and `whitepaper check` list them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli, write_project
from whitepaper.cli.watch import _printer
from whitepaper.live.watch import BuildState, rebuild
from whitepaper.pipeline import BuildOptions
from whitepaper.project import Project

TODOS = 8  # one more than a screenful of a rule would be, folded

CHAPTERS = {
    "01-one.md": "# One\n\n" + "".join(f"Paragraph {n}. TODO: finish it.\n\n" for n in range(TODOS)),
    "02-two.md": "# Two\n\nText citing [@topol2019].\n\n| x |\n|---|\n| 1 |\n\n: Nobody refers to it {#tbl-alone}\n",
}
MORE = f"  and {TODOS - 3} more [todo-marker] (whitepaper check lists all)"


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("output") / "p", CHAPTERS)


def todo_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "[todo-marker]" in line]


def test_a_build_shows_the_first_few_of_each_rule(drafts: Path) -> None:
    run = run_cli("build", "--html", "--no-cache", drafts)
    assert run.exit_code == 0, run.output
    lines = todo_lines(run.output)
    assert lines[:3] == [
        f"chapters/01-one.md:{3 + 2 * n}:{len(f'Paragraph {n}. ') + 1}: warning: 'TODO' marker left in the text [todo-marker]"
        for n in range(3)
    ]
    assert lines[3:] == [MORE]
    assert "[table-unreferenced]" in run.output  # another rule, not folded away
    assert f"{TODOS + 2} warnings" in run.output  # the count is of all (with the unused reference)


def test_verbose_and_check_list_every_one(drafts: Path) -> None:
    run = run_cli("build", "--html", "--verbose", drafts)
    assert run.exit_code == 0, run.output
    assert len(todo_lines(run.output)) == TODOS and MORE not in run.output
    checked = run_cli("check", drafts)
    assert checked.exit_code == 0
    assert (
        "and 5 more" not in checked.output and f"(×{TODOS}: also at" in checked.output
    )  # folded as ever, every place named
    places = [f"chapters/01-one.md:{3 + 2 * n}:" for n in range(TODOS)]
    assert all(place in checked.output for place in places)


def test_errors_are_folded_too(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p", {"01-one.md": "# One\n\n" + "".join(f"See @fig-none{n}.\n\n" for n in range(5))}
    )
    run = run_cli("build", "--html", project)
    assert run.exit_code == 1
    assert len([line for line in run.output.splitlines() if line.endswith("[xref-unknown]")]) == 3
    assert "  and 2 more [xref-unknown] (whitepaper check lists all)" in run.output
    assert "5 errors; nothing was written" in run.output


def test_watch_folds_as_build_does(drafts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each build `watch` makes prints its problems as `build` does: the first few of each rule."""
    state = rebuild(Project.at(drafts), BuildOptions(formats=("html",)), BuildState())
    _printer(drafts)(state, {"chapters/01-one.md"})  # type: ignore[operator]
    printed = capsys.readouterr().err
    assert todo_lines(printed)[3:] == [MORE]
    assert f"after chapters/01-one.md; {TODOS + 2} warnings" in printed
