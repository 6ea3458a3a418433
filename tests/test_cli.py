"""The command line: help for every command, the scaffold, and options."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from pypdf import PdfReader

from conftest import REPO, pdf_pages, run_cli, write_project
from whitepaper.cli import main


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert isinstance(main, click.Group)
    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert {"build", "check", "diff", "new", "review", "status", "watch", "serve"} <= set(names)
    for name in names:
        command = main.get_command(ctx, name)
        assert command is not None and command.help, f"{name} has no help text"
        result = run_cli(name, "--help")
        assert result.exit_code == 0
        assert f"whitepaper {name}" in readme, f"README does not document `whitepaper {name}`"


def test_the_command_list_says_what_each_command_says() -> None:
    """`whitepaper --help` lists the commands without importing them (cli/__init__.py): each line
    there is the first sentence of the command's own help."""
    from whitepaper.cli import COMMANDS

    ctx = click.Context(main)
    for name, (_, summary) in COMMANDS.items():
        command = main.get_command(ctx, name)
        assert command is not None and command.help
        first = re.split(r"(?<=\.)\s", " ".join(command.help.split()), maxsplit=1)[0]
        assert summary == first, name
    listing = run_cli("--help").output
    assert all(f"  {name} " in listing for name in COMMANDS)


def test_new_project_builds_cleanly(tmp_path: Path) -> None:
    target = tmp_path / "fresh"
    result = run_cli("new", target)
    assert result.exit_code == 0, result.output
    assert (target / "whitepaper.yaml").is_file()
    assert len(list((target / "chapters").glob("*.md"))) == 2
    config = (target / "whitepaper.yaml").read_text(encoding="utf-8")
    assert config.count("#") >= 10, "the scaffold's config explains its keys in comments"
    built = run_cli("build", target)
    assert built.exit_code == 0, built.output
    assert "; no warnings" in built.output
    pages = pdf_pages(target / "build" / "paper.pdf")
    assert "A White Paper" in pages[0]
    assert re.search(r"1\.\s+Wilkinson MD", "\n".join(pages))


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    result = run_cli("new", tmp_path / "taken")
    assert result.exit_code == 2
    assert "exists and is not empty" in result.output
    assert (tmp_path / "taken" / "notes.txt").read_text() == "mine"


def test_review_with_html_is_a_usage_error(tmp_path: Path) -> None:
    """The review edition is a PDF: asked for as HTML it is refused, never quietly built as a PDF."""
    project = write_project(tmp_path / "p", {"01-a.md": "# A\n\nText [@topol2019; @wilkinson2016fair].\n"})
    result = run_cli("build", project, "--review", "--html")
    assert result.exit_code == 2
    assert "--review builds the review edition, a PDF" in result.output
    assert not (project / "build").exists()
    from whitepaper import BuildOptions, build
    from whitepaper.diagnostics import UsageProblem
    from whitepaper.review.edition import ReviewEdition

    with pytest.raises(UsageProblem, match="made as pdf only, not html"):  # the library says so too
        build(project, BuildOptions(formats=("html",), edition=ReviewEdition()))
    assert not (project / "build").exists()
    only_pdf = run_cli("build", project, "--review", "--pdf", "-q")
    assert only_pdf.exit_code == 0 and (project / "build" / "paper.review.pdf").is_file()


def test_unknown_config_key_is_a_located_warning(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"01-a.md": "# A\n\nText.\n"}, "title: T\ncolour: blue\noutputs: {formats: [html]}\n")
    result = run_cli("build", project)
    assert result.exit_code == 0
    assert "whitepaper.yaml:2:1: warning: unknown key 'colour' [config-unknown-key]" in result.output
    assert "; 1 warning" in result.output


def test_keep_print_html_writes_the_pdf_source(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"01-a.md": "# A\n\nText.\n"})
    result = run_cli("build", project, "--keep-print-html", "--quiet")
    assert result.exit_code == 0
    source = (project / "build" / "paper.print.html").read_text(encoding="utf-8")
    assert '<base href="../">' in source and "@page" in source
    assert len(PdfReader(project / "build" / "paper.pdf").pages) >= 3
